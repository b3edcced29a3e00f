import pytest

from service.common.errors import InsufficientStock, PaymentDeclined, ValidationError
from service.orders.cart import Cart
from service.orders.checkout import PaymentDetails
from tests.helpers.assertions import assert_ledger_balanced, assert_money
from tests.helpers.builders import make_cart

VISA = "4242 4242 4242 4242"


def test_sepa_order_books_sale_and_ships(checkout, catalog, warehouse, ledger, today):
    order = checkout.place_order(make_cart(catalog, "MUG-0001"), PaymentDetails("sepa"), "DE", today)
    assert order.id == "ORD-0000011"
    assert_money(order.quote.total, "21.18 EUR")
    assert_money(order.fee, "0.20 EUR")  # 35 bps would be 0.07: the minimum applies
    assert order.payment == "sepa" and order.lines == (("MUG-0001", 1),)
    assert_money(ledger.balance("cash", "EUR"), "20.98 EUR")
    assert_money(ledger.balance("revenue", "EUR"), "17.80 EUR")
    assert_money(ledger.balance("tax_payable", "EUR"), "3.38 EUR")
    assert warehouse.on_hand("MUG-0001") == 9 and warehouse.available("MUG-0001") == 9
    assert_ledger_balanced(ledger)


def test_card_payment_is_masked_and_charged(checkout, catalog, today):
    order = checkout.place_order(make_cart(catalog, "MUG-0001"), PaymentDetails("card", VISA), "DE", today)
    assert order.payment == "card ************4242"
    assert_money(order.fee, "0.91 EUR")


def test_foreign_card_pays_the_surcharge(checkout, catalog, today):
    details = PaymentDetails("card", VISA, country="at")
    order = checkout.place_order(make_cart(catalog, "MUG-0001"), details, "DE", today)
    assert_money(order.fee, "1.23 EUR")


def test_order_ids_are_sequential(checkout, catalog, today):
    first = checkout.place_order(make_cart(catalog, "KNF-0200"), PaymentDetails("wallet"), "DE", today)
    second = checkout.place_order(make_cart(catalog, "KNF-0200"), PaymentDetails("wallet"), "DE", today)
    assert (first.id, second.id) == ("ORD-0000011", "ORD-0000022")


def test_declined_card_releases_the_stock(checkout, catalog, warehouse, ledger, today):
    with pytest.raises(PaymentDeclined):
        checkout.place_order(make_cart(catalog, ("MUG-0001", 3)), PaymentDetails("card", "4242"), "DE", today)
    assert warehouse.available("MUG-0001") == 10
    assert ledger.transactions() == []


def test_missing_stock_rolls_back_earlier_lines(checkout, catalog, warehouse, today):
    cart = make_cart(catalog, ("MUG-0001", 2), ("TNT-2000", 11))
    with pytest.raises(InsufficientStock):
        checkout.place_order(cart, PaymentDetails("sepa"), "DE", today)
    assert warehouse.available("MUG-0001") == 10
    assert warehouse.snapshot()["MUG-0001"]["reserved"] == 0


def test_empty_cart_is_refused(checkout, today):
    with pytest.raises(ValidationError):
        checkout.place_order(Cart("EUR"), PaymentDetails("sepa"), "DE", today)

import pytest

from service.common.errors import ValidationError
from service.orders.cart import Cart
from service.orders.pricing import price_cart, tax_rate
from tests.helpers.assertions import assert_money
from tests.helpers.builders import make_cart


def test_plain_cart(catalog, today):
    quote = price_cart(make_cart(catalog, "MUG-0001"), "DE", today)
    assert_money(quote.subtotal, "12.90 EUR")
    assert quote.discount.is_zero() and quote.promotion is None
    assert_money(quote.shipping, "4.90 EUR")
    assert_money(quote.tax, "3.38 EUR")  # 19% of 17.80 = 3.382
    assert_money(quote.total, "21.18 EUR")
    assert_money(quote.net, "17.80 EUR")


def test_tax_depends_on_region(catalog, today):
    cart = make_cart(catalog, ("KNF-0200", 2), "PAN-0100", ("MUG-0001", 2))  # 158.80, free shipping
    assert_money(price_cart(cart, "DE", today).tax, "30.17 EUR")  # 30.172
    assert_money(price_cart(cart, "FR", today).tax, "31.76 EUR")
    assert_money(price_cart(cart, "CH", today).tax, "12.86 EUR")  # 12.8628
    assert price_cart(cart, "US-OR", today).tax.is_zero()


def test_unknown_region(catalog, today):
    with pytest.raises(ValidationError, match="'XX'"):
        price_cart(make_cart(catalog, "MUG-0001"), "XX", today)
    assert str(tax_rate("NL")) == "0.21"


def test_empty_cart_cannot_be_priced(today):
    with pytest.raises(ValidationError, match="empty"):
        price_cart(Cart("EUR"), "DE", today)

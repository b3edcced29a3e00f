import pytest

from service.orders.cart import Cart
from service.orders.pricing import parse_promotion, price_cart, shipping_cost
from tests.helpers.builders import eur, make_product


def cart_of(weight_grams, price="10.00", quantity=1):
    cart = Cart("EUR")
    cart.add(make_product(price=price, weight_grams=weight_grams), quantity)
    return cart


@pytest.mark.parametrize(
    "grams,expected",
    [(1_000, "4.90"), (1_001, "6.90"), (5_000, "6.90"), (5_001, "12.90"), (20_000, "12.90"), (20_001, "29.90")],
)
def test_weight_bands(grams, expected):
    cart = cart_of(grams)
    assert shipping_cost(cart, cart.subtotal()) == eur(expected)


def test_free_shipping_threshold_is_inclusive():
    assert shipping_cost(cart_of(500, "50.00"), eur("50.00")).is_zero()
    assert shipping_cost(cart_of(500, "49.99"), eur("49.99")) == eur("4.90")


def test_free_shipping_looks_at_the_discounted_amount(today):
    cart = cart_of(500, "55.00")
    promo = parse_promotion({"code": "TENOFF", "kind": "percent", "value": 10})
    quote = price_cart(cart, "DE", today, [promo])
    assert quote.shipping == eur("4.90")
    assert quote.total == eur("64.74")  # (49.50 + 4.90) * 1.19 = 64.736


def test_tax_applies_to_shipping(today):
    quote = price_cart(cart_of(25_000, "10.00"), "FR", today)
    assert quote.shipping == eur("29.90")
    assert quote.tax == eur("7.98")  # 20% of 39.90


def test_empty_cart_ships_free():
    assert shipping_cost(Cart("EUR"), eur("0")).is_zero()

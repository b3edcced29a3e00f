from datetime import date

import pytest

from service.common.errors import ValidationError
from service.orders.pricing import parse_promotion, price_cart
from tests.helpers.assertions import assert_money
from tests.helpers.builders import make_cart


def test_percent_promotion(catalog, promotions, today):
    quote = price_cart(make_cart(catalog, ("MUG-0001", 2)), "DE", today, [promotions["WELCOME10"]])
    assert quote.promotion == "WELCOME10"
    assert_money(quote.discount, "2.58 EUR")
    assert_money(quote.tax, "5.34 EUR")
    assert_money(quote.total, "33.46 EUR")


def test_minimum_spend(catalog, promotions, today):
    quote = price_cart(make_cart(catalog, "MUG-0001"), "DE", today, [promotions["WELCOME10"]])
    assert quote.promotion is None


def test_best_promotion_wins(catalog, promotions, today):
    quote = price_cart(make_cart(catalog, ("MUG-0001", 4)), "DE", today, list(promotions.values()))
    assert quote.promotion == "MUGS2FOR1"
    assert_money(quote.discount, "25.80 EUR")
    assert_money(quote.total, "36.53 EUR")


def test_bogo_counts_pairs(catalog, promotions, today):
    quote = price_cart(make_cart(catalog, ("MUG-0001", 3)), "DE", today, [promotions["MUGS2FOR1"]])
    assert_money(quote.discount, "12.90 EUR")
    other = price_cart(make_cart(catalog, ("KNF-0200", 3)), "DE", today, [promotions["MUGS2FOR1"]])
    assert other.discount.is_zero()


def test_fixed_promotion_and_free_shipping(catalog, promotions, today):
    cart = make_cart(catalog, "TNT-1000", ("MAT-0600", 2))
    quote = price_cart(cart, "DE", today, [promotions["TENT50"], promotions["WELCOME10"]])
    assert quote.promotion == "TENT50"
    assert quote.shipping.is_zero()
    assert_money(quote.tax, "71.63 EUR")
    assert_money(quote.total, "448.63 EUR")


def test_expiry_is_inclusive(catalog, promotions):
    cart = make_cart(catalog, "TNT-1000", ("MAT-0600", 2))
    late = price_cart(cart, "DE", date(2026, 9, 1), [promotions["SUMMER25"]])
    assert late.promotion is None
    last_day = price_cart(cart, "DE", date(2026, 8, 31), [promotions["SUMMER25"], promotions["TENT50"]])
    assert last_day.promotion == "SUMMER25"
    assert_money(last_day.discount, "106.75 EUR")


def test_fixed_discount_never_exceeds_the_subtotal(catalog, today):
    promo = parse_promotion({"code": "big50", "kind": "fixed", "value": 5000})
    quote = price_cart(make_cart(catalog, "MUG-0001"), "DE", today, [promo])
    assert_money(quote.discount, "12.90 EUR")
    assert_money(quote.total, "5.83 EUR")  # shipping 4.90 + 19% tax on it


@pytest.mark.parametrize(
    "data,message",
    [
        ({"code": "AB", "kind": "percent", "value": 5}, "4-16"),
        ({"code": "SALE-10", "kind": "percent", "value": 5}, "4-16"),
        ({"code": "SALE", "kind": "mystery"}, "unknown kind"),
        ({"code": "SALE", "kind": "bogo"}, "needs a sku"),
        ({"code": "SALE", "kind": "percent", "value": "150%"}, "at most 100%"),
    ],
)
def test_invalid_promotions(data, message):
    with pytest.raises(ValidationError, match=message):
        parse_promotion(data)


def test_code_is_normalised():
    promo = parse_promotion({"code": " welcome10 ", "kind": "percent", "value": "10%"})
    assert promo.code == "WELCOME10" and str(promo.value) == "0.1"

from datetime import date

from service.orders.pricing import parse_promotion, price_cart
from tests.helpers.builders import load_promotion_data, load_test_catalog, make_cart


def test_price_a_full_cart(benchmark):
    catalog = load_test_catalog()
    cart = make_cart(catalog, *[(p.sku, 3) for p in catalog if p.active])
    promotions = [parse_promotion(p) for p in load_promotion_data()]
    quote = benchmark(price_cart, cart, "DE", date(2026, 11, 4), promotions)
    assert quote.total.minor > 0 and quote.promotion == "WELCOME10"

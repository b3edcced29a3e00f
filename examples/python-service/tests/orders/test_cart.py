import pytest

from service.common.errors import CurrencyMismatch, NotFound, ValidationError
from service.common.money import Money
from service.inventory.catalog import Product
from service.orders.cart import MAX_LINES, Cart
from tests.helpers.builders import eur, make_cart, make_product


def test_totals(catalog):
    cart = make_cart(catalog, ("MUG-0001", 2), "KNF-0200")
    assert cart.subtotal() == eur("65.30")
    assert cart.item_count() == 3
    assert cart.weight_grams() == 455


def test_adding_again_accumulates(catalog):
    cart = make_cart(catalog, ("MUG-0001", 2), ("MUG-0001", 3))
    assert [(line.product.sku, line.quantity) for line in cart.lines()] == [("MUG-0001", 5)]
    assert cart.lines()[0].line_total == eur("64.50")


def test_quantity_limits(catalog):
    cart = make_cart(catalog, ("MUG-0001", 99))
    with pytest.raises(ValidationError, match="at most 99"):
        cart.add(catalog.get("MUG-0001"))
    with pytest.raises(ValidationError, match="positive"):
        cart.add(catalog.get("KNF-0200"), 0)


def test_inactive_and_foreign_products(catalog):
    cart = Cart("EUR")
    with pytest.raises(ValidationError, match="no longer sold"):
        cart.add(catalog.get("OLD-0900"))
    with pytest.raises(CurrencyMismatch):
        cart.add(Product("USD-0001", "Import", Money(100, "USD"), "misc"))


def test_line_limit():
    cart = Cart("EUR")
    for n in range(MAX_LINES):
        cart.add(make_product(f"TST-{n:04d}"))
    with pytest.raises(ValidationError, match="at most 50 different"):
        cart.add(make_product("TST-9999"))
    cart.add(make_product("TST-0000"))  # an existing line may still grow


def test_set_quantity_and_remove(catalog):
    cart = make_cart(catalog, "MUG-0001", "KNF-0200")
    cart.set_quantity("MUG-0001", 4)
    assert cart.item_count() == 5
    cart.remove("KNF-0200")
    assert [line.product.sku for line in cart.lines()] == ["MUG-0001"]
    with pytest.raises(ValidationError):
        cart.set_quantity("MUG-0001", 100)
    with pytest.raises(NotFound):
        cart.set_quantity("KNF-0200", 1)


def test_lines_are_sorted_and_empty_cart_is_zero(catalog):
    cart = make_cart(catalog, "TNT-1000", "BAG-0500", "MUG-0001")
    assert [line.product.sku for line in cart.lines()] == ["BAG-0500", "MUG-0001", "TNT-1000"]
    empty = Cart("EUR")
    assert empty.is_empty() and empty.subtotal() == eur("0") and empty.item_count() == 0

"""Builders shared by the tests: short ways to make money, products, carts and stocked warehouses."""

import json
import os

from service.inventory.catalog import Catalog, Product, load_catalog_json
from service.inventory.stock import Warehouse
from service.orders.cart import Cart
from tests.helpers.money import eur

__all__ = ["eur", "make_product", "load_test_catalog", "load_promotion_data", "stocked_warehouse", "make_cart"]

CATALOG_FILE = os.path.join(os.path.dirname(__file__), "..", "data", "catalog.json")
PROMOTIONS_FILE = os.path.join(os.path.dirname(__file__), "..", "data", "promotions.json")


def make_product(sku="TST-0001", price="10.00", name=None, category="test", weight_grams=100, active=True):
    return Product(sku, name or f"Product {sku}", eur(price), category, weight_grams, active)


def load_test_catalog() -> Catalog:
    return load_catalog_json(CATALOG_FILE)


def load_promotion_data() -> list:
    with open(PROMOTIONS_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def stocked_warehouse(catalog: Catalog, clock, units: int = 20) -> Warehouse:
    warehouse = Warehouse(clock)
    for product in catalog:
        warehouse.receive(product.sku, units)
    return warehouse


def make_cart(catalog: Catalog, *lines) -> Cart:
    """``make_cart(catalog, ("MUG-0001", 2), "KNF-0200")``."""
    cart = Cart("EUR")
    for line in lines:
        sku, quantity = (line, 1) if isinstance(line, str) else line
        cart.add(catalog.get(sku), quantity)
    return cart

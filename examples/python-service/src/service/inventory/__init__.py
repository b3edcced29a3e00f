"""Inventory: the catalog and the warehouse stock."""

from .catalog import Catalog, Product, load_catalog_json
from .stock import Warehouse

__all__ = ["Catalog", "Product", "Warehouse", "load_catalog_json"]

"""The product catalog."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..common.errors import Conflict, NotFound, ValidationError
from ..common.money import Money
from ..common.validation import validate_sku


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Money
    category: str
    weight_grams: int = 0
    active: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError(f"product {self.sku} has an empty name")
        if self.price.is_negative():
            raise ValidationError(f"product {self.sku} has a negative price")
        if self.weight_grams < 0:
            raise ValidationError(f"product {self.sku} has a negative weight")


class Catalog:
    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._products: dict[str, Product] = {}
        for product in products:
            self.add(product)

    def __len__(self) -> int:
        return len(self._products)

    def __iter__(self) -> Iterator[Product]:
        return iter(sorted(self._products.values(), key=lambda p: p.sku))

    def add(self, product: Product) -> None:
        sku = validate_sku(product.sku)
        if sku in self._products:
            raise Conflict(f"duplicate SKU {sku}")
        self._products[sku] = product

    def get(self, sku: str) -> Product:
        try:
            return self._products[validate_sku(sku)]
        except KeyError:
            raise NotFound(f"no product with SKU {sku}", sku=sku) from None

    def search(self, text: str = "", category: str | None = None, include_inactive: bool = False) -> list[Product]:
        """Case-insensitive match on every word of ``text`` against name and SKU."""
        words = text.lower().split()
        found = []
        for product in self:
            if not include_inactive and not product.active:
                continue
            if category is not None and product.category != category:
                continue
            haystack = f"{product.name} {product.sku}".lower()
            if all(word in haystack for word in words):
                found.append(product)
        return found

    def categories(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for product in self._products.values():
            if product.active:
                counts[product.category] = counts.get(product.category, 0) + 1
        return dict(sorted(counts.items()))


def product_from_dict(data: dict) -> Product:
    try:
        return Product(
            sku=validate_sku(data["sku"]),
            name=str(data["name"]),
            price=Money.parse(data["price"]),
            category=str(data.get("category", "misc")),
            weight_grams=int(data.get("weight_grams", 0)),
            active=bool(data.get("active", True)),
        )
    except KeyError as missing:
        raise ValidationError(f"product is missing {missing.args[0]!r}: {data!r}") from None


def load_catalog_json(path: str | Path) -> Catalog:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["products"] if isinstance(data, dict) else data
    return Catalog(product_from_dict(item) for item in items)

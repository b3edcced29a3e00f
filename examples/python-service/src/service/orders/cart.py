"""A shopping cart: lines of products and quantities in one currency."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.errors import CurrencyMismatch, NotFound, ValidationError
from ..common.money import Money, total
from ..inventory.catalog import Product

MAX_LINE_QUANTITY = 99
MAX_LINES = 50


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> Money:
        return self.product.price * self.quantity


class Cart:
    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._lines: dict[str, CartLine] = {}

    def add(self, product: Product, quantity: int = 1) -> CartLine:
        if quantity <= 0:
            raise ValidationError(f"quantity must be positive, got {quantity}")
        if not product.active:
            raise ValidationError(f"{product.sku} is no longer sold")
        if product.price.currency != self.currency:
            raise CurrencyMismatch(f"{product.sku} is priced in {product.price.currency}, cart is {self.currency}")
        line = self._lines.get(product.sku)
        if line is None:
            if len(self._lines) >= MAX_LINES:
                raise ValidationError(f"a cart holds at most {MAX_LINES} different products")
            line = self._lines[product.sku] = CartLine(product, 0)
        if line.quantity + quantity > MAX_LINE_QUANTITY:
            raise ValidationError(f"at most {MAX_LINE_QUANTITY} of {product.sku} per order")
        line.quantity += quantity
        return line

    def set_quantity(self, sku: str, quantity: int) -> None:
        if sku not in self._lines:
            raise NotFound(f"{sku} is not in the cart")
        if quantity == 0:
            del self._lines[sku]
        elif 0 < quantity <= MAX_LINE_QUANTITY:
            self._lines[sku].quantity = quantity
        else:
            raise ValidationError(f"quantity must be between 0 and {MAX_LINE_QUANTITY}, got {quantity}")

    def remove(self, sku: str) -> None:
        self.set_quantity(sku, 0)

    def lines(self) -> list[CartLine]:
        return [self._lines[sku] for sku in sorted(self._lines)]

    def is_empty(self) -> bool:
        return not self._lines

    def item_count(self) -> int:
        return sum(line.quantity for line in self._lines.values())

    def weight_grams(self) -> int:
        return sum(line.product.weight_grams * line.quantity for line in self._lines.values())

    def subtotal(self) -> Money:
        return total((line.line_total for line in self._lines.values()), self.currency)

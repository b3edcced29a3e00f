"""Promotions, shipping and tax: from a cart to the amount the customer pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..common.errors import ValidationError
from ..common.money import Money
from ..common.validation import parse_percent
from .cart import Cart

TAX_RATES = {
    "DE": Decimal("0.19"),
    "FR": Decimal("0.20"),
    "NL": Decimal("0.21"),
    "CH": Decimal("0.081"),
    "GB": Decimal("0.20"),
    "US-CA": Decimal("0.0725"),
    "US-OR": Decimal("0"),
}

FREE_SHIPPING_FROM_MINOR = 5_000
SHIPPING_BANDS = [(1_000, 490), (5_000, 690), (20_000, 1_290)]  # (up to grams, price in minor units)
BULKY_SHIPPING_MINOR = 2_990


@dataclass(frozen=True)
class Promotion:
    code: str
    kind: str  # "percent", "fixed" or "bogo"
    value: Decimal = Decimal(0)  # fraction for percent, minor units for fixed
    minimum_minor: int = 0
    sku: str | None = None  # bogo: buy one of this SKU, get the second free
    valid_until: date | None = None

    def applies(self, cart: Cart, today: date) -> bool:
        if self.valid_until is not None and today > self.valid_until:
            return False
        return cart.subtotal().minor >= self.minimum_minor

    def discount(self, cart: Cart) -> Money:
        subtotal = cart.subtotal()
        if self.kind == "percent":
            return subtotal * self.value
        if self.kind == "fixed":
            return Money(min(int(self.value), subtotal.minor), subtotal.currency)
        if self.kind == "bogo":
            for line in cart.lines():
                if line.product.sku == self.sku:
                    return line.product.price * (line.quantity // 2)
            return Money.zero(subtotal.currency)
        raise ValidationError(f"unknown promotion kind {self.kind!r}")


def parse_promotion(data: dict) -> Promotion:
    """Build a promotion from its JSON form (``{"code", "kind", "value", ...}``)."""
    code = str(data.get("code", "")).strip().upper()
    if not code.isalnum() or not 4 <= len(code) <= 16:
        raise ValidationError(f"promotion code must be 4-16 letters or digits, got {data.get('code')!r}")
    kind = data.get("kind")
    if kind == "percent":
        value = parse_percent(data["value"], f"{code}.value")
    elif kind == "fixed":
        value = Decimal(int(data["value"]))
    elif kind == "bogo":
        value = Decimal(0)
        if not data.get("sku"):
            raise ValidationError(f"{code}: a bogo promotion needs a sku")
    else:
        raise ValidationError(f"{code}: unknown kind {kind!r}")
    until = data.get("valid_until")
    return Promotion(
        code=code,
        kind=kind,
        value=value,
        minimum_minor=int(data.get("minimum", 0)),
        sku=data.get("sku"),
        valid_until=date.fromisoformat(until) if until else None,
    )


def tax_rate(region: str) -> Decimal:
    try:
        return TAX_RATES[region]
    except KeyError:
        raise ValidationError(f"no tax rate for region {region!r}", region=region) from None


def shipping_cost(cart: Cart, discounted_subtotal: Money) -> Money:
    if cart.is_empty() or discounted_subtotal.minor >= FREE_SHIPPING_FROM_MINOR:
        return Money.zero(cart.currency)
    grams = cart.weight_grams()
    for limit, price in SHIPPING_BANDS:
        if grams <= limit:
            return Money(price, cart.currency)
    return Money(BULKY_SHIPPING_MINOR, cart.currency)


@dataclass(frozen=True)
class Quote:
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    total: Money
    promotion: str | None

    @property
    def net(self) -> Money:
        """What the shop earns before tax."""
        return self.total - self.tax


def price_cart(cart: Cart, region: str, today: date, promotions: list[Promotion] = ()) -> Quote:
    """Apply the single best promotion, then shipping, then tax on goods and shipping."""
    if cart.is_empty():
        raise ValidationError("cannot price an empty cart")
    subtotal = cart.subtotal()
    best, best_discount = None, Money.zero(cart.currency)
    for promotion in promotions:
        if promotion.applies(cart, today):
            candidate = promotion.discount(cart)
            if candidate > best_discount:
                best, best_discount = promotion, candidate
    discounted = subtotal - best_discount
    shipping = shipping_cost(cart, discounted)
    tax = (discounted + shipping) * tax_rate(region)
    return Quote(
        subtotal=subtotal,
        discount=best_discount,
        shipping=shipping,
        tax=tax,
        total=discounted + shipping + tax,
        promotion=best.code if best else None,
    )

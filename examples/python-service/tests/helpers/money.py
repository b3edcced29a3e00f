"""Money shorthands for tests that need nothing else from the helpers."""

from service.common.money import Money


def eur(text) -> Money:
    """``eur("12.50")`` -> 12.50 EUR."""
    return Money.from_decimal(str(text), "EUR")

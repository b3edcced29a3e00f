"""Exchange rates against one base currency, and conversion through cross rates."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Iterable

from ..common.errors import NotFound, ValidationError
from ..common.money import Money, minor_units
from ..common.timeutil import parse_iso_date
from ..common.validation import parse_decimal, validate_currency

DEFAULT_RATES_FILE = Path(__file__).parent / "data" / "default_rates.csv"


@dataclass(frozen=True)
class Rate:
    currency: str
    per_base: Decimal  # units of ``currency`` for one unit of the base currency
    as_of: date


class RateTable:
    """Rates quoted against ``base``; any pair converts through it."""

    def __init__(self, base: str, rates: Iterable[Rate]) -> None:
        self.base = validate_currency(base)
        self._rates = {self.base: Rate(self.base, Decimal(1), date.min)}
        for rate in rates:
            if rate.per_base <= 0:
                raise ValidationError(f"rate for {rate.currency} must be positive, got {rate.per_base}")
            if rate.currency == self.base and rate.per_base != 1:
                raise ValidationError(f"the base currency {self.base} must have rate 1")
            self._rates[rate.currency] = rate

    def currencies(self) -> list[str]:
        return sorted(self._rates)

    def rate(self, source: str, target: str) -> Decimal:
        """Units of ``target`` for one unit of ``source``."""
        try:
            from_rate = self._rates[source].per_base
            to_rate = self._rates[target].per_base
        except KeyError as missing:
            raise NotFound(f"no exchange rate for {missing.args[0]}") from None
        return to_rate / from_rate

    def convert(self, amount: Money, target: str) -> Money:
        if amount.currency == target:
            return amount
        value = amount.amount * self.rate(amount.currency, target)
        quantum = Decimal(1).scaleb(-minor_units(target))
        rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN)
        return Money.from_decimal(rounded, target)

    def stale_currencies(self, today: date, max_age_days: int) -> list[str]:
        """Currencies whose quote is older than ``max_age_days`` (the base never goes stale)."""
        return sorted(
            code
            for code, rate in self._rates.items()
            if code != self.base and (today - rate.as_of).days > max_age_days
        )


def parse_rates(rows: Iterable[dict], source: str) -> list[Rate]:
    rates = []
    for number, row in enumerate(rows, start=2):
        try:
            currency = validate_currency(row["currency"])
            per_base = parse_decimal(row["rate"], f"{source}:{number}:rate", minimum=Decimal(0))
            as_of = parse_iso_date(row["as_of"])
        except KeyError as missing:
            raise ValidationError(f"{source}:{number}: missing column {missing.args[0]}") from None
        rates.append(Rate(currency, per_base, as_of))
    return rates


def load_rates_csv(path: str | Path, base: str = "EUR") -> RateTable:
    with open(path, newline="", encoding="utf-8") as handle:
        return RateTable(base, parse_rates(csv.DictReader(handle), str(path)))


def default_rates() -> RateTable:
    return load_rates_csv(DEFAULT_RATES_FILE)

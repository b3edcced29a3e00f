"""Money as an integer number of minor units in one ISO 4217 currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Iterable, Sequence

from .errors import CurrencyMismatch, ValidationError

MINOR_UNITS = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "JPY": 0, "KWD": 3}


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise ValidationError(f"unsupported currency {currency!r}", currency=currency) from None


@dataclass(frozen=True)
class Money:
    """An exact amount; arithmetic across currencies is refused."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise ValidationError(f"minor units must be an int, got {self.minor!r}")
        minor_units(self.currency)

    # construction -------------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, amount, currency: str, rounding: str = ROUND_HALF_EVEN) -> "Money":
        """Round a decimal amount to the currency's minor unit."""
        places = minor_units(currency)
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise ValidationError(f"not a number: {amount!r}") from None
        scaled = (value * (Decimal(10) ** places)).quantize(Decimal(1), rounding=rounding)
        return cls(int(scaled), currency)

    @classmethod
    def parse(cls, text: str) -> "Money":
        """Parse ``"12.50 EUR"`` or ``"EUR 12.50"``."""
        parts = text.strip().split()
        if len(parts) != 2:
            raise ValidationError(f"expected '<amount> <currency>', got {text!r}")
        first, second = parts
        if first.isalpha() and len(first) == 3:
            currency, amount = first.upper(), second
        else:
            amount, currency = first, second.upper()
        places = minor_units(currency)
        if "." in amount and len(amount.split(".", 1)[1]) > places:
            raise ValidationError(f"{text!r} has more than {places} decimal places for {currency}")
        return cls.from_decimal(amount, currency)

    # views --------------------------------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_units(self.currency))

    def is_zero(self) -> bool:
        return self.minor == 0

    def is_negative(self) -> bool:
        return self.minor < 0

    def format(self) -> str:
        places = minor_units(self.currency)
        sign = "-" if self.minor < 0 else ""
        whole, frac = divmod(abs(self.minor), 10**places)
        body = f"{whole:,}" + (f".{frac:0{places}d}" if places else "")
        return f"{sign}{body} {self.currency}"

    def __str__(self) -> str:
        return self.format()

    # arithmetic ---------------------------------------------------------------------------------
    def _check(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}",
                left=self.currency,
                right=other.currency,
            )
        return other

    def __add__(self, other: "Money") -> "Money":
        return Money(self.minor + self._check(other).minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.minor - self._check(other).minor, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.minor, self.currency)

    def __abs__(self) -> "Money":
        return Money(abs(self.minor), self.currency)

    def __mul__(self, factor) -> "Money":
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        if isinstance(factor, int) and not isinstance(factor, bool):
            return Money(self.minor * factor, self.currency)
        scaled = (Decimal(self.minor) * Decimal(str(factor))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return Money(int(scaled), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: "Money") -> bool:
        return self.minor < self._check(other).minor

    def __le__(self, other: "Money") -> bool:
        return self.minor <= self._check(other).minor

    def __gt__(self, other: "Money") -> bool:
        return self.minor > self._check(other).minor

    def __ge__(self, other: "Money") -> bool:
        return self.minor >= self._check(other).minor

    # distribution -------------------------------------------------------------------------------
    def allocate(self, ratios: Sequence[int]) -> list["Money"]:
        """Split by integer ratios; leftover minor units go to the largest remainders first."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValidationError(f"ratios must be non-negative and not all zero, got {list(ratios)}")
        total = sum(ratios)
        sign = -1 if self.minor < 0 else 1
        units = abs(self.minor)
        shares = [units * r // total for r in ratios]
        remainders = [units * r % total for r in ratios]
        leftover = units - sum(shares)
        order = sorted(range(len(ratios)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    def split(self, parts: int) -> list["Money"]:
        if parts < 1:
            raise ValidationError(f"cannot split into {parts} parts")
        return self.allocate([1] * parts)


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum amounts of one currency; an empty sum is zero in ``currency``."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result

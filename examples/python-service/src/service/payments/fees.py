"""Payment processing fees: per-method rules with volume tiers, minimums and caps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from ..common.errors import NotFound, ValidationError
from ..common.money import Money

METHODS = ("card", "sepa", "wallet")


@dataclass(frozen=True)
class FeeRule:
    """A fee of ``basis_points`` of the amount plus ``fixed_minor``, kept within [minimum, cap]."""

    basis_points: int
    fixed_minor: int = 0
    minimum_minor: int = 0
    cap_minor: int | None = None

    def apply(self, amount: Money) -> Money:
        variable = (Decimal(amount.minor) * self.basis_points / Decimal(10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        fee = int(variable) + self.fixed_minor
        fee = max(fee, self.minimum_minor)
        if self.cap_minor is not None:
            fee = min(fee, self.cap_minor)
        return Money(fee, amount.currency)


@dataclass(frozen=True)
class Tier:
    up_to_minor: int | None  # None: no upper bound
    rule: FeeRule


class FeeSchedule:
    """Tiers per method, ordered by upper bound; international payments pay a surcharge."""

    def __init__(self, name: str, tiers: Mapping[str, list[Tier]], international_bps: int = 0) -> None:
        self.name = name
        self.international_bps = international_bps
        self._tiers = {}
        for method, method_tiers in tiers.items():
            if method not in METHODS:
                raise ValidationError(f"unknown payment method {method!r} in schedule {name!r}")
            ordered = sorted(method_tiers, key=lambda t: float("inf") if t.up_to_minor is None else t.up_to_minor)
            if not ordered or ordered[-1].up_to_minor is not None:
                raise ValidationError(f"schedule {name!r}: the last {method} tier must be unbounded")
            self._tiers[method] = ordered

    def methods(self) -> list[str]:
        return sorted(self._tiers)

    def rule_for(self, amount: Money, method: str) -> FeeRule:
        tiers = self._tiers.get(method)
        if tiers is None:
            raise NotFound(f"schedule {self.name!r} does not accept {method!r}")
        for tier in tiers:
            if tier.up_to_minor is None or amount.minor <= tier.up_to_minor:
                return tier.rule
        raise AssertionError("unreachable: the last tier is unbounded")

    def fee(self, amount: Money, method: str, international: bool = False) -> Money:
        if amount.is_negative():
            raise ValidationError("fees are computed on non-negative amounts")
        fee = self.rule_for(amount, method).apply(amount)
        if international and self.international_bps:
            surcharge = FeeRule(self.international_bps).apply(amount)
            fee = fee + surcharge
        return fee


def _rule(data: Mapping) -> FeeRule:
    return FeeRule(
        basis_points=int(data["bps"]),
        fixed_minor=int(data.get("fixed", 0)),
        minimum_minor=int(data.get("min", 0)),
        cap_minor=None if data.get("cap") is None else int(data["cap"]),
    )


def schedule_from_dict(name: str, data: Mapping) -> FeeSchedule:
    """Build a schedule from the JSON shape ``{"international_bps": n, "methods": {m: [tier, ...]}}``."""
    try:
        methods = data["methods"]
        tiers = {
            method: [Tier(None if t.get("up_to") is None else int(t["up_to"]), _rule(t)) for t in items]
            for method, items in methods.items()
        }
    except (KeyError, TypeError, ValueError) as problem:
        raise ValidationError(f"fee schedule {name!r} is malformed: {problem}") from None
    return FeeSchedule(name, tiers, international_bps=int(data.get("international_bps", 0)))


STANDARD = FeeSchedule(
    "standard",
    {
        "card": [Tier(10_000, FeeRule(290, 30)), Tier(None, FeeRule(250, 30))],
        "sepa": [Tier(None, FeeRule(35, 0, minimum_minor=20, cap_minor=500))],
        "wallet": [Tier(None, FeeRule(340, 35))],
    },
    international_bps=150,
)


def compute_fee(amount: Money, method: str, international: bool = False, schedule: FeeSchedule = STANDARD) -> Money:
    """Fee of one payment under ``schedule`` (the standard schedule unless given)."""
    return schedule.fee(amount, method, international)

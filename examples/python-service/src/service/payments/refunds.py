"""Refund policy: a window in business days, cumulative limits and a restocking fee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..common.errors import ValidationError
from ..common.money import Money
from ..common.timeutil import add_business_days


@dataclass(frozen=True)
class Payment:
    order_id: str
    amount: Money
    paid_on: date
    refunded: Money | None = None

    @property
    def refundable(self) -> Money:
        already = self.refunded if self.refunded is not None else Money.zero(self.amount.currency)
        return self.amount - already


@dataclass(frozen=True)
class RefundDecision:
    approved: bool
    amount: Money
    restocking_fee: Money
    reason: str


@dataclass(frozen=True)
class RefundPolicy:
    window_business_days: int = 20
    restocking_percent: Decimal = Decimal("0.10")
    # Damaged or wrong goods are the shop's fault: no restocking fee.
    fee_free_reasons: frozenset = frozenset({"damaged", "wrong_item"})

    def deadline(self, paid_on: date) -> date:
        return add_business_days(paid_on, self.window_business_days)

    def evaluate(self, payment: Payment, requested: Money, reason: str, today: date) -> RefundDecision:
        zero = Money.zero(payment.amount.currency)
        if requested.currency != payment.amount.currency:
            raise ValidationError(
                f"refund currency {requested.currency} differs from payment currency {payment.amount.currency}"
            )
        if requested.is_negative() or requested.is_zero():
            raise ValidationError(f"refund amount must be positive, got {requested}")
        if today > self.deadline(payment.paid_on):
            return RefundDecision(False, zero, zero, f"refund window closed on {self.deadline(payment.paid_on)}")
        if requested > payment.refundable:
            return RefundDecision(False, zero, zero, f"only {payment.refundable} is left to refund")
        fee = zero
        if reason not in self.fee_free_reasons:
            fee_minor = (Decimal(requested.minor) * self.restocking_percent).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
            fee = Money(int(fee_minor), requested.currency)
        return RefundDecision(True, requested - fee, fee, "approved")

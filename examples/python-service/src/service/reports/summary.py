"""Sales summary: totals from the ledger, order statistics, best sellers."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Sequence

from ..common.errors import ValidationError
from ..common.money import Money
from ..payments.ledger import net_income

if TYPE_CHECKING:
    from ..orders.checkout import Order
    from ..payments.ledger import Ledger


def percentile(values: Sequence[int], fraction: float) -> int:
    """Nearest-rank percentile of integer values."""
    if not values:
        raise ValidationError("percentile of an empty sequence")
    if not 0 < fraction <= 1:
        raise ValidationError(f"fraction must be in (0, 1], got {fraction}")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def best_sellers(orders: Sequence["Order"], limit: int = 3) -> list[tuple[str, int]]:
    units: Counter = Counter()
    for order in orders:
        for sku, quantity in order.lines:
            units[sku] += quantity
    return sorted(units.items(), key=lambda item: (-item[1], item[0]))[:limit]


def sales_summary(ledger: "Ledger", orders: Sequence["Order"], currency: str) -> dict:
    totals = [o.quote.total.minor for o in orders if o.quote.total.currency == currency]
    revenue = ledger.balance("revenue", currency)
    fees = ledger.balance("fees", currency)
    refunds = ledger.balance("refunds", currency)
    summary = {
        "currency": currency,
        "orders": len(totals),
        "revenue": revenue,
        "fees": fees,
        "refunds": refunds,
        "net_income": net_income(ledger, currency),
        "fee_ratio": None if revenue.is_zero() else round(fees.minor / revenue.minor, 4),
        "best_sellers": best_sellers(orders),
    }
    if totals:
        summary["average_order"] = Money(round(sum(totals) / len(totals)), currency)
        summary["median_order"] = Money(percentile(totals, 0.5), currency)
        summary["p90_order"] = Money(percentile(totals, 0.9), currency)
    return summary

"""Demand forecasting and reorder arithmetic for the buyers."""

from __future__ import annotations

import math
from statistics import NormalDist, pstdev
from typing import Sequence

from ..common.errors import ValidationError


def moving_average(history: Sequence[float], window: int) -> float:
    if window < 1:
        raise ValidationError(f"window must be >= 1, got {window}")
    if len(history) < window:
        raise ValidationError(f"need {window} observations, got {len(history)}")
    return sum(history[-window:]) / window


def exponential_smoothing(history: Sequence[float], alpha: float) -> float:
    """Simple exponential smoothing; the first observation seeds the level."""
    if not 0 < alpha <= 1:
        raise ValidationError(f"alpha must be in (0, 1], got {alpha}")
    if not history:
        raise ValidationError("history is empty")
    level = history[0]
    for value in history[1:]:
        level = alpha * value + (1 - alpha) * level
    return level


def holt_forecast(history: Sequence[float], alpha: float, beta: float, horizon: int) -> list[float]:
    """Holt's linear trend method: ``horizon`` future values, never below zero."""
    if len(history) < 2:
        raise ValidationError("Holt's method needs at least two observations")
    if not (0 < alpha <= 1 and 0 < beta <= 1):
        raise ValidationError("alpha and beta must be in (0, 1]")
    level, trend = history[0], history[1] - history[0]
    for value in history[1:]:
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return [max(0.0, level + step * trend) for step in range(1, horizon + 1)]


def safety_stock(daily_demand: Sequence[float], lead_time_days: float, service_level: float) -> int:
    """Units to hold against demand variation over the lead time, at the given service level."""
    if not 0.5 <= service_level < 1:
        raise ValidationError(f"service level must be in [0.5, 1), got {service_level}")
    if lead_time_days <= 0:
        raise ValidationError("lead time must be positive")
    z = NormalDist().inv_cdf(service_level)
    return math.ceil(z * pstdev(daily_demand) * math.sqrt(lead_time_days))


def reorder_point(daily_demand: Sequence[float], lead_time_days: float, service_level: float = 0.95) -> int:
    mean = sum(daily_demand) / len(daily_demand)
    return math.ceil(mean * lead_time_days) + safety_stock(daily_demand, lead_time_days, service_level)


def economic_order_quantity(annual_demand: float, order_cost: float, holding_cost: float) -> int:
    """Wilson's EOQ, rounded up to whole units."""
    if annual_demand < 0 or order_cost <= 0 or holding_cost <= 0:
        raise ValidationError("demand must be >= 0 and costs > 0")
    return math.ceil(math.sqrt(2 * annual_demand * order_cost / holding_cost))


def simulate_stock(
    demand: Sequence[int], start: int, reorder_at: int, order_quantity: int, lead_time_days: int
) -> dict[str, int]:
    """Replay daily demand against a reorder policy; counts stock-out days and orders placed."""
    on_hand, stockout_days, orders = start, 0, 0
    arrivals: dict[int, int] = {}
    pipeline = 0
    for day, wanted in enumerate(demand):
        arriving = arrivals.pop(day, 0)
        on_hand += arriving
        pipeline -= arriving
        if wanted > on_hand:
            stockout_days += 1
            on_hand = 0
        else:
            on_hand -= wanted
        if on_hand + pipeline <= reorder_at:
            arrivals[day + lead_time_days] = arrivals.get(day + lead_time_days, 0) + order_quantity
            pipeline += order_quantity
            orders += 1
    return {"on_hand": on_hand, "stockout_days": stockout_days, "orders": orders}

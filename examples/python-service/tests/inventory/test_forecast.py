import pytest

from service.common.errors import ValidationError
from service.inventory import forecast


def test_moving_average():
    assert forecast.moving_average([1, 2, 3, 4], 2) == 3.5
    assert forecast.moving_average([5], 1) == 5
    with pytest.raises(ValidationError):
        forecast.moving_average([1, 2], 3)
    with pytest.raises(ValidationError):
        forecast.moving_average([1, 2], 0)


def test_exponential_smoothing():
    assert forecast.exponential_smoothing([10, 20], 0.5) == 15
    assert forecast.exponential_smoothing([10, 20, 30], 0.5) == 22.5
    assert forecast.exponential_smoothing([10, 20, 30], 1) == 30
    for alpha in (0, 1.5):
        with pytest.raises(ValidationError):
            forecast.exponential_smoothing([1], alpha)
    with pytest.raises(ValidationError):
        forecast.exponential_smoothing([], 0.5)


def test_holt_follows_a_linear_trend():
    assert forecast.holt_forecast([1, 2, 3, 4, 5], 0.5, 0.5, 3) == [6, 7, 8]


def test_holt_never_forecasts_negative_demand():
    assert forecast.holt_forecast([9, 6, 3, 0], 0.9, 0.9, 4)[-1] == 0


def test_holt_needs_two_points():
    with pytest.raises(ValidationError):
        forecast.holt_forecast([1], 0.5, 0.5, 1)


def test_safety_stock_and_reorder_point():
    assert forecast.safety_stock([10, 10, 10], 4, 0.95) == 0
    assert forecast.safety_stock([8, 12], 4, 0.95) == 7  # 1.645 * 2 * sqrt(4) = 6.58
    assert forecast.reorder_point([8, 12], 4, 0.95) == 47
    with pytest.raises(ValidationError):
        forecast.safety_stock([1, 2], 4, 1.0)
    with pytest.raises(ValidationError):
        forecast.safety_stock([1, 2], 0, 0.9)


def test_economic_order_quantity():
    assert forecast.economic_order_quantity(1200, 50, 2) == 245
    assert forecast.economic_order_quantity(0, 50, 2) == 0
    with pytest.raises(ValidationError):
        forecast.economic_order_quantity(100, 0, 1)


def test_simulation_by_hand():
    assert forecast.simulate_stock([5, 5, 5, 5], start=12, reorder_at=5, order_quantity=10, lead_time_days=2) == {
        "on_hand": 5,
        "stockout_days": 1,
        "orders": 2,
    }


def test_history_file_shows_weekly_pattern(demand_history):
    assert len(demand_history) == 365 and min(demand_history) >= 0
    # 2025-11-01 was a Saturday: index 0, 7, 14, ... are Saturdays, 2, 9, ... Mondays.
    saturdays = demand_history[0::7]
    mondays = demand_history[2::7]
    assert sum(saturdays) / len(saturdays) > sum(mondays) / len(mondays) + 3


def test_history_trend_is_upward(demand_history):
    first, last = demand_history[:90], demand_history[-90:]
    assert sum(last) > sum(first)
    ahead = forecast.holt_forecast(demand_history, alpha=0.2, beta=0.05, horizon=30)
    assert len(ahead) == 30 and all(value > 0 for value in ahead)

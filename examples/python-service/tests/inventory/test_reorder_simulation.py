"""Replays a year of demand against many reorder policies (slow: a few thousand simulations)."""

import pytest

from service.inventory import forecast

LEAD_TIME = 3
YEARS = 4
QUANTITIES = range(20, 220, 5)
REORDER_POINTS = range(0, 90)


@pytest.fixture(scope="module")
def policy_grid(demand_history):
    results = {}
    demand = demand_history * YEARS
    for reorder_at in REORDER_POINTS:
        for quantity in QUANTITIES:
            results[(reorder_at, quantity)] = forecast.simulate_stock(
                demand, start=60, reorder_at=reorder_at, order_quantity=quantity, lead_time_days=LEAD_TIME
            )
    return results


@pytest.mark.slow
def test_reordering_at_zero_always_runs_out(policy_grid):
    assert all(policy_grid[(0, q)]["stockout_days"] > 0 for q in QUANTITIES)


@pytest.mark.slow
def test_higher_reorder_points_never_stock_out_more(policy_grid):
    for quantity in QUANTITIES:
        outs = [policy_grid[(r, quantity)]["stockout_days"] for r in REORDER_POINTS]
        assert outs[-1] <= outs[0], f"quantity {quantity}: {outs}"


@pytest.mark.slow
def test_bigger_orders_mean_fewer_orders(policy_grid):
    for reorder_at in range(0, 90, 10):
        orders = [policy_grid[(reorder_at, q)]["orders"] for q in QUANTITIES]
        assert orders == sorted(orders, reverse=True), f"reorder at {reorder_at}: {orders}"


@pytest.mark.slow
def test_computed_policy_keeps_service_high(demand_history):
    recent = demand_history[-90:]
    point = forecast.reorder_point(recent, LEAD_TIME, service_level=0.99)
    quantity = forecast.economic_order_quantity(sum(recent) * 365 / 90, order_cost=40, holding_cost=1.5)
    result = forecast.simulate_stock(demand_history[-90:] * 4, 60, point, quantity, LEAD_TIME)
    assert result["stockout_days"] <= 2
    naive = forecast.simulate_stock(demand_history[-90:] * 4, 60, point // 3, quantity, LEAD_TIME)
    assert naive["stockout_days"] > result["stockout_days"]

import pytest

from service.common.errors import ValidationError
from service.common.money import Money
from service.payments.ledger import standard_ledger
from service.reports.summary import best_sellers, percentile, sales_summary


def test_percentile_nearest_rank():
    values = [15, 20, 35, 40, 50]
    assert percentile(values, 0.05) == 15
    assert percentile(values, 0.3) == 20
    assert percentile(values, 0.4) == 20
    assert percentile(values, 0.5) == 35
    assert percentile(values, 1.0) == 50
    assert percentile([7], 0.9) == 7


def test_percentile_errors():
    with pytest.raises(ValidationError):
        percentile([], 0.5)
    with pytest.raises(ValidationError):
        percentile([1], 0)


def test_summary_of_a_trading_day(trading_day):
    ledger, orders = trading_day
    summary = sales_summary(ledger, orders, "EUR")
    assert summary["orders"] == 4
    # nets: 30.70, 427.00, 44.40, 47.79
    assert summary["revenue"] == Money(54989, "EUR")
    assert summary["median_order"] == Money(5284, "EUR")  # 44.40 * 1.19
    assert summary["p90_order"] == Money(50813, "EUR")
    assert summary["net_income"] == summary["revenue"] - summary["fees"]
    # ties on units are broken by SKU: KNF before LMP and TNT
    assert best_sellers(orders) == [("MUG-0001", 3), ("MAT-0600", 2), ("KNF-0200", 1)]
    assert best_sellers(orders, limit=5)[3:] == [("LMP-0300", 1), ("TNT-1000", 1)]


def test_other_currency_sees_nothing(trading_day):
    ledger, orders = trading_day
    summary = sales_summary(ledger, orders, "USD")
    assert summary["orders"] == 0 and summary["fee_ratio"] is None and "average_order" not in summary


def test_empty_ledger():
    summary = sales_summary(standard_ledger(), [], "EUR")
    assert summary["revenue"].is_zero() and summary["best_sellers"] == []

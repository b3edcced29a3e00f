import csv
from pathlib import Path

from service.inventory.forecast import holt_forecast, simulate_stock

DEMAND = Path(__file__).parent.parent / "data" / "demand.csv"


def load_demand():
    with open(DEMAND, newline="", encoding="utf-8") as handle:
        return [int(row["units"]) for row in csv.DictReader(handle)]


def test_holt_on_a_year(benchmark):
    history = load_demand()
    ahead = benchmark(holt_forecast, history, 0.2, 0.05, 90)
    assert len(ahead) == 90


def test_simulate_a_year(benchmark):
    history = load_demand()
    result = benchmark(simulate_stock, history, 60, 40, 120, 3)
    assert result["orders"] > 0

import csv
from pathlib import Path

import pytest

from tests.helpers.builders import load_test_catalog, stocked_warehouse

DEMAND_FILE = Path(__file__).parent.parent / "data" / "demand.csv"


@pytest.fixture
def catalog():
    return load_test_catalog()


@pytest.fixture
def warehouse(catalog, clock):
    return stocked_warehouse(catalog, clock, units=10)


@pytest.fixture(scope="session")
def demand_history():
    with open(DEMAND_FILE, newline="", encoding="utf-8") as handle:
        return [int(row["units"]) for row in csv.DictReader(handle)]

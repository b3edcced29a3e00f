import json
from pathlib import Path

import pytest

from service.payments.fees import schedule_from_dict
from service.payments.ledger import standard_ledger
from service.payments.rates import load_rates_csv

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def ledger():
    return standard_ledger()


@pytest.fixture(scope="module")
def rate_table():
    return load_rates_csv(DATA / "rates.csv")


@pytest.fixture(scope="module")
def schedule_data():
    return json.loads((DATA / "fee_schedules.json").read_text(encoding="utf-8"))


@pytest.fixture
def marketplace(schedule_data):
    return schedule_from_dict("marketplace", schedule_data["marketplace"])

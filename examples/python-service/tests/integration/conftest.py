import json
from pathlib import Path

import pytest

from service.api.app import Application, build_state
from service.config import load_settings
from tests.helpers.builders import load_test_catalog


@pytest.fixture(scope="module")
def baskets():
    path = Path(__file__).parent.parent / "data" / "orders.json"
    return json.loads(path.read_text(encoding="utf-8"))["baskets"]


@pytest.fixture
def shop(clock, today):
    settings = load_settings(env={"SERVICE_TAX_REGION": "DE", "SERVICE_RESERVATION_TTL_MINUTES": "30"})
    state = build_state(load_test_catalog(), settings, clock=clock, today=today)
    for product in state.catalog:
        state.warehouse.receive(product.sku, 10_000)
    return Application(state)

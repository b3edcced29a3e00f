import json

import pytest

from service.api.app import Application, build_state
from service.config import Settings
from tests.helpers.builders import load_test_catalog


class Client:
    """Calls the application in-process and decodes the JSON answer."""

    def __init__(self, app: Application) -> None:
        self.app = app

    def get(self, path, query=""):
        status, body = self.app.handle("GET", path, query)
        return status, json.loads(body)

    def post(self, path, document):
        status, body = self.app.handle("POST", path, body=json.dumps(document).encode())
        return status, json.loads(body)


@pytest.fixture
def app(clock, today):
    state = build_state(load_test_catalog(), Settings(), clock=clock, today=today)
    for product in state.catalog:
        state.warehouse.receive(product.sku, 5)
    return Application(state)


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def placed_order(client):
    status, body = client.post("/orders", {"lines": [{"sku": "TNT-1000"}], "payment": {"method": "sepa"}})
    assert status == 201
    return body["order"]

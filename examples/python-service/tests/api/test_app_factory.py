import io
import json
import os

from service.api import create_app
from service.config import load_settings

CATALOG = os.path.join(os.path.dirname(__file__), "..", "data", "catalog.json")


def test_factory_loads_the_catalog_named_in_the_environment():
    app = create_app(load_settings(env={"SERVICE_CATALOG_PATH": CATALOG, "SERVICE_CURRENCY": "EUR"}))
    status, body = app.handle("GET", "/health")
    assert status == 200 and json.loads(body)["products"] == 12
    assert app.state.checkout.home_country == "DE"


def test_factory_without_catalog_starts_empty():
    app = create_app(load_settings(env={"SERVICE_TAX_REGION": "us-ca"}))
    assert json.loads(app.handle("GET", "/health")[1])["products"] == 0
    assert app.state.region == "US-CA" and app.state.checkout.home_country == "US"


def test_wsgi_call_reads_the_body_and_sets_headers():
    app = create_app(load_settings(env={"SERVICE_CATALOG_PATH": CATALOG}))
    body = json.dumps({"lines": [{"sku": "MUG-0001"}]}).encode()
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/quotes",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    payload = b"".join(app(environ, start_response))
    assert seen["status"] == "200 OK"
    assert seen["headers"]["Content-Length"] == str(len(payload))
    assert json.loads(payload)["quote"]["total"]["amount"] == "21.18"


def test_method_not_allowed_over_wsgi():
    app = create_app(load_settings(env={}))
    seen = {}
    environ = {"REQUEST_METHOD": "DELETE", "PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
    app(environ, lambda status, headers: seen.setdefault("status", status))
    assert seen["status"] == "405 Method Not Allowed"

"""The application behind a real WSGI server on a loopback socket."""

import json
import threading
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def call(url, method="GET", document=None):
    data = None if document is None else json.dumps(document).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


@pytest.mark.integration
def test_health_over_http(server):
    status, headers, body = call(server + "/health")
    assert status == 200 and body["status"] == "ok"
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(json.dumps(body, separators=(",", ":")))


@pytest.mark.integration
def test_errors_over_http(server):
    status, _, body = call(server + "/products/NOP-0000")
    assert status == 404 and body["error"] == "not_found"
    status, _, body = call(server + "/orders", "POST", None)
    assert status == 400 and "empty" in body["message"]


@pytest.mark.slow
@pytest.mark.integration
def test_sequential_orders_until_stock_runs_out(server):
    """Buy head lamps one at a time over HTTP; the sixth must be refused and stock must end at zero."""
    results = []
    for _ in range(6):
        status, _, _ = call(server + "/orders", "POST", {"lines": [{"sku": "LMP-0300"}], "payment": {"method": "sepa"}})
        results.append(status)
    assert results == [201] * 5 + [409]
    for _ in range(300):  # a read-heavy phase, the way the storefront is actually used
        status, _, body = call(server + "/products/LMP-0300")
        assert status == 200 and body["available"] == 0
    report = call(server + "/reports/sales")[2]["report"]
    assert report["orders"] == 5 and report["best_sellers"] == [["LMP-0300", 5]]

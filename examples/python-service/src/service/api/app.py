"""The WSGI application: routing, JSON bodies and error mapping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable
from urllib.parse import parse_qs

from ..common.errors import ServiceError
from ..common.timeutil import SystemClock
from ..config import Settings, load_settings
from ..inventory import Catalog, Warehouse, load_catalog_json
from ..orders.checkout import CheckoutService
from ..payments import standard_ledger
from .handlers import ROUTES, AppState
from .routing import Router
from .serializers import dumps, loads

_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 402: "Payment Required", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Entity", 500: "Internal Server Error"}


def build_state(catalog: Catalog, settings: Settings, clock=None, today: date | None = None) -> AppState:
    warehouse = Warehouse(clock or SystemClock(), timedelta(minutes=settings.reservation_ttl_minutes))
    ledger = standard_ledger()
    return AppState(
        catalog=catalog,
        warehouse=warehouse,
        ledger=ledger,
        checkout=CheckoutService(warehouse, ledger, home_country=settings.tax_region.split("-")[0]),
        currency=settings.currency,
        region=settings.tax_region,
        today=today or date.today(),
    )


class Application:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.router = Router()
        for method, pattern, handler in ROUTES:
            self.router.add(method, pattern, handler)

    def handle(self, method: str, path: str, query: str = "", body: bytes = b"") -> tuple[int, bytes]:
        """Dispatch one request; service errors become JSON error bodies with their status."""
        try:
            handler, params = self.router.resolve(method, path)
            request = {"query": {k: v[-1] for k, v in parse_qs(query).items()}}
            if method.upper() in ("POST", "PUT"):
                request["body"] = loads(body)
            status, payload = handler(self.state, request, **params)
        except ServiceError as error:
            return error.status, dumps(error.to_dict())
        return status, dumps(payload)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = self.handle(
            environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""), body
        )
        start_response(
            f"{status} {_REASONS.get(status, 'Unknown')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def create_app(settings: Settings | None = None, catalog: Catalog | None = None) -> Application:
    """The entry point for WSGI servers: ``gunicorn 'service.api.app:create_app()'``."""
    settings = settings or load_settings()
    if catalog is None:
        catalog = load_catalog_json(settings.catalog_path) if settings.catalog_path else Catalog()
    return Application(build_state(catalog, settings))

"""Request handlers: each takes the app state and the parsed request, returns (status, body)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..common.errors import NotFound, ValidationError
from ..common.money import Money
from ..common.validation import parse_positive_int, require_fields, validate_region
from ..inventory import Catalog, Warehouse
from ..orders import Cart, parse_promotion, price_cart
from ..orders.checkout import CheckoutService, Order, PaymentDetails
from ..payments import Ledger
from .serializers import money_from_json


@dataclass
class AppState:
    catalog: Catalog
    warehouse: Warehouse
    ledger: Ledger
    checkout: CheckoutService
    currency: str = "EUR"
    region: str = "DE"
    today: date = field(default_factory=date.today)
    orders: dict[str, Order] = field(default_factory=dict)
    refunded: dict[str, Money] = field(default_factory=dict)


def health(state: AppState, request: dict) -> tuple[int, Any]:
    return 200, {"status": "ok", "products": len(state.catalog), "orders": len(state.orders)}


def list_products(state: AppState, request: dict) -> tuple[int, Any]:
    query = request.get("query", {})
    products = state.catalog.search(query.get("q", ""), category=query.get("category"))
    return 200, {
        "products": [
            {"sku": p.sku, "name": p.name, "price": p.price, "available": state.warehouse.available(p.sku)}
            for p in products
        ]
    }


def get_product(state: AppState, request: dict, sku: str) -> tuple[int, Any]:
    product = state.catalog.get(sku)
    return 200, {"product": product, "available": state.warehouse.available(product.sku)}


def _cart_from(state: AppState, body: dict) -> Cart:
    require_fields(body, ["lines"])
    if not isinstance(body["lines"], list) or not body["lines"]:
        raise ValidationError("lines must be a non-empty list")
    cart = Cart(state.currency)
    for line in body["lines"]:
        require_fields(line, ["sku"])
        cart.add(state.catalog.get(line["sku"]), parse_positive_int(line.get("quantity", 1), "quantity", 99))
    return cart


def quote(state: AppState, request: dict) -> tuple[int, Any]:
    body = request["body"]
    cart = _cart_from(state, body)
    region = validate_region(body.get("region", state.region))
    promotions = [parse_promotion(p) for p in body.get("promotions", [])]
    return 200, {"quote": price_cart(cart, region, state.today, promotions)}


def place_order(state: AppState, request: dict) -> tuple[int, Any]:
    body = request["body"]
    require_fields(body, ["payment"])
    cart = _cart_from(state, body)
    region = validate_region(body.get("region", state.region))
    payment = body["payment"]
    require_fields(payment, ["method"])
    details = PaymentDetails(payment["method"], payment.get("card_number"), payment.get("country", "DE"))
    promotions = [parse_promotion(p) for p in body.get("promotions", [])]
    order = state.checkout.place_order(cart, details, region, state.today, promotions)
    state.orders[order.id] = order
    return 201, {"order": order}


def get_order(state: AppState, request: dict, order_id: str) -> tuple[int, Any]:
    order = state.orders.get(order_id.upper())
    if order is None:
        raise NotFound(f"no order {order_id}")
    return 200, {"order": order}


def refund_order(state: AppState, request: dict, order_id: str) -> tuple[int, Any]:
    # Refunds are rare; keep the policy module off the import path of every request.
    from ..payments.ledger import record_refund
    from ..payments.refunds import Payment, RefundPolicy

    order = state.orders.get(order_id.upper())
    if order is None:
        raise NotFound(f"no order {order_id}")
    body = request["body"]
    require_fields(body, ["amount", "reason"])
    requested = money_from_json(body["amount"])
    payment = Payment(order.id, order.quote.total, order.placed_on, state.refunded.get(order.id))
    decision = RefundPolicy().evaluate(payment, requested, str(body["reason"]), state.today)
    if not decision.approved:
        return 422, {"refund": decision}
    # The tax share of a refund follows the order's tax ratio, rounded toward the customer.
    tax_share = decision.amount.allocate([order.quote.net.minor, order.quote.tax.minor])
    sequence = len([t for t in state.ledger.transactions() if t.memo == "refund"]) + 1
    record_refund(state.ledger, f"{order.id}-R{sequence}", tax_share[0], tax_share[1])
    state.refunded[order.id] = (state.refunded.get(order.id) or Money.zero(requested.currency)) + requested
    return 200, {"refund": decision}


def sales_report(state: AppState, request: dict) -> tuple[int, Any]:
    # Reporting pulls in statistics code that most deployments never call; load it on demand.
    summary = importlib.import_module("service.reports.summary")
    return 200, {"report": summary.sales_summary(state.ledger, list(state.orders.values()), state.currency)}


ROUTES = [
    ("GET", "/health", health),
    ("GET", "/products", list_products),
    ("GET", "/products/{sku}", get_product),
    ("POST", "/quotes", quote),
    ("POST", "/orders", place_order),
    ("GET", "/orders/{order_id}", get_order),
    ("POST", "/orders/{order_id}/refunds", refund_order),
    ("GET", "/reports/sales", sales_report),
]

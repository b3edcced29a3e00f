"""Checkout: reserve stock, price the cart, take the payment and book it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..common.errors import PaymentDeclined, ServiceError, ValidationError
from ..common.ids import luhn_valid, make_id, mask_card
from ..common.money import Money
from ..payments.fees import STANDARD, FeeSchedule
from ..payments.ledger import record_sale
from .pricing import Promotion, Quote, price_cart

if TYPE_CHECKING:  # only for annotations; the objects are handed in by the caller
    from ..inventory.stock import Warehouse
    from ..payments.ledger import Ledger
    from .cart import Cart


@dataclass(frozen=True)
class PaymentDetails:
    method: str
    card_number: str | None = None
    country: str = "DE"


@dataclass(frozen=True)
class Order:
    id: str
    quote: Quote
    fee: Money
    payment: str
    placed_on: date
    lines: tuple = ()  # (sku, quantity) pairs, for reporting


class CheckoutService:
    def __init__(
        self,
        warehouse: "Warehouse",
        ledger: "Ledger",
        home_country: str = "DE",
        schedule: FeeSchedule = STANDARD,
        first_sequence: int = 1,
    ) -> None:
        self.warehouse = warehouse
        self.ledger = ledger
        self.home_country = home_country
        self.schedule = schedule
        self._sequence = itertools.count(first_sequence)

    def _describe_payment(self, payment: PaymentDetails) -> str:
        if payment.method != "card":
            return payment.method
        if not payment.card_number or not luhn_valid(payment.card_number):
            raise PaymentDeclined("card number failed the check digit test")
        return f"card {mask_card(payment.card_number)}"

    def place_order(
        self,
        cart: "Cart",
        payment: PaymentDetails,
        region: str,
        today: date,
        promotions: list[Promotion] = (),
    ) -> Order:
        if cart.is_empty():
            raise ValidationError("the cart is empty")
        order_id = make_id("ord", next(self._sequence))
        quote = price_cart(cart, region, today, list(promotions))
        held: list[str] = []
        try:
            for index, line in enumerate(cart.lines()):
                reservation = f"{order_id}/{index}"
                self.warehouse.reserve(reservation, line.product.sku, line.quantity)
                held.append(reservation)
            described = self._describe_payment(payment)
            international = payment.country.upper() != self.home_country
            fee = self.schedule.fee(quote.total, payment.method, international)
            record_sale(self.ledger, order_id, quote.net, quote.tax, fee)
        except ServiceError:
            for reservation in held:
                self.warehouse.release(reservation)
            raise
        for reservation in held:
            self.warehouse.commit(reservation)
        sold = tuple((line.product.sku, line.quantity) for line in cart.lines())
        return Order(order_id, quote, fee, described, today, sold)

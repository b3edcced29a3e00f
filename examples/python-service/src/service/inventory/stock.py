"""Stock levels with reservations that expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common.errors import InsufficientStock, NotFound, ValidationError
from ..common.timeutil import Clock, SystemClock
from ..common.validation import validate_sku


@dataclass
class Reservation:
    id: str
    sku: str
    quantity: int
    expires_at: datetime


@dataclass
class StockLevel:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Warehouse:
    def __init__(self, clock: Clock | None = None, reservation_ttl: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock or SystemClock()
        self._ttl = reservation_ttl
        self._levels: dict[str, StockLevel] = {}
        self._reservations: dict[str, Reservation] = {}

    def _level(self, sku: str) -> StockLevel:
        return self._levels.setdefault(validate_sku(sku), StockLevel())

    def receive(self, sku: str, quantity: int) -> int:
        if quantity <= 0:
            raise ValidationError(f"received quantity must be positive, got {quantity}")
        level = self._level(sku)
        level.on_hand += quantity
        return level.on_hand

    def available(self, sku: str) -> int:
        self.expire()
        return self._level(sku).available

    def on_hand(self, sku: str) -> int:
        return self._level(sku).on_hand

    def reserve(self, reservation_id: str, sku: str, quantity: int) -> Reservation:
        if quantity <= 0:
            raise ValidationError(f"reserved quantity must be positive, got {quantity}")
        if reservation_id in self._reservations:
            raise ValidationError(f"reservation {reservation_id} already exists")
        self.expire()
        level = self._level(sku)
        if quantity > level.available:
            raise InsufficientStock(
                f"only {level.available} of {sku} available, {quantity} requested",
                sku=sku,
                available=level.available,
            )
        level.reserved += quantity
        reservation = Reservation(reservation_id, validate_sku(sku), quantity, self._clock.now() + self._ttl)
        self._reservations[reservation_id] = reservation
        return reservation

    def release(self, reservation_id: str) -> None:
        reservation = self._reservations.pop(reservation_id, None)
        if reservation is None:
            raise NotFound(f"no reservation {reservation_id}")
        self._levels[reservation.sku].reserved -= reservation.quantity

    def commit(self, reservation_id: str) -> int:
        """Ship a reservation: it leaves both the reserved and the on-hand count."""
        reservation = self._reservations.pop(reservation_id, None)
        if reservation is None:
            raise NotFound(f"no reservation {reservation_id} (expired or never made)")
        level = self._levels[reservation.sku]
        level.reserved -= reservation.quantity
        level.on_hand -= reservation.quantity
        return level.on_hand

    def expire(self) -> list[str]:
        now = self._clock.now()
        gone = [rid for rid, r in self._reservations.items() if r.expires_at <= now]
        for rid in gone:
            self.release(rid)
        return gone

    def needs_reorder(self, threshold: int) -> list[str]:
        """SKUs whose available stock is at or below ``threshold``, sorted."""
        self.expire()
        return sorted(sku for sku, level in self._levels.items() if level.available <= threshold)

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {
            sku: {"on_hand": level.on_hand, "reserved": level.reserved, "available": level.available}
            for sku, level in sorted(self._levels.items())
        }

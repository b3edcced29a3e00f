"""Dates, business days and an injectable clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Protocol

from .errors import ValidationError

try:
    from ._calendar_data import HOLIDAYS
except ImportError:  # a trimmed build may ship without the holiday table
    HOLIDAYS = frozenset()


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock for tests and replays: it only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValidationError("FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now


def parse_iso_date(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def parse_iso_datetime(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a trailing ``Z`` means UTC and naive values are refused."""
    raw = str(text).strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"invalid timestamp {text!r}") from None
    if value.tzinfo is None:
        raise ValidationError(f"timestamp {text!r} has no time zone")
    return value.astimezone(timezone.utc)


def is_business_day(day: date, holidays: Iterable[date] = HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_business_days(start: date, days: int, holidays: Iterable[date] = HOLIDAYS) -> date:
    """Move ``days`` business days forward (or back when negative), skipping weekends and holidays."""
    closed = set(holidays)
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining > 0:
        current = current + timedelta(days=step)
        if current.weekday() < 5 and current not in closed:
            remaining -= 1
    return current


def business_days_between(start: date, end: date, holidays: Iterable[date] = HOLIDAYS) -> int:
    """Business days in the half-open range (start, end]; negative when end is before start."""
    if end < start:
        return -business_days_between(end, start, holidays)
    closed = set(holidays)
    count = 0
    current = start
    while current < end:
        current = current + timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            count += 1
    return count

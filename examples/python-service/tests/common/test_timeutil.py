from datetime import date, datetime, timedelta, timezone

import pytest

from service.common.errors import ValidationError
from service.common.timeutil import FixedClock, SystemClock, parse_iso_date, parse_iso_datetime


def test_parse_iso_date():
    assert parse_iso_date(" 2026-02-28 ") == date(2026, 2, 28)
    for bad in ["2026-02-30", "28.02.2026", ""]:
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            parse_iso_date(bad)


def test_parse_iso_datetime_normalises_to_utc():
    assert parse_iso_datetime("2026-11-04T10:00:00Z") == datetime(2026, 11, 4, 10, tzinfo=timezone.utc)
    assert parse_iso_datetime("2026-11-04T12:30:00+02:00") == datetime(2026, 11, 4, 10, 30, tzinfo=timezone.utc)


def test_parse_iso_datetime_refuses_naive_and_garbage():
    with pytest.raises(ValidationError, match="no time zone"):
        parse_iso_datetime("2026-11-04T10:00:00")
    with pytest.raises(ValidationError, match="invalid timestamp"):
        parse_iso_datetime("yesterday")


def test_fixed_clock_moves_only_when_told(clock):
    start = clock.now()
    assert clock.now() == start
    assert clock.advance(minutes=20) == start + timedelta(minutes=20)
    assert clock.now() - start == timedelta(minutes=20)


def test_fixed_clock_needs_aware_time():
    with pytest.raises(ValidationError):
        FixedClock(datetime(2026, 1, 1))


def test_system_clock_is_aware_and_current():
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)

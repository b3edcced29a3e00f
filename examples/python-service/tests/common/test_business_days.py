from datetime import date

from service.common import timeutil
from service.common.timeutil import add_business_days, business_days_between, is_business_day


def test_holiday_table_is_loaded():
    assert date(2026, 12, 25) in timeutil.HOLIDAYS
    assert date(2026, 4, 6) in timeutil.HOLIDAYS  # Easter Monday
    assert date(2026, 11, 4) not in timeutil.HOLIDAYS


def test_weekends_are_skipped(today, no_holidays):
    assert add_business_days(today, 3, no_holidays) == date(2026, 11, 9)
    assert add_business_days(date(2026, 11, 9), -1, no_holidays) == date(2026, 11, 6)
    assert add_business_days(today, 0, no_holidays) == today


def test_holidays_are_skipped():
    assert add_business_days(date(2026, 12, 23), 2) == date(2026, 12, 28)
    assert add_business_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Good Friday and Easter Monday


def test_custom_holidays(christmas_week):
    assert add_business_days(date(2026, 12, 24), 1, christmas_week) == date(2026, 12, 28)
    assert add_business_days(date(2026, 12, 24), 1, frozenset()) == date(2026, 12, 25)


def test_days_between_counts_the_half_open_range(today, no_holidays):
    assert business_days_between(today, date(2026, 11, 9), no_holidays) == 3
    assert business_days_between(date(2026, 11, 9), today, no_holidays) == -3
    assert business_days_between(today, today, no_holidays) == 0


def test_days_between_skips_holidays():
    assert business_days_between(date(2026, 12, 23), date(2026, 12, 31)) == 5
    assert business_days_between(date(2026, 12, 23), date(2026, 12, 31), frozenset()) == 6


def test_is_business_day():
    assert is_business_day(date(2026, 11, 4))
    assert not is_business_day(date(2026, 10, 3))  # Saturday
    assert not is_business_day(date(2027, 1, 1))  # New Year, a Friday
    assert is_business_day(date(2027, 1, 1), holidays=())

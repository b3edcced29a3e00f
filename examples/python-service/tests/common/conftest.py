from datetime import date

import pytest


@pytest.fixture
def no_holidays():
    return frozenset()


@pytest.fixture
def christmas_week():
    return frozenset({date(2026, 12, 25), date(2026, 12, 26)})

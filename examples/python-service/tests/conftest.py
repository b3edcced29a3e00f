"""Fixtures every test may use. Kept light on imports: each module imported here is a
dependency of the whole suite."""

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.common.timeutil import FixedClock

pytest_plugins = ["tests.helpers.files"]

DATA_DIR = Path(__file__).parent / "data"
# A Wednesday, clear of holidays on both sides, so business-day arithmetic is easy to read.
TODAY = date(2026, 11, 4)


@pytest.fixture
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 4, 9, 0, tzinfo=timezone.utc))

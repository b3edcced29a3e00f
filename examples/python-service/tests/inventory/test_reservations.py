from datetime import timedelta

import pytest

from service.common.errors import InsufficientStock, ValidationError
from service.inventory.stock import Warehouse


def test_cannot_reserve_more_than_available(warehouse):
    warehouse.reserve("r1", "LMP-0300", 7)
    with pytest.raises(InsufficientStock) as caught:
        warehouse.reserve("r2", "LMP-0300", 4)
    assert caught.value.details == {"sku": "LMP-0300", "available": 3}
    warehouse.reserve("r2", "LMP-0300", 3)


def test_reservation_ids_are_unique_and_quantities_positive(warehouse):
    warehouse.reserve("r1", "LMP-0300", 1)
    with pytest.raises(ValidationError, match="already exists"):
        warehouse.reserve("r1", "LMP-0300", 1)
    with pytest.raises(ValidationError):
        warehouse.reserve("r2", "LMP-0300", 0)


def test_reservations_expire_after_the_ttl(clock):
    warehouse = Warehouse(clock, reservation_ttl=timedelta(minutes=15))
    warehouse.receive("STV-0700", 2)
    warehouse.reserve("r1", "STV-0700", 2)
    clock.advance(minutes=14, seconds=59)
    assert warehouse.available("STV-0700") == 0
    clock.advance(seconds=1)
    assert warehouse.available("STV-0700") == 2
    assert warehouse.expire() == []


def test_expiry_reports_what_it_released(clock):
    warehouse = Warehouse(clock, reservation_ttl=timedelta(minutes=5))
    warehouse.receive("STV-0700", 5)
    warehouse.reserve("a", "STV-0700", 1)
    clock.advance(minutes=3)
    warehouse.reserve("b", "STV-0700", 1)
    clock.advance(minutes=2)
    assert warehouse.expire() == ["a"]
    clock.advance(minutes=3)
    assert warehouse.expire() == ["b"]


def test_expired_reservation_cannot_be_committed(clock):
    warehouse = Warehouse(clock, reservation_ttl=timedelta(minutes=1))
    warehouse.receive("STV-0700", 1)
    warehouse.reserve("r1", "STV-0700", 1)
    clock.advance(minutes=2)
    warehouse.expire()
    with pytest.raises(Exception, match="expired or never made"):
        warehouse.commit("r1")

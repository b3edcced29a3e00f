import pytest

from service.common.errors import NotFound, ValidationError
from service.inventory.stock import Warehouse


def test_receive_accumulates(clock):
    warehouse = Warehouse(clock)
    assert warehouse.receive("MUG-0001", 5) == 5
    assert warehouse.receive("mug-0001", 3) == 8
    assert warehouse.available("MUG-0001") == 8


def test_receive_rejects_non_positive(clock):
    with pytest.raises(ValidationError):
        Warehouse(clock).receive("MUG-0001", 0)


def test_commit_ships_the_reserved_units(warehouse):
    warehouse.reserve("r1", "MUG-0001", 4)
    assert warehouse.available("MUG-0001") == 6 and warehouse.on_hand("MUG-0001") == 10
    assert warehouse.commit("r1") == 6
    assert warehouse.available("MUG-0001") == 6 and warehouse.on_hand("MUG-0001") == 6
    with pytest.raises(NotFound):
        warehouse.commit("r1")


def test_release_returns_units(warehouse):
    warehouse.reserve("r1", "KNF-0200", 10)
    assert warehouse.available("KNF-0200") == 0
    warehouse.release("r1")
    assert warehouse.available("KNF-0200") == 10
    with pytest.raises(NotFound):
        warehouse.release("r1")


def test_needs_reorder_uses_available_stock(warehouse):
    warehouse.reserve("r1", "TNT-1000", 8)
    warehouse.reserve("r2", "TNT-2000", 7)
    assert warehouse.needs_reorder(threshold=3) == ["TNT-1000", "TNT-2000"]
    assert warehouse.needs_reorder(threshold=2) == ["TNT-1000"]


def test_snapshot(warehouse):
    warehouse.reserve("r1", "MAT-0600", 3)
    assert warehouse.snapshot()["MAT-0600"] == {"on_hand": 10, "reserved": 3, "available": 7}
    assert list(warehouse.snapshot()) == sorted(warehouse.snapshot())

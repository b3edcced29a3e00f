import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

import pytest

from service.api.serializers import dumps, loads, money_from_json, to_jsonable
from service.common.errors import ValidationError
from service.common.money import Money


class Colour(Enum):
    RED = "red"


@dataclass
class Sample:
    price: Money
    when: date
    tags: frozenset


def test_to_jsonable_handles_service_types():
    value = Sample(Money(1999, "EUR"), date(2026, 11, 4), frozenset({"b", "a"}))
    assert to_jsonable(value) == {
        "price": {"amount": "19.99", "currency": "EUR"},
        "when": "2026-11-04",
        "tags": ["a", "b"],
    }
    assert to_jsonable({"x": (Decimal("1.50"), Colour.RED)}) == {"x": ["1.50", "red"]}


def test_dumps_is_compact_and_sorted():
    assert dumps({"b": 1, "a": Money(5, "JPY")}) == b'{"a":{"amount":"5","currency":"JPY"},"b":1}'


def test_loads_keeps_decimals_exact():
    assert loads(b'{"price": 0.1}') == {"price": Decimal("0.1")}


@pytest.mark.parametrize("body,message", [(b"", "empty"), (b"{nope", "not valid JSON"), (b"\xff", "not valid JSON")])
def test_loads_errors(body, message):
    with pytest.raises(ValidationError, match=message):
        loads(body)


def test_loads_size_limit():
    with pytest.raises(ValidationError, match="exceeds 10 bytes"):
        loads(json.dumps({"a": "b" * 20}).encode(), max_bytes=10)


def test_money_from_json():
    assert money_from_json({"amount": "1.25", "currency": "eur"}) == Money(125, "EUR")
    assert money_from_json("3 GBP") == Money(300, "GBP")
    with pytest.raises(ValidationError, match="'currency'"):
        money_from_json({"amount": "1"})
    with pytest.raises(ValidationError):
        money_from_json(5)

from decimal import Decimal

import pytest

from service.common.errors import ValidationError
from service.common import validation as v


def test_require_fields_names_every_missing_field_in_order():
    with pytest.raises(ValidationError) as caught:
        v.require_fields({"a": 1, "b": "", "c": None}, ["c", "a", "b", "d"])
    assert caught.value.details["missing"] == ["c", "b", "d"]
    v.require_fields({"a": 0}, ["a"])  # zero is a value


def test_require_fields_needs_an_object():
    with pytest.raises(ValidationError, match="JSON object"):
        v.require_fields(["a"], ["a"])


@pytest.mark.parametrize("sku", ["MUG-0001", "mug-0001", " TNT-1000-BL "])
def test_valid_skus(sku):
    assert v.validate_sku(sku) == sku.strip().upper()


@pytest.mark.parametrize("sku", ["MUG0001", "MU-0001", "MUG-001", "MUG-0001-B", "MUG-0001-BLU", ""])
def test_invalid_skus(sku):
    with pytest.raises(ValidationError):
        v.validate_sku(sku)


def test_email():
    assert v.validate_email(" Ann.Lee+shop@Example.co.uk ") == "ann.lee+shop@example.co.uk"
    for bad in ["ann", "ann@", "ann@example", "a..b@example.com", "a@b.c", "x" * 250 + "@example.com"]:
        with pytest.raises(ValidationError):
            v.validate_email(bad)


def test_currency_and_region():
    assert v.validate_currency(" eur") == "EUR"
    assert v.validate_region("us-ca") == "US-CA"
    for bad in ["EU", "EURO", "E1R"]:
        with pytest.raises(ValidationError):
            v.validate_currency(bad)
    with pytest.raises(ValidationError):
        v.validate_region("USA")


def test_parse_positive_int():
    assert v.parse_positive_int("3", "q") == 3
    assert v.parse_positive_int(99, "q", maximum=99) == 99
    for bad in [0, -1, "1.5", "x", True]:
        with pytest.raises(ValidationError):
            v.parse_positive_int(bad, "q")
    with pytest.raises(ValidationError, match="at most 99"):
        v.parse_positive_int(100, "q", maximum=99)


def test_parse_decimal_and_percent():
    assert v.parse_decimal("1.10", "x") == Decimal("1.10")
    with pytest.raises(ValidationError):
        v.parse_decimal("NaN", "x")
    with pytest.raises(ValidationError):
        v.parse_decimal("-1", "x", minimum=Decimal(0))
    assert v.parse_percent("12.5%", "p") == Decimal("0.125")
    assert v.parse_percent(100, "p") == Decimal(1)
    with pytest.raises(ValidationError):
        v.parse_percent("101", "p")


def test_clamp():
    assert v.clamp(5, 0, 3) == 3
    assert v.clamp(-5, 0, 3) == 0
    assert v.clamp(2, 0, 3) == 2
    with pytest.raises(ValueError):
        v.clamp(1, 3, 0)

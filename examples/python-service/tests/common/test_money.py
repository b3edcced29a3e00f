from decimal import Decimal

import pytest

from service.common.errors import CurrencyMismatch, ValidationError
from service.common.money import Money, total
from tests.helpers.money import eur


def test_arithmetic_in_one_currency():
    assert eur("10.10") + eur("0.95") == eur("11.05")
    assert eur("10.10") - eur("0.95") == eur("9.15")
    assert -eur("1.00") == Money(-100, "EUR")
    assert abs(Money(-250, "EUR")) == Money(250, "EUR")


def test_mixing_currencies_is_refused():
    with pytest.raises(CurrencyMismatch) as caught:
        eur("1") + Money(100, "USD")
    assert caught.value.details == {"left": "EUR", "right": "USD"}


def test_multiplication_rounds_half_even():
    assert Money(5, "EUR") * Decimal("0.5") == Money(2, "EUR")  # 2.5 -> 2
    assert Money(7, "EUR") * Decimal("0.5") == Money(4, "EUR")  # 3.5 -> 4
    assert Money(333, "EUR") * 3 == Money(999, "EUR")
    assert 2 * Money(150, "EUR") == Money(300, "EUR")


def test_multiplying_money_by_money_is_a_type_error():
    with pytest.raises(TypeError):
        eur("1") * eur("2")


def test_comparisons():
    assert eur("1.00") < eur("1.01") <= eur("1.01")
    assert eur("2") > eur("1.99") >= eur("1.99")
    with pytest.raises(CurrencyMismatch):
        assert eur("1") < Money(1, "GBP")


def test_formatting_per_currency():
    assert Money(123456, "EUR").format() == "1,234.56 EUR"
    assert Money(-5, "EUR").format() == "-0.05 EUR"
    assert Money(1500, "JPY").format() == "1,500 JPY"
    assert str(Money(1234, "KWD")) == "1.234 KWD"


def test_amount_is_exact_decimal():
    assert Money(1999, "EUR").amount == Decimal("19.99")
    assert Money(7, "KWD").amount == Decimal("0.007")


def test_invalid_construction():
    with pytest.raises(ValidationError, match="unsupported currency"):
        Money(1, "XXX")
    with pytest.raises(ValidationError):
        Money(1.5, "EUR")
    with pytest.raises(ValidationError):
        Money(True, "EUR")


def test_total_of_nothing_is_zero():
    assert total([], "USD") == Money.zero("USD")
    assert total([eur("1"), eur("2.50")], "EUR") == eur("3.50")


def test_predicates():
    assert Money.zero("EUR").is_zero() and not Money(1, "EUR").is_zero()
    assert Money(-1, "EUR").is_negative() and not Money(0, "EUR").is_negative()

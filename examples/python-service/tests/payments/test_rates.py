from datetime import date
from decimal import Decimal

import pytest

from service.common.errors import NotFound, ValidationError
from service.common.money import Money
from service.payments.rates import Rate, RateTable


def test_convert_from_base(rate_table):
    assert rate_table.convert(Money(10000, "EUR"), "USD") == Money(10850, "USD")


def test_convert_to_base_rounds_to_cents(rate_table):
    # 100 / 1.085 = 92.1658...
    assert rate_table.convert(Money(10000, "USD"), "EUR") == Money(9217, "EUR")


def test_cross_rate_goes_through_the_base(rate_table):
    # 10 USD * (0.855 / 1.085) = 7.8801...
    assert rate_table.convert(Money(1000, "USD"), "GBP") == Money(788, "GBP")
    assert rate_table.rate("GBP", "USD") == Decimal("1.085") / Decimal("0.855")


def test_currency_precision_of_the_target(rate_table):
    assert rate_table.convert(Money(100, "EUR"), "JPY") == Money(164, "JPY")  # 163.5 -> half even -> 164
    assert rate_table.convert(Money(300, "EUR"), "KWD") == Money(999, "KWD")


def test_same_currency_is_identity(rate_table):
    amount = Money(12345, "GBP")
    assert rate_table.convert(amount, "GBP") is amount


def test_unknown_currency(rate_table):
    with pytest.raises(NotFound, match="SEK"):
        rate_table.convert(Money(100, "EUR"), "SEK")


def test_stale_quotes(rate_table):
    assert rate_table.stale_currencies(date(2026, 11, 4), max_age_days=7) == ["CHF"]
    assert rate_table.stale_currencies(date(2026, 11, 4), max_age_days=30) == []
    assert rate_table.stale_currencies(date(2026, 11, 10), max_age_days=5) == ["CHF", "GBP", "JPY", "KWD", "USD"]


def test_table_validation():
    with pytest.raises(ValidationError, match="positive"):
        RateTable("EUR", [Rate("USD", Decimal(0), date(2026, 1, 1))])
    with pytest.raises(ValidationError, match="base currency"):
        RateTable("EUR", [Rate("EUR", Decimal(2), date(2026, 1, 1))])
    table = RateTable("usd", [])
    assert table.base == "USD" and table.currencies() == ["USD"]

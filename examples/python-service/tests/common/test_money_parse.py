import pytest

from service.common.errors import ValidationError
from service.common.money import Money


@pytest.mark.parametrize(
    "text,minor,currency",
    [
        ("12.50 EUR", 1250, "EUR"),
        ("EUR 12.5", 1250, "EUR"),
        ("usd 0.99", 99, "USD"),
        ("1500 JPY", 1500, "JPY"),
        ("-3.10 GBP", -310, "GBP"),
        ("1.005 KWD", 1005, "KWD"),
    ],
)
def test_parse(text, minor, currency):
    assert Money.parse(text) == Money(minor, currency)


@pytest.mark.parametrize("text", ["12.50", "12.50 EUR extra", "", "1.234 EUR", "1.5 JPY", "ten EUR"])
def test_parse_rejects(text):
    with pytest.raises(ValidationError):
        Money.parse(text)


def test_from_decimal_rounds_half_even_by_default():
    assert Money.from_decimal("0.125", "EUR") == Money(12, "EUR")
    assert Money.from_decimal("0.135", "EUR") == Money(14, "EUR")
    assert Money.from_decimal("2.5", "JPY") == Money(2, "JPY")


def test_from_decimal_accepts_other_rounding():
    assert Money.from_decimal("0.125", "EUR", rounding="ROUND_HALF_UP") == Money(13, "EUR")

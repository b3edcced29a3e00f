import pytest

from service.common.errors import ValidationError
from service.common.money import Money
from service.payments.rates import DEFAULT_RATES_FILE, default_rates, load_rates_csv


def test_loaded_currencies(rate_table):
    assert rate_table.currencies() == ["CHF", "EUR", "GBP", "JPY", "KWD", "USD"]


def test_packaged_default_rates_are_readable():
    assert DEFAULT_RATES_FILE.name == "default_rates.csv"
    table = default_rates()
    assert "SEK" in table.currencies()
    assert table.convert(Money(10000, "EUR"), "USD") == Money(10842, "USD")


def test_missing_column_is_named(data_dir):
    with pytest.raises(ValidationError, match="missing column as_of"):
        load_rates_csv(data_dir / "rates_missing_column.csv")


def test_bad_values_name_the_line(write_text):
    path = write_text("bad.csv", "currency,rate,as_of\nEUR,1,2026-01-01\nUSD,abc,2026-01-01\n")
    with pytest.raises(ValidationError, match=r"bad.csv:3:rate"):
        load_rates_csv(path)
    path = write_text("bad_date.csv", "currency,rate,as_of\nUSD,1.1,01/02/2026\n")
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        load_rates_csv(path)


def test_other_base(write_text):
    path = write_text("usd.csv", "currency,rate,as_of\nUSD,1,2026-01-01\nEUR,0.5,2026-01-01\n")
    table = load_rates_csv(path, base="USD")
    assert table.convert(Money(100, "USD"), "EUR") == Money(50, "EUR")

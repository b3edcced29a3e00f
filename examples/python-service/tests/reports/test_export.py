import csv
import io

import pytest

from service.reports.export import COLUMNS, export_csv, ledger_rows


def test_rows_follow_the_entries(trading_day):
    ledger, orders = trading_day
    rows = ledger_rows(ledger)
    first = [r for r in rows if r["transaction"] == orders[0].id]
    assert [(r["account"], r["debit"], r["credit"]) for r in first] == [
        ("cash", "36.33", ""),
        ("revenue", "", "30.70"),
        ("fees", "0.20", ""),
        ("tax_payable", "", "5.83"),
    ]


def test_csv_round_trip(trading_day):
    ledger, _ = trading_day
    text = export_csv(ledger, delimiter=";")
    parsed = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert text.splitlines()[0] == ";".join(COLUMNS)
    assert parsed == ledger_rows(ledger)
    debits = sum(float(r["debit"] or 0) for r in parsed)
    credits = sum(float(r["credit"] or 0) for r in parsed)
    assert debits == pytest.approx(credits)


def test_delimiter_must_be_one_character(trading_day):
    with pytest.raises(ValueError):
        export_csv(trading_day[0], delimiter="||")

"""CSV export of the ledger for the accountants."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..payments.ledger import Ledger

COLUMNS = ["transaction", "memo", "account", "debit", "credit", "currency"]


def ledger_rows(ledger: "Ledger") -> list[dict[str, str]]:
    rows = []
    for txn in ledger.transactions():
        for entry in txn.entries:
            rows.append(
                {
                    "transaction": txn.id,
                    "memo": txn.memo,
                    "account": entry.account,
                    "debit": str(entry.debit.amount) if entry.debit is not None else "",
                    "credit": str(entry.credit.amount) if entry.credit is not None else "",
                    "currency": entry.money.currency,
                }
            )
    return rows


def export_csv(ledger: "Ledger", delimiter: str = ",") -> str:
    if len(delimiter) != 1:
        raise ValueError("delimiter must be a single character")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(ledger_rows(ledger))
    return buffer.getvalue()

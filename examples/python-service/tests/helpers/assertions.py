"""Assertions with messages that say what went wrong in money terms."""

from service.common.money import Money


def assert_money(actual: Money, expected: str) -> None:
    """Compare against ``"12.34 EUR"``; the message shows both amounts formatted."""
    wanted = Money.parse(expected)
    assert actual == wanted, f"expected {wanted}, got {actual}"


def assert_ledger_balanced(ledger, currency="EUR") -> None:
    debits, credits = ledger.trial_balance(currency)
    assert debits == credits, f"trial balance off: debits {debits} vs credits {credits}"

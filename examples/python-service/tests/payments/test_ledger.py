import pytest

from service.common.errors import NotFound, UnbalancedTransaction, ValidationError
from service.common.money import Money
from service.payments.ledger import AccountType, Entry, Ledger, Transaction
from tests.helpers.assertions import assert_ledger_balanced
from tests.helpers.money import eur


def test_balanced_transaction_moves_balances(ledger):
    ledger.post(Transaction("t1", "capital").debit("cash", eur("500")).credit("owner", eur("500")))
    assert ledger.balance("cash", "EUR") == eur("500")
    assert ledger.balance("owner", "EUR") == eur("500")  # credit-normal account reads positive
    assert_ledger_balanced(ledger)


def test_unbalanced_transaction_is_refused_and_changes_nothing(ledger):
    txn = Transaction("t1", "oops").debit("cash", eur("10")).credit("revenue", eur("9"))
    with pytest.raises(UnbalancedTransaction) as caught:
        ledger.post(txn)
    assert caught.value.details["imbalance"] == {"EUR": 100}
    assert ledger.balance("cash", "EUR").is_zero()
    assert ledger.transactions() == []


def test_balance_is_checked_per_currency(ledger):
    txn = Transaction("fx", "x").debit("cash", eur("10")).credit("revenue", Money(1000, "USD"))
    assert txn.imbalance() == {"EUR": 1000, "USD": -1000}
    with pytest.raises(UnbalancedTransaction):
        ledger.post(txn)


def test_structure_rules(ledger):
    with pytest.raises(UnbalancedTransaction, match="at least two"):
        ledger.post(Transaction("one", "x").debit("cash", eur("0")))
    with pytest.raises(NotFound, match="'bank'"):
        ledger.post(Transaction("t", "x").debit("bank", eur("1")).credit("cash", eur("1")))
    ledger.post(Transaction("dup", "x").debit("cash", eur("1")).credit("owner", eur("1")))
    with pytest.raises(ValidationError, match="already posted"):
        ledger.post(Transaction("dup", "x").debit("cash", eur("1")).credit("owner", eur("1")))


def test_entry_needs_exactly_one_side_and_a_positive_amount():
    with pytest.raises(ValidationError):
        Entry("cash")
    with pytest.raises(ValidationError):
        Entry("cash", debit=eur("1"), credit=eur("1"))
    with pytest.raises(ValidationError, match="negative"):
        Entry("cash", credit=eur("-1"))
    assert Entry("cash", credit=eur("2")).signed_minor == -200


def test_accounts():
    ledger = Ledger()
    ledger.open_account("cash", AccountType.ASSET)
    ledger.open_account("cash", AccountType.ASSET)
    with pytest.raises(ValidationError, match="already exists as asset"):
        ledger.open_account("cash", AccountType.INCOME)
    with pytest.raises(NotFound):
        ledger.balance("nowhere", "EUR")
    assert AccountType.EXPENSE.debit_normal and not AccountType.LIABILITY.debit_normal

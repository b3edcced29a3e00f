"""A double-entry ledger: every transaction's debits equal its credits, per currency."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from ..common.errors import NotFound, UnbalancedTransaction, ValidationError
from ..common.money import Money


class AccountType(Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow with debits; the others grow with credits."""
        return self in (AccountType.ASSET, AccountType.EXPENSE)


@dataclass(frozen=True)
class Entry:
    account: str
    debit: Money | None = None
    credit: Money | None = None

    def __post_init__(self) -> None:
        if (self.debit is None) == (self.credit is None):
            raise ValidationError(f"entry on {self.account!r} needs exactly one of debit or credit")
        amount = self.debit if self.debit is not None else self.credit
        if amount.is_negative():
            raise ValidationError(f"entry on {self.account!r} has a negative amount {amount}")

    @property
    def money(self) -> Money:
        return self.debit if self.debit is not None else self.credit

    @property
    def signed_minor(self) -> int:
        """Debits positive, credits negative."""
        return self.money.minor if self.debit is not None else -self.money.minor


@dataclass
class Transaction:
    id: str
    memo: str
    entries: list[Entry] = field(default_factory=list)

    def debit(self, account: str, amount: Money) -> "Transaction":
        self.entries.append(Entry(account, debit=amount))
        return self

    def credit(self, account: str, amount: Money) -> "Transaction":
        self.entries.append(Entry(account, credit=amount))
        return self

    def imbalance(self) -> dict[str, int]:
        sums: dict[str, int] = defaultdict(int)
        for entry in self.entries:
            sums[entry.money.currency] += entry.signed_minor
        return {currency: value for currency, value in sums.items() if value != 0}


class Ledger:
    def __init__(self) -> None:
        self._accounts: dict[str, AccountType] = {}
        self._transactions: list[Transaction] = []
        self._posted_ids: set[str] = set()
        self._balances: dict[tuple[str, str], int] = defaultdict(int)

    def open_account(self, name: str, kind: AccountType) -> None:
        existing = self._accounts.get(name)
        if existing is not None and existing is not kind:
            raise ValidationError(f"account {name!r} already exists as {existing.value}")
        self._accounts[name] = kind

    def accounts(self) -> dict[str, AccountType]:
        return dict(self._accounts)

    def post(self, transaction: Transaction) -> Transaction:
        if len(transaction.entries) < 2:
            raise UnbalancedTransaction(f"transaction {transaction.id} needs at least two entries")
        for entry in transaction.entries:
            if entry.account not in self._accounts:
                raise NotFound(f"unknown account {entry.account!r}", transaction=transaction.id)
        off = transaction.imbalance()
        if off:
            raise UnbalancedTransaction(f"transaction {transaction.id} does not balance: {off}", imbalance=off)
        if transaction.id in self._posted_ids:
            raise ValidationError(f"transaction {transaction.id} was already posted")
        for entry in transaction.entries:
            self._balances[(entry.account, entry.money.currency)] += entry.signed_minor
        self._transactions.append(transaction)
        self._posted_ids.add(transaction.id)
        return transaction

    def transactions(self) -> list[Transaction]:
        return list(self._transactions)

    def balance(self, account: str, currency: str) -> Money:
        """Balance in the account's normal direction (a positive asset, a positive income)."""
        kind = self._accounts.get(account)
        if kind is None:
            raise NotFound(f"unknown account {account!r}")
        raw = self._balances.get((account, currency), 0)
        return Money(raw if kind.debit_normal else -raw, currency)

    def trial_balance(self, currency: str) -> tuple[Money, Money]:
        """Total debit balances and total credit balances; equal in a sound ledger."""
        debits = credits = 0
        for (account, cur), raw in self._balances.items():
            if cur != currency:
                continue
            if raw > 0:
                debits += raw
            else:
                credits += -raw
        return Money(debits, currency), Money(credits, currency)


STANDARD_ACCOUNTS = {
    "cash": AccountType.ASSET,
    "receivables": AccountType.ASSET,
    "revenue": AccountType.INCOME,
    "fees": AccountType.EXPENSE,
    "refunds": AccountType.EXPENSE,
    "tax_payable": AccountType.LIABILITY,
    "owner": AccountType.EQUITY,
}


def standard_ledger() -> Ledger:
    ledger = Ledger()
    for name, kind in STANDARD_ACCOUNTS.items():
        ledger.open_account(name, kind)
    return ledger


def record_sale(ledger: Ledger, txn_id: str, net: Money, tax: Money, fee: Money) -> Transaction:
    """Customer pays net + tax; the processor keeps ``fee`` and settles the rest to cash."""
    gross = net + tax
    if fee > gross:
        raise ValidationError(f"fee {fee} exceeds the payment {gross}")
    txn = Transaction(txn_id, "sale").debit("cash", gross - fee).credit("revenue", net)
    if not fee.is_zero():
        txn.debit("fees", fee)
    if not tax.is_zero():
        txn.credit("tax_payable", tax)
    return ledger.post(txn)


def record_refund(ledger: Ledger, txn_id: str, net: Money, tax: Money) -> Transaction:
    txn = Transaction(txn_id, "refund").debit("refunds", net).credit("cash", net + tax)
    if not tax.is_zero():
        txn.debit("tax_payable", tax)
    return ledger.post(txn)


def net_income(ledger: Ledger, currency: str, accounts: Iterable[str] | None = None) -> Money:
    """Income minus expenses over the given accounts (all of them by default)."""
    result = 0
    for name, kind in ledger.accounts().items():
        if accounts is not None and name not in accounts:
            continue
        if kind is AccountType.INCOME:
            result += ledger.balance(name, currency).minor
        elif kind is AccountType.EXPENSE:
            result -= ledger.balance(name, currency).minor
    return Money(result, currency)

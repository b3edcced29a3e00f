import pytest

from service.common.errors import ValidationError
from service.payments import record_refund, record_sale
from service.payments.ledger import net_income
from tests.helpers.assertions import assert_ledger_balanced, assert_money
from tests.helpers.money import eur


def test_sale_splits_cash_fee_revenue_and_tax(ledger):
    record_sale(ledger, "o1", net=eur("100"), tax=eur("19"), fee=eur("3.75"))
    assert_money(ledger.balance("cash", "EUR"), "115.25 EUR")
    assert_money(ledger.balance("revenue", "EUR"), "100.00 EUR")
    assert_money(ledger.balance("fees", "EUR"), "3.75 EUR")
    assert_money(ledger.balance("tax_payable", "EUR"), "19.00 EUR")
    assert ledger.trial_balance("EUR") == (eur("119"), eur("119"))


def test_zero_tax_and_fee_add_no_entries(ledger):
    txn = record_sale(ledger, "o1", net=eur("10"), tax=eur("0"), fee=eur("0"))
    assert [e.account for e in txn.entries] == ["cash", "revenue"]


def test_fee_above_payment_is_refused(ledger):
    with pytest.raises(ValidationError, match="exceeds"):
        record_sale(ledger, "o1", net=eur("1"), tax=eur("0"), fee=eur("1.01"))


def test_refund_reverses_cash_and_tax(ledger):
    record_sale(ledger, "o1", net=eur("100"), tax=eur("19"), fee=eur("3.75"))
    record_refund(ledger, "o1-R1", net=eur("50"), tax=eur("9.50"))
    assert_money(ledger.balance("cash", "EUR"), "55.75 EUR")
    assert_money(ledger.balance("tax_payable", "EUR"), "9.50 EUR")
    assert_money(ledger.balance("refunds", "EUR"), "50.00 EUR")
    assert_money(net_income(ledger, "EUR"), "46.25 EUR")
    assert_money(net_income(ledger, "EUR", accounts=["revenue"]), "100.00 EUR")
    assert_ledger_balanced(ledger)


def test_currencies_are_kept_apart(ledger):
    from service.common.money import Money

    record_sale(ledger, "o1", net=eur("10"), tax=eur("1"), fee=eur("0.5"))
    record_sale(ledger, "o2", net=Money(2000, "USD"), tax=Money(0, "USD"), fee=Money(80, "USD"))
    assert ledger.balance("revenue", "USD") == Money(2000, "USD")
    assert ledger.balance("revenue", "EUR") == eur("10")
    assert_ledger_balanced(ledger, "USD")


@pytest.mark.slow
def test_many_postings_stay_balanced(ledger):
    """Thirty thousand sales and refunds: balances must match a running tally exactly."""
    from service.common.money import Money

    expected_cash = 0
    for i in range(30_000):
        net = 1_000 + i % 977
        tax, fee = net * 19 // 100, 30 + i % 13
        record_sale(ledger, f"s{i}", net=Money(net, "EUR"), tax=Money(tax, "EUR"), fee=Money(fee, "EUR"))
        expected_cash += net + tax - fee
        if i % 10 == 0:
            record_refund(ledger, f"r{i}", net=Money(net // 2, "EUR"), tax=Money(0, "EUR"))
            expected_cash -= net // 2
    assert_ledger_balanced(ledger)
    assert ledger.balance("cash", "EUR").minor == expected_cash
    assert len(ledger.transactions()) == 33_000

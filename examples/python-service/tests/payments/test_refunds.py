from datetime import date

import pytest

from service.common.errors import ValidationError
from service.common.money import Money
from service.payments.refunds import Payment, RefundPolicy
from tests.helpers.money import eur

PAID = date(2026, 11, 4)


@pytest.fixture
def payment():
    return Payment("ORD-1", eur("119"), PAID)


def test_deadline_counts_business_days():
    assert RefundPolicy().deadline(PAID) == date(2026, 12, 2)
    assert RefundPolicy(window_business_days=5).deadline(date(2026, 12, 21)) == date(2026, 12, 29)


def test_change_of_mind_pays_restocking_fee(payment):
    decision = RefundPolicy().evaluate(payment, eur("119"), "changed_mind", date(2026, 11, 10))
    assert decision.approved
    assert decision.restocking_fee == eur("11.90")
    assert decision.amount == eur("107.10")


def test_damaged_goods_are_refunded_in_full(payment):
    decision = RefundPolicy().evaluate(payment, eur("119"), "damaged", date(2026, 11, 10))
    assert decision.approved and decision.amount == eur("119") and decision.restocking_fee.is_zero()


def test_window_is_inclusive(payment):
    assert RefundPolicy().evaluate(payment, eur("1"), "damaged", date(2026, 12, 2)).approved
    late = RefundPolicy().evaluate(payment, eur("1"), "damaged", date(2026, 12, 3))
    assert not late.approved and late.reason == "refund window closed on 2026-12-02"


def test_cumulative_limit():
    partly = Payment("ORD-1", eur("119"), PAID, refunded=eur("100"))
    assert partly.refundable == eur("19")
    decision = RefundPolicy().evaluate(partly, eur("20"), "damaged", PAID)
    assert not decision.approved and "19.00 EUR" in decision.reason
    assert RefundPolicy().evaluate(partly, eur("19"), "damaged", PAID).approved


def test_fee_rounds_half_up(payment):
    decision = RefundPolicy().evaluate(payment, Money(5, "EUR"), "too_small", PAID)
    assert decision.restocking_fee == Money(1, "EUR") and decision.amount == Money(4, "EUR")


def test_invalid_requests(payment):
    with pytest.raises(ValidationError, match="currency"):
        RefundPolicy().evaluate(payment, Money(100, "USD"), "damaged", PAID)
    with pytest.raises(ValidationError, match="positive"):
        RefundPolicy().evaluate(payment, eur("0"), "damaged", PAID)

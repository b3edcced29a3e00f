import pytest

from service.common.errors import NotFound, ValidationError
from service.common.money import Money
from service.payments.fees import STANDARD, FeeRule, compute_fee


@pytest.mark.parametrize(
    "minor,method,expected",
    [
        (10_000, "card", 320),  # last cent of the first tier: 2.90% + 0.30
        (10_001, "card", 280),  # second tier: 2.50% + 0.30
        (50, "card", 31),
        (500, "card", 45),  # 14.5 rounds half up to 15
        (1_000, "sepa", 20),  # minimum
        (100_000, "sepa", 350),
        (200_000, "sepa", 500),  # cap
        (5_000, "wallet", 205),
    ],
)
def test_standard_schedule(minor, method, expected):
    assert compute_fee(Money(minor, "EUR"), method) == Money(expected, "EUR")


def test_international_surcharge():
    assert compute_fee(Money(10_000, "EUR"), "card", international=True) == Money(470, "EUR")


def test_fee_keeps_currency():
    assert compute_fee(Money(10_000, "USD"), "card").currency == "USD"


def test_rule_bounds():
    rule = FeeRule(basis_points=100, fixed_minor=5, minimum_minor=50, cap_minor=80)
    assert rule.apply(Money(100, "EUR")).minor == 50
    assert rule.apply(Money(6_000, "EUR")).minor == 65
    assert rule.apply(Money(100_000, "EUR")).minor == 80


def test_refusals():
    with pytest.raises(ValidationError):
        STANDARD.fee(Money(-1, "EUR"), "card")
    with pytest.raises(NotFound, match="bank"):
        STANDARD.fee(Money(100, "EUR"), "bank")
    assert STANDARD.methods() == ["card", "sepa", "wallet"]

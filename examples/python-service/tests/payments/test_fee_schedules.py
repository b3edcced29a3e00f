import pytest

from service.common.errors import NotFound, ValidationError
from service.common.money import Money
from service.payments.fees import FeeRule, FeeSchedule, Tier, schedule_from_dict


@pytest.mark.parametrize(
    "minor,expected",
    [(2_000, 80), (2_001, 80), (100_000, 1_925), (500_000, 5_000)],
)
def test_marketplace_card_tiers(marketplace, minor, expected):
    assert marketplace.fee(Money(minor, "EUR"), "card") == Money(expected, "EUR")


def test_marketplace_sepa_bounds(marketplace):
    assert marketplace.fee(Money(100, "EUR"), "sepa").minor == 25
    assert marketplace.fee(Money(100_000, "EUR"), "sepa").minor == 300


def test_marketplace_international(marketplace):
    assert marketplace.fee(Money(2_000, "EUR"), "card", international=True).minor == 100


def test_schedule_without_surcharge(schedule_data):
    flat = schedule_from_dict("flat", schedule_data["flat"])
    assert flat.methods() == ["wallet"]
    assert flat.fee(Money(123_456, "EUR"), "wallet", international=True).minor == 99
    with pytest.raises(NotFound):
        flat.fee(Money(100, "EUR"), "card")


def test_malformed_schedule_is_named(schedule_data):
    with pytest.raises(ValidationError, match="'broken' is malformed"):
        schedule_from_dict("broken", schedule_data["broken"])


def test_tiers_are_sorted_and_the_last_must_be_open():
    schedule = FeeSchedule("x", {"card": [Tier(None, FeeRule(100)), Tier(1_000, FeeRule(500))]})
    assert schedule.fee(Money(1_000, "EUR"), "card").minor == 50
    assert schedule.fee(Money(1_001, "EUR"), "card").minor == 10
    with pytest.raises(ValidationError, match="unbounded"):
        FeeSchedule("y", {"card": [Tier(1_000, FeeRule(100))]})
    with pytest.raises(ValidationError, match="unknown payment method 'cash'"):
        FeeSchedule("z", {"cash": [Tier(None, FeeRule(0))]})

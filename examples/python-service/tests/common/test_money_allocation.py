import pytest

from service.common.errors import ValidationError
from service.common.money import Money


def test_even_split_hands_out_the_remainder_first_come():
    assert Money(100, "EUR").split(3) == [Money(34, "EUR"), Money(33, "EUR"), Money(33, "EUR")]


def test_allocation_by_ratio_uses_largest_remainder():
    # 1000 by 1:2:4 -> 142.86, 285.71, 571.43 -> remainders .86 .71 .43 -> the two extra cents go to 0 and 1
    shares = Money(1000, "EUR").allocate([1, 2, 4])
    assert shares == [Money(143, "EUR"), Money(286, "EUR"), Money(571, "EUR")]


def test_allocation_always_sums_to_the_original():
    for minor in (1, 7, 99, 1001, 123457):
        for ratios in ([1, 1], [3, 7], [1, 2, 3, 4], [5, 0, 5]):
            shares = Money(minor, "EUR").allocate(ratios)
            assert sum(s.minor for s in shares) == minor


def test_negative_amounts_allocate_symmetrically():
    assert Money(-100, "EUR").split(3) == [Money(-34, "EUR"), Money(-33, "EUR"), Money(-33, "EUR")]


def test_zero_ratio_gets_nothing():
    assert Money(10, "EUR").allocate([0, 1]) == [Money(0, "EUR"), Money(10, "EUR")]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1]])
def test_bad_ratios(ratios):
    with pytest.raises(ValidationError):
        Money(10, "EUR").allocate(ratios)


def test_split_needs_one_part():
    with pytest.raises(ValidationError):
        Money(10, "EUR").split(0)

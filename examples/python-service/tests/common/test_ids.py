import pytest

from service.common.errors import ValidationError
from service.common.ids import (
    check_symbol,
    decode_base32,
    encode_base32,
    luhn_valid,
    make_id,
    mask_card,
    parse_id,
)


def test_base32_round_trip():
    assert encode_base32(0) == "0"
    assert encode_base32(31) == "Z"
    assert encode_base32(32) == "10"
    assert encode_base32(1234) == "16J"
    for number in (1, 37, 1023, 2**40 + 5):
        assert decode_base32(encode_base32(number)) == number


def test_decode_accepts_confusable_letters():
    assert decode_base32("1O") == 32
    assert decode_base32("il") == 33
    with pytest.raises(ValidationError):
        decode_base32("U1")


def test_negative_numbers_cannot_be_encoded():
    with pytest.raises(ValidationError):
        encode_base32(-1)


def test_make_and_parse_id():
    assert make_id("ord", 1234) == "ORD-00016JD"
    assert parse_id("ORD-00016JD", "ord") == 1234
    assert parse_id("ord-00016jd", "ORD") == 1234


def test_check_symbol_catches_typos():
    with pytest.raises(ValidationError, match="check symbol"):
        parse_id("ORD-00016KD", "ord")
    with pytest.raises(ValidationError, match="not a inv id"):
        parse_id("ORD-00016JD", "inv")


def test_check_symbol_uses_mod_37():
    assert check_symbol(0) == "0"
    assert check_symbol(36) == "U"
    assert check_symbol(37) == "0"


@pytest.mark.parametrize(
    "number,valid",
    [
        ("4242 4242 4242 4242", True),
        ("5555-5555-5555-4444", True),
        ("4000056655665556", True),
        ("4242 4242 4242 4241", False),
        ("4242", False),
        ("4242 4242 4242 424x", False),
    ],
)
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


def test_mask_card():
    assert mask_card("4242 4242 4242 4242") == "************4242"
    with pytest.raises(ValidationError):
        mask_card("1234")

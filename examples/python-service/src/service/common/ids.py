"""Readable identifiers with a check symbol, and card-number checks."""

from __future__ import annotations

from .errors import ValidationError

# Crockford base32: no I, L, O, U, so ids survive being read over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"


def encode_base32(number: int) -> str:
    if number < 0:
        raise ValidationError("cannot encode a negative number")
    if number == 0:
        return "0"
    digits = []
    while number:
        number, rest = divmod(number, 32)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def decode_base32(text: str) -> int:
    normalized = text.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    value = 0
    for char in normalized:
        index = ALPHABET.find(char)
        if index < 0:
            raise ValidationError(f"invalid character {char!r} in {text!r}")
        value = value * 32 + index
    return value


def check_symbol(number: int) -> str:
    return CHECK_ALPHABET[number % 37]


def make_id(prefix: str, sequence: int, width: int = 6) -> str:
    """``make_id("ord", 1234)`` -> ``"ORD-00016JD"`` (the last symbol is the check)."""
    body = encode_base32(sequence).rjust(width, "0")
    return f"{prefix.upper()}-{body}{check_symbol(sequence)}"


def parse_id(text: str, prefix: str) -> int:
    expected = prefix.upper() + "-"
    if not text.upper().startswith(expected) or len(text) < len(expected) + 2:
        raise ValidationError(f"{text!r} is not a {prefix} id")
    body, check = text[len(expected):-1], text[-1].upper()
    number = decode_base32(body)
    if check_symbol(number) != check:
        raise ValidationError(f"{text!r} has a wrong check symbol")
    return number


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if not c.isspace() and c != "-"]
    if len(digits) < 12 or not all(c.isdigit() for c in digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_card(number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) < 12:
        raise ValidationError("card number too short to mask")
    return "*" * (len(digits) - 4) + digits[-4:]

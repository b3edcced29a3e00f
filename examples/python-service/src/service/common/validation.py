"""Validation of the values that arrive from requests and files."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from .errors import ValidationError

_SKU = re.compile(r"^[A-Z]{3}-\d{4}(-[A-Z0-9]{2})?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REGION = re.compile(r"^[A-Z]{2}(-[A-Z]{2})?$")


def require_fields(payload: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Raise one error naming every missing field, in the order asked."""
    if not isinstance(payload, Mapping):
        raise ValidationError("request body must be a JSON object")
    missing = [f for f in fields if payload.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"missing field(s): {', '.join(missing)}", missing=missing)


def validate_sku(value: str) -> str:
    sku = str(value).strip().upper()
    if not _SKU.match(sku):
        raise ValidationError(f"invalid SKU {value!r}: expected AAA-0000 or AAA-0000-XX", sku=value)
    return sku


def validate_email(value: str) -> str:
    email = str(value).strip()
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        raise ValidationError(f"invalid e-mail address {value!r}")
    return email.lower()


def validate_currency(value: str) -> str:
    code = str(value).strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationError(f"invalid currency code {value!r}")
    return code


def validate_region(value: str) -> str:
    region = str(value).strip().upper()
    if not _REGION.match(region):
        raise ValidationError(f"invalid region {value!r}: expected CC or CC-SS")
    return region


def parse_positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{name} must be a positive integer, got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{name} must be a positive integer, got {value!r}") from None
    if number <= 0:
        raise ValidationError(f"{name} must be a positive integer, got {number}")
    if maximum is not None and number > maximum:
        raise ValidationError(f"{name} must be at most {maximum}, got {number}")
    return number


def parse_decimal(value: Any, name: str, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ValidationError(f"{name} must be finite, got {value!r}")
    if minimum is not None and number < minimum:
        raise ValidationError(f"{name} must be >= {minimum}, got {number}")
    return number


def parse_percent(value: Any, name: str) -> Decimal:
    """Accept ``"12.5%"``, ``"12.5"`` or ``12.5`` and return the fraction 0.125."""
    text = str(value).strip()
    if text.endswith("%"):
        text = text[:-1]
    percent = parse_decimal(text, name, minimum=Decimal(0))
    if percent > 100:
        raise ValidationError(f"{name} must be at most 100%, got {value!r}")
    return percent / 100


def clamp(value: int, low: int, high: int) -> int:
    if low > high:
        raise ValueError(f"empty range [{low}, {high}]")
    return max(low, min(high, value))

"""JSON in and out: money as strings, dates as ISO 8601, dataclasses as objects."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from ..common.errors import ValidationError
from ..common.money import Money


def to_jsonable(value: object) -> object:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    return value


def dumps(value: object) -> bytes:
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":")).encode("utf-8")


def loads(body: bytes, max_bytes: int = 64 * 1024) -> object:
    if len(body) > max_bytes:
        raise ValidationError(f"request body exceeds {max_bytes} bytes")
    if not body.strip():
        raise ValidationError("request body is empty")
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise ValidationError(f"request body is not valid JSON: {problem}") from None


def money_from_json(value: object) -> Money:
    if isinstance(value, dict):
        try:
            return Money.from_decimal(str(value["amount"]), str(value["currency"]).upper())
        except KeyError as missing:
            raise ValidationError(f"money needs {missing.args[0]!r}") from None
    if isinstance(value, str):
        return Money.parse(value)
    raise ValidationError(f"cannot read money from {value!r}")

"""Settings read from the environment, with an optional JSON file underneath."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from .common.errors import ValidationError
from .common.validation import validate_currency

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one service instance."""

    currency: str = "EUR"
    tax_region: str = "DE"
    fee_schedule: str = "standard"
    low_stock_threshold: int = 5
    reservation_ttl_minutes: int = 15
    refund_window_days: int = 30
    debug: bool = False
    catalog_path: str | None = None
    features: frozenset = field(default_factory=frozenset)

    def has_feature(self, name: str) -> bool:
        return name in self.features


def parse_bool(raw: str, name: str) -> bool:
    """Parse the usual spellings of a boolean; anything else is a user error."""
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"{name} must be a boolean (true/false), got {raw!r}")


def parse_int(raw: str, name: str, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValidationError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValidationError(f"{name} must be >= {minimum}, got {value}")
    return value


def _from_mapping(base: Settings, values: Mapping[str, object], source: str) -> Settings:
    changes: dict = {}
    for key, raw in values.items():
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if key == "currency":
            changes["currency"] = validate_currency(text.strip('"'))
        elif key == "tax_region":
            changes["tax_region"] = text.strip('"').upper()
        elif key in ("fee_schedule", "catalog_path"):
            changes[key] = text.strip('"')
        elif key in ("low_stock_threshold", "reservation_ttl_minutes", "refund_window_days"):
            changes[key] = parse_int(text, f"{source}:{key}", minimum=1 if key != "low_stock_threshold" else 0)
        elif key == "debug":
            changes["debug"] = parse_bool(text, f"{source}:debug")
        elif key == "features":
            items = raw if isinstance(raw, list) else str(raw).split(",")
            changes["features"] = frozenset(str(i).strip() for i in items if str(i).strip())
        else:
            raise ValidationError(f"{source}: unknown setting {key!r}")
    return replace(base, **changes)


def load_settings(env: Mapping[str, str] | None = None, path: str | os.PathLike | None = None) -> Settings:
    """Build settings: defaults, then the JSON file, then ``SERVICE_*`` variables."""
    env = os.environ if env is None else env
    settings = Settings()
    file_path = path or env.get("SERVICE_CONFIG")
    if file_path:
        data = json.loads(Path(file_path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValidationError(f"{file_path}: expected a JSON object at the top level")
        settings = _from_mapping(settings, data, str(file_path))
    prefix = "SERVICE_"
    from_env = {
        k[len(prefix):].lower(): v for k, v in env.items() if k.startswith(prefix) and k != "SERVICE_CONFIG"
    }
    return _from_mapping(settings, from_env, "environment") if from_env else settings

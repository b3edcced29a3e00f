import os

import pytest

from service.common.errors import ValidationError
from service.config import Settings, load_settings, parse_bool, parse_int

CONFIG_FILE = os.path.join(os.path.dirname(__file__), "data", "config.json")


def test_defaults_without_environment():
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.currency == "EUR" and settings.reservation_ttl_minutes == 15


def test_file_then_environment_override():
    settings = load_settings(env={"SERVICE_CONFIG": CONFIG_FILE, "SERVICE_LOW_STOCK_THRESHOLD": "8"})
    assert settings.tax_region == "FR"
    assert settings.refund_window_days == 14
    assert settings.low_stock_threshold == 8
    assert settings.has_feature("reports") and not settings.has_feature("beta")


def test_explicit_path_wins_over_variable(write_json):
    path = write_json("other.json", {"currency": "usd"})
    settings = load_settings(env={"SERVICE_CONFIG": CONFIG_FILE}, path=path)
    assert settings.currency == "USD"
    assert settings.tax_region == "DE"


@pytest.mark.parametrize("raw,expected", [("1", True), ("Yes", True), (" on ", True), ("0", False), ("", False)])
def test_parse_bool(raw, expected):
    assert parse_bool(raw, "X") is expected


def test_parse_bool_rejects_other_words():
    with pytest.raises(ValidationError, match="SERVICE_DEBUG must be a boolean"):
        parse_bool("maybe", "SERVICE_DEBUG")


def test_parse_int_enforces_minimum():
    assert parse_int(" 7 ", "n", minimum=1) == 7
    with pytest.raises(ValidationError, match=">= 1"):
        parse_int("0", "n", minimum=1)
    with pytest.raises(ValidationError, match="integer"):
        parse_int("seven", "n")


def test_zero_low_stock_threshold_is_allowed_but_zero_ttl_is_not():
    assert load_settings(env={"SERVICE_LOW_STOCK_THRESHOLD": "0"}).low_stock_threshold == 0
    with pytest.raises(ValidationError):
        load_settings(env={"SERVICE_RESERVATION_TTL_MINUTES": "0"})


def test_unknown_setting_is_named(write_json):
    path = write_json("bad.json", {"colour": "red"})
    with pytest.raises(ValidationError, match="unknown setting 'colour'"):
        load_settings(env={}, path=path)


def test_top_level_must_be_object(write_json):
    path = write_json("list.json", [1, 2])
    with pytest.raises(ValidationError, match="JSON object"):
        load_settings(env={}, path=path)


def test_features_from_comma_list():
    settings = load_settings(env={"SERVICE_FEATURES": "a, b,,c", "SERVICE_DEBUG": "true"})
    assert settings.features == frozenset({"a", "b", "c"}) and settings.debug

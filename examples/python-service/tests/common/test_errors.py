from service.common import errors


def test_statuses_follow_http_semantics():
    assert errors.ValidationError("x").status == 400
    assert errors.PaymentDeclined("x").status == 402
    assert errors.NotFound("x").status == 404
    assert errors.Conflict("x").status == 409
    assert errors.InsufficientStock("x").status == 409
    assert errors.ServiceError("x").status == 500


def test_subclasses_keep_their_parent_category():
    assert issubclass(errors.CurrencyMismatch, errors.ValidationError)
    assert issubclass(errors.InsufficientStock, errors.Conflict)


def test_to_dict_sorts_details_and_omits_empty():
    body = errors.InsufficientStock("short", sku="MUG-0001", available=2).to_dict()
    assert body == {
        "error": "insufficient_stock",
        "message": "short",
        "details": {"available": 2, "sku": "MUG-0001"},
    }
    assert list(body["details"]) == ["available", "sku"]
    assert errors.NotFound("gone").to_dict() == {"error": "not_found", "message": "gone"}

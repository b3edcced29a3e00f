import pytest

from service.common.errors import Conflict, NotFound, ValidationError
from service.inventory.catalog import Catalog, load_catalog_json, product_from_dict
from tests.helpers.builders import eur, make_product


def test_catalog_file_loads(catalog):
    assert len(catalog) == 12
    mug = catalog.get("mug-0001")
    assert mug.name == "Enamel camping mug" and mug.price == eur("12.90") and mug.weight_grams == 180
    assert not catalog.get("OLD-0900").active


def test_iteration_is_sorted_by_sku(catalog):
    skus = [p.sku for p in catalog]
    assert skus == sorted(skus) and skus[0] == "BAG-0500"


def test_duplicates_and_unknowns():
    catalog = Catalog([make_product("TST-0001")])
    with pytest.raises(Conflict):
        catalog.add(make_product("tst-0001"))
    with pytest.raises(NotFound):
        catalog.get("TST-0002")
    with pytest.raises(ValidationError):
        catalog.get("not a sku")


def test_product_invariants():
    with pytest.raises(ValidationError, match="empty name"):
        make_product(name="  ")
    with pytest.raises(ValidationError, match="negative price"):
        make_product(price="-1")
    with pytest.raises(ValidationError, match="negative weight"):
        make_product(weight_grams=-5)


def test_product_from_dict_defaults_and_errors():
    product = product_from_dict({"sku": "abc-1234", "name": "Thing", "price": "EUR 3"})
    assert product.sku == "ABC-1234" and product.category == "misc" and product.active
    with pytest.raises(ValidationError, match="missing 'price'"):
        product_from_dict({"sku": "ABC-1234", "name": "Thing"})


def test_plain_list_files_are_accepted(write_json):
    path = write_json("list.json", [{"sku": "ABC-1234", "name": "Thing", "price": "1.00 EUR"}])
    assert [p.sku for p in load_catalog_json(path)] == ["ABC-1234"]

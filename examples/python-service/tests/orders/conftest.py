import pytest

from service.orders.checkout import CheckoutService
from service.orders.pricing import parse_promotion
from service.payments.ledger import standard_ledger
from tests.helpers.builders import load_promotion_data, load_test_catalog, stocked_warehouse


@pytest.fixture(scope="module")
def catalog():
    return load_test_catalog()


@pytest.fixture
def promotions():
    return {p.code: p for p in map(parse_promotion, load_promotion_data())}


@pytest.fixture
def warehouse(catalog, clock):
    return stocked_warehouse(catalog, clock, units=10)


@pytest.fixture
def ledger():
    return standard_ledger()


@pytest.fixture
def checkout(warehouse, ledger):
    return CheckoutService(warehouse, ledger, home_country="DE")

import service
from service import Money, config


def test_version_is_semver():
    major, minor, patch = service.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_package_reexports_money_and_config():
    assert Money.parse("1.00 EUR").minor == 100
    assert config.Settings().currency == "EUR"
    assert set(service.__all__) == {"Money", "config", "__version__"}


def test_subpackages_reexport_their_main_types():
    from service.inventory import Catalog, Warehouse
    from service.orders import Cart, price_cart
    from service.payments import Ledger, compute_fee

    assert Catalog().search() == []
    assert Cart("EUR").is_empty()
    assert Ledger().transactions() == []
    assert Warehouse is not None and callable(price_cart)
    assert compute_fee(Money(10_000, "EUR"), "card").minor == 320

import pytest

from service.orders.checkout import CheckoutService, PaymentDetails
from service.payments.ledger import standard_ledger
from tests.helpers.builders import load_test_catalog, make_cart, stocked_warehouse


@pytest.fixture
def trading_day(clock, today):
    """A ledger and the orders of a small, fixed day of trading."""
    catalog = load_test_catalog()
    ledger = standard_ledger()
    checkout = CheckoutService(stocked_warehouse(catalog, clock), ledger)
    baskets = [
        (("MUG-0001", 2),),
        ("TNT-1000", ("MAT-0600", 2)),
        ("KNF-0200",),
        ("MUG-0001", "LMP-0300"),
    ]
    orders = [
        checkout.place_order(make_cart(catalog, *basket), PaymentDetails("sepa"), "DE", today) for basket in baskets
    ]
    return ledger, orders

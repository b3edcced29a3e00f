"""A day of trading replayed through the application: orders, refunds, and the books at close."""

import json

import pytest

from service.common.money import Money

ROUNDS = 300


def post(app, path, document):
    status, body = app.handle("POST", path, body=json.dumps(document).encode())
    return status, json.loads(body)


def get(app, path):
    status, body = app.handle("GET", path)
    return status, json.loads(body)


@pytest.mark.integration
def test_every_basket_can_be_ordered(shop, baskets):
    for basket in baskets:
        status, body = post(shop, "/orders", basket)
        assert status == 201, body
    assert get(shop, "/health")[1]["orders"] == len(baskets)


@pytest.mark.slow
@pytest.mark.integration
def test_books_balance_after_a_busy_day(shop, baskets):
    placed = []
    for round_number in range(ROUNDS):
        for basket in baskets:
            status, body = post(shop, "/orders", basket)
            assert status == 201, body
            placed.append(body["order"])
        if round_number % 5 == 0:
            order = placed[-3]
            status, _ = post(shop, f"/orders/{order['id']}/refunds", {"amount": "5.00 EUR", "reason": "damaged"})
            assert status == 200

    ledger = shop.state.ledger
    debits, credits = ledger.trial_balance("EUR")
    assert debits == credits
    gross = sum(Money.parse(f"{o['quote']['total']['amount']} EUR").minor for o in placed)
    fees = sum(Money.parse(f"{o['fee']['amount']} EUR").minor for o in placed)
    refunded = len(range(0, ROUNDS, 5)) * 500
    assert ledger.balance("cash", "EUR").minor == gross - fees - refunded

    report = get(shop, "/reports/sales")[1]["report"]
    assert report["orders"] == len(placed) == ROUNDS * len(baskets)
    assert report["fees"] == {"amount": f"{fees / 100:.2f}", "currency": "EUR"}
    sold = dict(map(tuple, report["best_sellers"]))
    assert sold["MUG-0001"] == ROUNDS * 6
    assert shop.state.warehouse.on_hand("MUG-0001") == 10_000 - ROUNDS * 6

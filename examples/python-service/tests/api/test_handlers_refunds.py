def refund(client, order_id, amount, reason="changed_mind"):
    return client.post(f"/orders/{order_id}/refunds", {"amount": amount, "reason": reason})


def test_partial_refund_with_restocking_fee(client, app, placed_order):
    status, body = refund(client, placed_order["id"], "100.00 EUR")
    assert status == 200
    assert body["refund"]["approved"] is True
    assert body["refund"]["amount"] == {"amount": "90.00", "currency": "EUR"}
    assert body["refund"]["restocking_fee"] == {"amount": "10.00", "currency": "EUR"}
    ledger = app.state.ledger
    # 90.00 split by the order's net:tax ratio (249.00 : 47.31) -> 75.63 net + 14.37 tax
    assert ledger.balance("refunds", "EUR").minor == 7563
    assert ledger.balance("tax_payable", "EUR").minor == 4731 - 1437
    assert ledger.balance("cash", "EUR").minor == 29631 - 104 - 9000  # SEPA fee: 0.35% of 296.31
    debits, credits = ledger.trial_balance("EUR")
    assert debits == credits


def test_refunds_accumulate_up_to_the_total(client, placed_order):
    assert refund(client, placed_order["id"], {"amount": "200", "currency": "EUR"}, "damaged")[0] == 200
    status, body = refund(client, placed_order["id"], "96.32 EUR", "damaged")
    assert status == 422 and body["refund"]["reason"] == "only 96.31 EUR is left to refund"
    assert refund(client, placed_order["id"], "96.31 EUR", "damaged")[0] == 200


def test_refund_window(client, app, placed_order):
    from datetime import date

    app.state.today = date(2026, 12, 3)
    status, body = refund(client, placed_order["id"], "1.00 EUR")
    assert status == 422 and body["refund"]["approved"] is False


def test_refund_validation(client, placed_order):
    assert refund(client, "ORD-0000099", "1.00 EUR")[0] == 404
    assert client.post(f"/orders/{placed_order['id']}/refunds", {"amount": "1.00 EUR"})[0] == 400
    assert refund(client, placed_order["id"], "1.00 USD")[0] == 400

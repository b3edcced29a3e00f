VISA = "4242 4242 4242 4242"


def test_place_and_fetch_order(client, placed_order):
    assert placed_order["id"] == "ORD-0000011"
    assert placed_order["quote"]["total"] == {"amount": "296.31", "currency": "EUR"}
    assert placed_order["payment"] == "sepa"
    status, body = client.get(f"/orders/{placed_order['id'].lower()}")
    assert status == 200 and body["order"] == placed_order
    assert client.get("/health")[1]["orders"] == 1


def test_order_reduces_stock(client, placed_order):
    assert client.get("/products/TNT-1000")[1]["available"] == 4


def test_card_order_with_promotion(client):
    status, body = client.post(
        "/orders",
        {
            "lines": [{"sku": "MUG-0001", "quantity": 4}],
            "payment": {"method": "card", "card_number": VISA},
            "promotions": [{"code": "MUGS2FOR1", "kind": "bogo", "sku": "MUG-0001"}],
        },
    )
    assert status == 201
    assert body["order"]["quote"]["promotion"] == "MUGS2FOR1"
    assert body["order"]["payment"].endswith("4242")


def test_payment_problems(client):
    lines = [{"sku": "MUG-0001"}]
    assert client.post("/orders", {"lines": lines})[1]["details"] == {"missing": ["payment"]}
    assert client.post("/orders", {"lines": lines, "payment": {}})[0] == 400
    status, body = client.post("/orders", {"lines": lines, "payment": {"method": "card", "card_number": "1"}})
    assert status == 402 and body["error"] == "payment_declined"


def test_stock_shortage_is_a_conflict(client):
    order = {"lines": [{"sku": "CHR-0800", "quantity": 6}], "payment": {"method": "sepa"}}
    status, body = client.post("/orders", order)
    assert status == 409
    assert body["details"] == {"available": 5, "sku": "CHR-0800"}


def test_unknown_order(client):
    assert client.get("/orders/ORD-0000099")[0] == 404

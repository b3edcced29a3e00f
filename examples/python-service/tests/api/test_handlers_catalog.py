def test_health(client):
    assert client.get("/health") == (200, {"status": "ok", "products": 12, "orders": 0})


def test_list_and_filter_products(client):
    status, body = client.get("/products", "q=tent")
    assert status == 200
    assert [p["sku"] for p in body["products"]] == ["TNT-1000", "TNT-2000"]
    assert body["products"][0]["price"] == {"amount": "249.00", "currency": "EUR"}
    assert body["products"][0]["available"] == 5
    _, body = client.get("/products", "category=sleep")
    assert [p["sku"] for p in body["products"]] == ["BAG-0500", "MAT-0600"]


def test_get_product(client):
    status, body = client.get("/products/knf-0200")
    assert status == 200 and body["product"]["name"] == "Folding knife" and body["available"] == 5


def test_errors_map_to_statuses(client):
    assert client.get("/products/XYZ-0000")[0] == 404
    assert client.get("/products/bad")[0] == 400
    status, body = client.post("/products", {})
    assert status == 405 and body["error"] == "method_not_allowed"
    assert client.get("/nowhere") == (404, {"error": "not_found", "message": "no route for /nowhere"})


def test_quote(client):
    status, body = client.post("/quotes", {"lines": [{"sku": "MUG-0001", "quantity": 2}]})
    assert status == 200
    assert body["quote"]["total"] == {"amount": "36.53", "currency": "EUR"}  # 30.70 + 19% tax (5.833)


def test_quote_validation(client):
    assert client.post("/quotes", {})[1]["details"] == {"missing": ["lines"]}
    assert client.post("/quotes", {"lines": []})[0] == 400
    assert client.post("/quotes", {"lines": [{"sku": "MUG-0001", "quantity": 0}]})[0] == 400
    assert client.post("/quotes", {"lines": [{"sku": "MUG-0001"}], "region": "Germany"})[0] == 400

def test_empty_report(client):
    status, body = client.get("/reports/sales")
    assert status == 200
    report = body["report"]
    assert report["orders"] == 0 and report["fee_ratio"] is None and "median_order" not in report


def test_report_after_orders(client):
    for lines in ([{"sku": "TNT-1000"}], [{"sku": "MUG-0001", "quantity": 3}], [{"sku": "MUG-0001"}]):
        assert client.post("/orders", {"lines": lines, "payment": {"method": "wallet"}})[0] == 201
    report = client.get("/reports/sales")[1]["report"]
    assert report["orders"] == 3
    assert report["revenue"] == {"amount": "310.40", "currency": "EUR"}  # 249 + (38.70 + 4.90) + (12.90 + 4.90)
    assert report["median_order"] == {"amount": "51.88", "currency": "EUR"}
    assert report["best_sellers"] == [["MUG-0001", 4], ["TNT-1000", 1]]
    # wallet fees: 10.42 + 2.11 + 1.07
    assert report["fees"] == {"amount": "13.60", "currency": "EUR"}
    assert report["fee_ratio"] == 0.0438

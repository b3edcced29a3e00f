def skus(products):
    return [p.sku for p in products]


def test_search_matches_every_word(catalog):
    assert skus(catalog.search("mug")) == ["MUG-0001", "MUG-0002-BL"]
    assert skus(catalog.search("MUG blue")) == ["MUG-0002-BL"]
    assert skus(catalog.search("0100")) == ["PAN-0100"]


def test_search_by_category(catalog):
    assert skus(catalog.search("tent", category="shelter")) == ["TNT-1000", "TNT-2000"]
    assert skus(catalog.search("tent", category="kitchen")) == []


def test_inactive_products_are_hidden_unless_asked(catalog):
    assert catalog.search("lantern") == []
    assert skus(catalog.search("lantern", include_inactive=True)) == ["OLD-0900"]


def test_empty_query_lists_active_products(catalog):
    assert len(catalog.search()) == 11


def test_categories_count_active_products(catalog):
    assert catalog.categories() == {"furniture": 1, "kitchen": 4, "shelter": 2, "sleep": 2, "tools": 2}

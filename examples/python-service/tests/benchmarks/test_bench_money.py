from service.common.money import Money


def test_allocate_many_ways(benchmark):
    amount = Money(1_000_003, "EUR")
    shares = benchmark(amount.allocate, list(range(1, 201)))
    assert sum(s.minor for s in shares) == 1_000_003


def test_parse_and_format(benchmark):
    texts = [f"{n}.{n % 100:02d} EUR" for n in range(2_000)]

    def round_trip():
        return [Money.parse(t).format() for t in texts]

    formatted = benchmark(round_trip)
    assert formatted[1234] == "1,234.34 EUR"

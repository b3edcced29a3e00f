import pytest

from service.api.routing import MethodNotAllowed, Router, split_path
from service.common.errors import NotFound


def handler_named(name):
    def handler(state, request, **params):
        return 200, {"handler": name, **params}

    return handler


@pytest.fixture
def router():
    router = Router()
    router.add("GET", "/orders/{order_id}", handler_named("one"))
    router.add("GET", "/orders/latest", handler_named("latest"))
    router.add("POST", "/orders", handler_named("create"))
    router.add("GET", "/orders", handler_named("list"))
    return router


def test_split_path():
    assert split_path("/a/b/") == ("a", "b")
    assert split_path("/a?x=1") == ("a",)
    assert split_path("/") == ()


def test_parameters_are_captured(router):
    handler, params = router.resolve("GET", "/orders/ORD-1")
    assert handler(None, {}, **params) == (200, {"handler": "one", "order_id": "ORD-1"})


def test_literal_segments_win_over_parameters(router):
    handler, params = router.resolve("get", "/orders/latest")
    assert params == {} and handler(None, {})[1]["handler"] == "latest"


def test_method_matters(router):
    assert router.resolve("POST", "/orders")[0](None, {})[1]["handler"] == "create"
    with pytest.raises(MethodNotAllowed) as caught:
        router.resolve("DELETE", "/orders/ORD-1")
    assert caught.value.status == 405 and caught.value.details["allowed"] == ["GET"]


def test_unknown_paths(router):
    for path in ["/nothing", "/orders/1/2", "/"]:
        with pytest.raises(NotFound):
            router.resolve("GET", path)


def test_duplicate_routes_are_refused(router):
    with pytest.raises(ValueError, match="duplicate route"):
        router.add("get", "/orders/latest/", handler_named("again"))

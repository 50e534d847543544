"""Class-based views: View and MethodView."""

from __future__ import annotations

import typing as t
from functools import wraps

import pytest

from erlen import Blueprint, Erlen, request
from erlen.typing import ResponseReturnValue
from erlen.views import MethodView, View


def test_view_dispatch_and_as_view_attributes(app: Erlen) -> None:
    class Hello(View):
        """Says hello."""

        methods = ["GET", "POST"]

        def __init__(self, greeting: str, *, punct: str = ".") -> None:
            self.greeting = greeting
            self.punct = punct

        def dispatch_request(self, name: str) -> ResponseReturnValue:
            return f"{self.greeting} {name}{self.punct} ({request.method})"

    view = Hello.as_view("hello", "Hi", punct="!")
    assert view.__name__ == "hello"
    assert view.__doc__ == "Says hello."
    assert view.__module__ == __name__
    assert view.view_class is Hello  # type: ignore[union-attr]
    app.add_url_rule("/<name>", view_func=view)
    client = app.test_client()
    assert client.get("/ann").text == "Hi ann! (GET)"
    assert client.post("/ann").text == "Hi ann! (POST)"
    assert client.put("/ann").status_code == 405


def test_view_without_dispatch_request(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.add_url_rule("/", view_func=View.as_view("bare"))
    with pytest.raises(NotImplementedError, match="must implement dispatch_request"):
        app.test_client().get("/")


def test_init_every_request(app: Erlen) -> None:
    instances: list[object] = []

    class Fresh(View):
        def dispatch_request(self) -> ResponseReturnValue:
            instances.append(self)
            return "ok"

    class Shared(Fresh):
        init_every_request = False

    app.add_url_rule("/fresh", view_func=Fresh.as_view("fresh"))
    app.add_url_rule("/shared", view_func=Shared.as_view("shared"))
    client = app.test_client()
    client.get("/fresh")
    client.get("/fresh")
    assert instances[0] is not instances[1]
    instances.clear()
    client.get("/shared")
    client.get("/shared")
    assert instances[0] is instances[1]


def test_decorators_apply_in_order(app: Erlen) -> None:
    def tag(label: str) -> t.Callable[..., t.Any]:
        def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            @wraps(f)
            def wrapper(**kw: t.Any) -> str:
                return f"{label}({f(**kw)})"

            return wrapper

        return decorator

    class Tagged(View):
        decorators = [tag("inner"), tag("outer")]

        def dispatch_request(self) -> ResponseReturnValue:
            return "view"

    view = Tagged.as_view("tagged")
    assert view.__name__ == "tagged"
    assert view.view_class is Tagged  # type: ignore[union-attr]
    app.add_url_rule("/", view_func=view)
    assert app.test_client().get("/").text == "outer(inner(view))"


def test_provide_automatic_options_off(app: Erlen) -> None:
    class NoOptions(View):
        provide_automatic_options = False

        def dispatch_request(self) -> ResponseReturnValue:
            return request.method

    app.add_url_rule("/", view_func=NoOptions.as_view("no_options"))
    assert app.test_client().options("/").status_code == 405


class Items(MethodView):
    def get(self, item_id: int | None = None) -> ResponseReturnValue:
        return f"get {item_id}"

    def post(self) -> ResponseReturnValue:
        return "post", 201


def test_method_view_methods_are_inferred_and_inherited(app: Erlen) -> None:
    class MoreItems(Items):
        def delete(self, item_id: int) -> ResponseReturnValue:
            return f"delete {item_id}"

    class Explicit(MethodView):
        methods = ["GET"]

        def get(self) -> ResponseReturnValue:
            return "get"

        def post(self) -> ResponseReturnValue:  # not in methods: never routed
            return "post"

    assert Items.methods == {"GET", "POST"}
    assert MoreItems.methods == {"GET", "POST", "DELETE"}
    assert Explicit.methods == ["GET"]
    app.add_url_rule("/items", view_func=MoreItems.as_view("items"))
    app.add_url_rule("/items/<int:item_id>", view_func=MoreItems.as_view("item"))
    app.add_url_rule("/explicit", view_func=Explicit.as_view("explicit"))
    client = app.test_client()
    assert client.get("/items").text == "get None"
    rv = client.post("/items")
    assert (rv.status_code, rv.text) == (201, "post")
    assert client.delete("/items/3").text == "delete 3"
    assert client.get("/items/3").text == "get 3"
    assert client.post("/explicit").status_code == 405


def test_method_view_head_falls_back_to_get(app: Erlen) -> None:
    app.add_url_rule("/", view_func=Items.as_view("items"))
    rv = app.test_client().head("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len("get None"))


def test_method_view_own_head(app: Erlen) -> None:
    class WithHead(MethodView):
        def get(self) -> ResponseReturnValue:
            return "get"

        def head(self) -> ResponseReturnValue:
            return "", 200, {"X-Head": "1"}

    app.add_url_rule("/", view_func=WithHead.as_view("with_head"))
    rv = app.test_client().head("/")
    assert (rv.status_code, rv.headers["X-Head"]) == (200, "1")


def test_method_not_implemented_is_405(app: Erlen) -> None:
    class Method405(MethodView):
        def get(self) -> ResponseReturnValue:
            return "get"

    app.add_url_rule("/", view_func=Method405.as_view("m"))
    client = app.test_client()
    rv = client.put("/")
    assert rv.status_code == 405
    assert "GET" in rv.headers["Allow"]


def test_methods_listing_a_missing_handler_is_405(app: Erlen) -> None:
    class Mismatch(MethodView):
        methods = ["GET", "PUT"]

        def get(self) -> ResponseReturnValue:
            return "get"

    app.add_url_rule("/", view_func=Mismatch.as_view("mismatch"))
    rv = app.test_client().put("/")
    assert rv.status_code == 405
    assert rv.headers["Allow"] == "GET"
    assert "Mismatch has no put() handler" in rv.text


def test_async_views(app: Erlen) -> None:
    class AsyncView(View):
        async def dispatch_request(self) -> ResponseReturnValue:  # type: ignore[override]
            return "async view"

    class SharedAsync(AsyncView):
        init_every_request = False

    class AsyncMethods(MethodView):
        async def get(self) -> ResponseReturnValue:
            return "async get"

        def post(self) -> ResponseReturnValue:
            return "sync post"

    app.add_url_rule("/v", view_func=AsyncView.as_view("v"))
    app.add_url_rule("/s", view_func=SharedAsync.as_view("s"))
    app.add_url_rule("/m", view_func=AsyncMethods.as_view("m"), methods=["GET", "POST"])
    client = app.test_client()
    assert client.get("/v").text == "async view"
    assert client.get("/s").text == "async view"
    assert client.get("/m").text == "async get"
    assert client.head("/m").status_code == 200
    assert client.post("/m").text == "sync post"


def test_method_view_in_a_blueprint(app: Erlen) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/items", view_func=Items.as_view("items"))
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/api/items").text == "get None"
    assert "api.items" in app.view_functions

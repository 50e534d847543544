"""Application and request contexts, and the helpers built on them."""

from __future__ import annotations

import threading
import typing as t

import pytest

from erlen import (
    Erlen,
    Response,
    after_this_request,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    stream_with_context,
)
from erlen.globals import _cv_app, _cv_request
from erlen.testing import ErlenClient


def test_proxies_are_falsy_and_raise_outside_contexts() -> None:
    assert not current_app
    assert not request
    assert not g
    with pytest.raises(RuntimeError, match="Working outside of application context") as info:
        current_app.name  # noqa: B018
    assert "app.app_context()" in str(info.value)
    with pytest.raises(RuntimeError, match="Working outside of request context") as info2:
        request.args  # noqa: B018
    assert "test_request_context" in str(info2.value)
    with pytest.raises(RuntimeError, match="request context"):
        session.get("x")


def test_app_context(app: Erlen) -> None:
    assert not has_app_context()
    with app.app_context() as ctx:
        assert has_app_context()
        assert not has_request_context()
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert current_app.name == app.name
        assert ctx.app is app
    assert not has_app_context()


def test_g_api(app: Erlen) -> None:
    with app.app_context():
        g.user = "ada"
        assert "user" in g
        assert g.get("user") == "ada"
        assert g.get("missing", 3) == 3
        assert g.setdefault("n", 1) == 1
        assert g.setdefault("n", 2) == 1
        assert sorted(g) == ["n", "user"]
        assert g.pop("user") == "ada"
        assert g.pop("user", None) is None
        with pytest.raises(KeyError):
            g.pop("user")
        with pytest.raises(AttributeError, match="missing"):
            g.missing  # noqa: B018
        assert "g of" in repr(g._get_current_object()) or "n" in repr(g)  # type: ignore[attr-defined]


def test_request_context_pushes_app_context(app: Erlen) -> None:
    with app.test_request_context("/path?q=1") as ctx:
        assert has_request_context()
        assert has_app_context()
        assert request.path == "/path"
        assert request.args["q"] == "1"
        assert ctx.request is request._get_current_object()  # type: ignore[attr-defined]
    assert not has_app_context()


def test_request_context_reuses_existing_app_context(app: Erlen) -> None:
    with app.app_context():
        g.marker = "outer"
        with app.test_request_context():
            assert g.marker == "outer"
        assert g.marker == "outer"


def test_request_context_for_other_app_pushes_new_app_context(app: Erlen) -> None:
    other = Erlen("other")
    with app.app_context():
        g.marker = "outer"
        with other.test_request_context():
            assert current_app.name == "other"
            assert "marker" not in g
        assert current_app.name == app.name


def test_nested_pushes_of_the_same_context(app: Erlen) -> None:
    ctx = app.test_request_context()
    ctx.push()
    ctx.push()
    ctx.pop()
    assert has_request_context()
    ctx.pop()
    assert not has_request_context()


def test_popping_wrong_context_is_an_error(app: Erlen) -> None:
    first = app.app_context()
    second = Erlen("other").app_context()
    first.push()
    second.push()
    with pytest.raises(AssertionError, match="Popped wrong"):
        first.pop()
    second.pop()
    first.pop()
    assert _cv_app.get(None) is None


def test_one_context_object_per_request(app: Erlen, client: ErlenClient) -> None:
    seen: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        seen.append(_cv_request.get())
        return "ok"

    client.get("/")
    client.get("/")
    assert len(seen) == 2
    assert seen[0] is not seen[1]
    assert _cv_request.get(None) is None


def test_after_this_request(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> str:
        @after_this_request
        def add_header(resp: Response) -> Response:
            resp.headers["X-Extra"] = "1"
            return resp

        return "ok"

    assert client.get("/").headers["X-Extra"] == "1"


def test_after_this_request_outside_request_names_the_problem() -> None:
    with pytest.raises(RuntimeError, match="request"):
        after_this_request(lambda r: r)


def test_copy_current_request_context(app: Erlen, client: ErlenClient) -> None:
    results: list[str] = []

    @app.route("/")
    def index() -> str:
        @copy_current_request_context
        def work() -> None:
            results.append(request.args["who"])

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return "ok"

    client.get("/?who=thread")
    assert results == ["thread"]


def test_copy_current_request_context_outside_request() -> None:
    with pytest.raises(RuntimeError, match="request"):
        copy_current_request_context(lambda: None)


def test_stream_with_context_keeps_request(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> Response:
        def generate() -> t.Iterator[str]:
            yield "hello "
            yield request.args["name"]

        return Response(stream_with_context(generate()))

    assert client.get("/?name=ada").text == "hello ada"


def test_stream_with_context_as_decorator(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> Response:
        @stream_with_context
        def generate() -> t.Iterator[str]:
            yield request.method

        return Response(generate())

    assert client.get("/").text == "GET"


def test_abandoned_stream_with_context_does_not_leak_context(app: Erlen) -> None:
    teardowns: list[str] = []
    app.teardown_request(lambda exc: teardowns.append("request"))

    @app.route("/")
    def index() -> Response:
        def generate() -> t.Iterator[str]:
            yield request.path
            yield "never reached"

        return Response(stream_with_context(generate()))

    response = app.test_client().get("/", buffered=False)
    iterator = iter(response.response)
    assert next(iterator) == b"/"
    response.close()  # client disconnected before the end
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None
    assert teardowns == ["request"]


def test_with_client_keeps_last_context(app: Erlen) -> None:
    @app.route("/")
    def index() -> str:
        g.value = 42
        return "ok"

    with app.test_client() as c:
        c.get("/?x=1")
        assert request.args["x"] == "1"
        assert g.value == 42
        c.get("/?x=2")
        assert request.args["x"] == "2"
    assert not has_request_context()


def test_session_proxy(app: Erlen, client: ErlenClient) -> None:
    @app.route("/set")
    def set_value() -> str:
        session["n"] = 1
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return str(session.get("n"))

    client.get("/set")
    assert client.get("/get").text == "1"

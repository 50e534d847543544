"""Application and request contexts, and the helpers built on them."""

from __future__ import annotations

import gc
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

from .conftest import raw_environ


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
        assert "g of" in repr(g._get_current_object()) or "n" in repr(g)


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


def test_stream_with_context_outside_request_names_the_fix() -> None:
    with pytest.raises(RuntimeError, match="inside a view"):
        stream_with_context(iter(["x"]))


def test_stream_with_context_tears_down_after_the_stream(app: Erlen) -> None:
    events: list[str] = []
    app.teardown_request(lambda exc: events.append(f"teardown_request {exc!r}"))
    app.teardown_appcontext(lambda exc: events.append(f"teardown_appcontext {g.get('who')}"))

    @app.route("/")
    def index() -> Response:
        g.who = "ada"

        def generate() -> t.Iterator[str]:
            events.append(f"step {request.path} {g.who}")
            yield "a"
            events.append("last step")
            yield "b"

        return Response(stream_with_context(generate()))

    response = app.test_client().get("/", buffered=False)
    assert events == []  # the view's own pop did not tear down: the stream still needs it
    assert _cv_request.get(None) is None  # and the caller's context is clean meanwhile
    assert response.data == b"ab"
    response.close()
    assert events == [
        "step / ada",
        "last step",
        "teardown_request None",
        "teardown_appcontext ada",
    ]


def test_stream_with_context_error_reaches_teardown(app: Erlen) -> None:
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)

    @app.route("/")
    def index() -> Response:
        def generate() -> t.Iterator[str]:
            yield "a"
            raise ValueError("mid-stream")

        return Response(stream_with_context(generate()))

    response = app.test_client().get("/", buffered=False)
    with pytest.raises(ValueError, match="mid-stream"):
        response.get_data()
    response.close()
    assert [type(e) for e in seen] == [ValueError]
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


def test_stream_with_context_and_with_client(app: Erlen) -> None:
    torn: list[str] = []
    app.teardown_appcontext(lambda exc: torn.append("app"))

    @app.route("/")
    def index() -> Response:
        g.value = 1
        return Response(stream_with_context(iter(["x", "y"])))

    with app.test_client() as client:
        assert client.get("/").data == b"xy"
        # The stream's end tore the contexts down, as a request's end does, and the client
        # then restored them for inspection.
        assert torn == ["app"]
        assert g.value == 1
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


def test_abandoned_stream_leaves_no_context_on_the_worker_thread(app: Erlen) -> None:
    """Regression test for pallets/flask#6123.

    A threaded server runs a request whose ``stream_with_context`` body the client abandons
    (the server drops the iterator without closing it), then runs the next request on the
    same worker thread. That request must get a fresh app context (its own ``g``, its own
    ``teardown_appcontext``), and the abandoned stream is torn down when it is collected,
    wherever that happens.
    """
    torn: list[tuple[str, str | None]] = []
    app.teardown_appcontext(lambda exc: torn.append(("app", g.get("who"))))
    app.teardown_request(lambda exc: torn.append(("request", request.path)))

    @app.route("/stream")
    def stream() -> Response:
        g.who = "stream"

        def generate() -> t.Iterator[str]:
            yield request.path
            yield g.who  # pragma: no cover - the client is gone before this

        return Response(stream_with_context(generate()))

    @app.route("/next")
    def next_request() -> str:
        leftover = g.get("who")
        g.who = "next"
        return f"leftover={leftover}"

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        return lambda data: None

    seen: dict[str, t.Any] = {}

    def worker() -> None:
        body = app(raw_environ(PATH_INFO="/stream"), start_response)
        seen["first chunk"] = next(iter(body))
        seen["contexts between requests"] = (_cv_request.get(None), _cv_app.get(None))
        seen["next"] = b"".join(app(raw_environ(PATH_INFO="/next"), start_response))
        seen["abandoned"] = body  # the server drops it without calling close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["first chunk"] == b"/stream"
    assert seen["contexts between requests"] == (None, None)
    assert seen["next"] == b"leftover=None"
    assert torn == [("request", "/next"), ("app", "next")]
    del seen["abandoned"]
    gc.collect()  # collected on another thread than the one that iterated it
    assert torn[2:] == [("request", "/stream"), ("app", "stream")]
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


@pytest.mark.parametrize("keep_context", [False, True])
def test_a_raising_appcontext_pushed_receiver_leaves_nothing_bound(
    app: Erlen, keep_context: bool
) -> None:
    from erlen import appcontext_pushed

    app.add_url_rule("/", "i", lambda: "ok")

    def boom(sender: t.Any, **extra: t.Any) -> None:
        raise ValueError("receiver failed")

    client = app.test_client()
    with appcontext_pushed.connected_to(boom, app):
        if keep_context:
            with client, pytest.raises(ValueError, match="receiver failed"):
                client.get("/")
        else:
            with pytest.raises(ValueError, match="receiver failed"):  # not a LookupError
                client.get("/")
    assert _cv_app.get(None) is None
    assert _cv_request.get(None) is None
    assert client.get("/").text == "ok"  # the thread's next request is clean


def test_a_copied_context_shares_an_opened_session(app: Erlen) -> None:
    with app.test_request_context("/"):
        session["user"] = "ann"
        ctx = _cv_request.get()
        copy = ctx.copy()
        assert copy.session is ctx.session
        assert copy.request is ctx.request


def test_the_url_adapter_is_made_on_first_use_and_can_be_replaced(app: Erlen) -> None:
    ctx = app.test_request_context("/")
    adapter = ctx.url_adapter
    assert adapter is not None
    assert ctx.url_adapter is adapter  # made once
    ctx.url_adapter = None
    assert ctx.url_adapter is None


def test_the_g_of_an_app_context_is_made_once_and_can_be_replaced(app: Erlen) -> None:
    ctx = app.app_context()
    first = ctx.g
    assert ctx.g is first
    assert isinstance(first, app.app_ctx_globals_class)
    replacement = app.app_ctx_globals_class()
    ctx.g = replacement
    with ctx:
        g.x = 1
        assert ctx.g is replacement
        assert replacement.x == 1
    assert app.app_context().g is not replacement

"""Async views, hooks, handlers and teardown functions on the worker thread's event loop."""

from __future__ import annotations

import asyncio
import threading
import typing as t

import pytest

from erlen import Blueprint, Erlen, Response, g, request, stream_with_context
from erlen.globals import _cv_request


def test_every_kind_of_async_function(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    calls: list[str] = []

    @app.url_value_preprocessor
    def uvp(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        calls.append("uvp")

    @app.before_request
    async def before() -> None:
        g.started = True
        calls.append("before")

    @app.after_request
    async def after(response: Response) -> Response:
        calls.append("after")
        return response

    @app.teardown_request
    async def teardown(exc: BaseException | None) -> None:
        calls.append(f"teardown {type(exc).__name__}")

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        calls.append("teardown_app")

    @app.errorhandler(ValueError)
    async def on_value_error(e: ValueError) -> tuple[str, int]:
        await asyncio.sleep(0)
        return f"handled {e}", 400

    @app.errorhandler(500)
    async def on_500(e: t.Any) -> tuple[str, int]:
        return f"500 for {type(e.original_exception).__name__}", 500

    @app.route("/value")
    async def value() -> str:
        raise ValueError("bad")

    @app.route("/crash")
    async def crash() -> str:
        raise KeyError("k")

    client = app.test_client()
    rv = client.get("/value")
    assert (rv.status_code, rv.text) == (400, "handled bad")
    assert calls == ["uvp", "before", "after", "teardown NoneType", "teardown_app"]
    rv = client.get("/crash")
    assert (rv.status_code, rv.text) == (500, "500 for KeyError")


def test_loop_is_reused_across_requests(app: Erlen) -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    @app.route("/")
    async def index() -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    client = app.test_client()
    for _ in range(3):
        client.get("/")
    assert loops[0] is loops[1] is loops[2]

    def in_thread() -> None:
        client.get("/")

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert loops[3] is not loops[0]  # each worker thread has its own loop


def test_request_context_is_visible_inside_the_coroutine(app: Erlen) -> None:
    @app.route("/<name>")
    async def index(name: str) -> str:
        await asyncio.sleep(0)
        return f"{name} {request.args['q']} {request.path}"

    assert app.test_client().get("/ann?q=1").text == "ann 1 /ann"


def test_stream_with_context_from_an_async_view(app: Erlen) -> None:
    closed: list[bool] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        closed.append(True)

    @app.route("/")
    async def index() -> t.Any:
        def generate() -> t.Iterator[str]:
            yield "a"
            yield request.args["x"]

        return stream_with_context(generate())

    rv = app.test_client().get("/?x=1")
    assert rv.data == b"a1"
    assert closed == [True]
    assert _cv_request.get(None) is None


def test_async_view_on_a_thread_running_a_loop(app: Erlen) -> None:
    @app.route("/")
    async def index() -> str:
        return "never"

    async def under_a_loop() -> None:
        app.test_client().get("/")

    with pytest.raises(RuntimeError, match=r"already running an event loop.*ASGI"):
        asyncio.run(under_a_loop())


def test_async_view_on_a_running_loop_is_a_500_in_production(
    app: Erlen, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    async def index() -> str:
        return "never"

    async def under_a_loop() -> int:
        return app.test_client().get("/").status_code

    assert asyncio.run(under_a_loop()) == 500
    assert "already running an event loop" in caplog.text


def test_ensure_sync_override_is_used(app: Erlen) -> None:
    wrapped: list[str] = []
    original = app.ensure_sync

    def ensure_sync(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        wrapped.append(func.__name__)
        return original(func)

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]

    @app.route("/")
    async def index() -> str:
        return "ok"

    assert app.test_client().get("/").text == "ok"
    assert "index" in wrapped


def test_async_blueprint_error_handler(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_errorhandler(404)
    async def missing(e: Exception) -> tuple[str, int]:
        return "async 404", 404

    app.register_blueprint(bp)
    rv = app.test_client().get("/nowhere")
    assert (rv.status_code, rv.text) == (404, "async 404")

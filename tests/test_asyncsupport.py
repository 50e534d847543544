"""Async views and hooks on a per-thread event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from erlen import Erlen, Response, request
from erlen.asyncsupport import run_coroutine


def test_async_view_and_hooks(app: Erlen) -> None:
    calls: list[str] = []

    @app.before_request
    async def before() -> None:
        calls.append("before")

    @app.after_request
    async def after(resp: Response) -> Response:
        calls.append("after")
        return resp

    @app.route("/")
    async def index() -> str:
        await asyncio.sleep(0)
        return f"async {request.args.get('x')}"

    rv = app.test_client().get("/?x=1")
    assert rv.text == "async 1"
    assert calls == ["before", "after"]


def test_loop_is_reused_on_a_thread() -> None:
    async def current() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert run_coroutine(current()) is run_coroutine(current())
    other: list[asyncio.AbstractEventLoop] = []
    thread = threading.Thread(target=lambda: other.append(run_coroutine(current())))
    thread.start()
    thread.join()
    assert other[0] is not run_coroutine(current())


def test_running_loop_gives_clear_error() -> None:
    async def inner() -> int:
        return 1

    async def outer() -> None:
        run_coroutine(inner())

    with pytest.raises(RuntimeError, match="already running an event loop"):
        asyncio.run(outer())


def test_async_error_handler(app: Erlen) -> None:
    @app.errorhandler(404)
    async def missing(e: Exception) -> tuple[str, int]:
        return "async 404", 404

    assert app.test_client().get("/nope").text == "async 404"

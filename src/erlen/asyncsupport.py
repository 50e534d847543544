"""Running ``async def`` views and hooks from synchronous WSGI code."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import typing as t
import weakref

_local = threading.local()


def _runner() -> asyncio.Runner:
    # PERF: one event loop per worker thread, reused across requests; creating a loop per
    # request costs far more than the coroutine usually does.
    runner: asyncio.Runner | None = getattr(_local, "runner", None)
    if runner is None:
        runner = _local.runner = asyncio.Runner()
        weakref.finalize(threading.current_thread(), runner.close)
    return runner


def run_coroutine(coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
    """Run ``coro`` to completion on this thread's loop, in a copy of the current context."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            "An async view or hook was called from a thread that is already running an event"
            " loop. Erlen runs async functions on a WSGI worker thread; under an ASGI server,"
            " or from async code, await the function directly instead."
        )
    # PERF: the loop's run_until_complete, not Runner.run: Runner.run swaps the SIGINT
    # handler on every call (about 100 µs on the main thread); the task is the same.
    loop = _runner().get_loop()
    task = loop.create_task(coro, context=contextvars.copy_context())
    return loop.run_until_complete(task)


def async_to_sync(
    func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]],
) -> t.Callable[..., t.Any]:
    """Wrap a coroutine function so that calling it runs it to completion and returns."""

    @functools.wraps(func)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return run_coroutine(func(*args, **kwargs))

    return wrapper

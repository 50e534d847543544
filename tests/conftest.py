"""Shared fixtures: every test-client request is checked by ``wsgiref.validate``."""

from __future__ import annotations

import importlib.util
import os
import types
import typing as t
from pathlib import Path

import pytest

import erlen.app
from erlen import Erlen
from erlen.testing import ErlenClient

# Every request made through a test client in this suite also checks PEP 3333 compliance.
ErlenClient.validate_wsgi = True


def load_tool(name: str) -> types.ModuleType:
    """``tools/<name>.py`` (a script folder, not a package) imported as a module."""
    path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _general_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ERLEN_TEST_GENERAL_PIPELINE=1 (``make test`` sets it for its second run of the
    suite), every app takes wsgi_app's general path, never the plain one."""
    if os.environ.get("ERLEN_TEST_GENERAL_PIPELINE") == "1":
        monkeypatch.setattr(erlen.app, "_pipeline_is_plain", lambda app: False)


_pipeline_is_plain = erlen.app._pipeline_is_plain


@pytest.fixture
def plain_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the tests of the plain path itself: it stays available in the second run."""
    monkeypatch.setattr(erlen.app, "_pipeline_is_plain", _pipeline_is_plain)


@pytest.fixture
def app() -> Erlen:
    """A fresh application in testing mode."""
    app = Erlen("test_app_module")
    app.config["TESTING"] = True
    app.secret_key = "test key"
    return app


@pytest.fixture
def client(app: Erlen) -> ErlenClient:
    """A test client for :func:`app`."""
    return app.test_client()


def call_wsgi(app: t.Any, environ: dict[str, t.Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call ``app`` with a raw ``environ`` (no validator: for hostile input) and read it all."""
    captured: list[t.Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        captured[:] = [status, headers]
        return lambda data: None

    app_iter = app(environ, start_response)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return captured[0], captured[1], body


def raw_environ(**overrides: t.Any) -> dict[str, t.Any]:
    """A minimal GET environ for ``/`` with ``overrides`` applied."""
    import io
    import sys

    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(overrides)
    return environ

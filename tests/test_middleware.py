"""ProxyFix and DispatcherMiddleware."""

from __future__ import annotations

import typing as t

import pytest

from erlen import Erlen, request, url_for
from erlen.middleware import DispatcherMiddleware, ProxyFix

from .conftest import call_wsgi, raw_environ


def _echo_environ(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    keys = (
        "REMOTE_ADDR",
        "wsgi.url_scheme",
        "HTTP_HOST",
        "SERVER_NAME",
        "SERVER_PORT",
        "SCRIPT_NAME",
        "PATH_INFO",
    )
    return ["|".join(str(environ.get(k)) for k in keys).encode()]


def _run(app: t.Any, **headers: str) -> list[str]:
    environ = raw_environ(REMOTE_ADDR="10.0.0.1", **headers)
    return call_wsgi(app, environ)[2].decode().split("|")


@pytest.mark.parametrize(
    ("kwargs", "headers", "expected"),
    [
        ({}, {}, ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"]),
        (
            {},
            {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "HTTP_X_FORWARDED_PROTO": "https"},
            ["1.2.3.4", "https", "localhost", "localhost", "80", "", "/"],
        ),
        # A client-supplied value before the proxy's own is not trusted.
        (
            {},
            {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"},
            ["1.2.3.4", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_for": 2},
            {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"},
            ["6.6.6.6", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_for": 2},
            {"HTTP_X_FORWARDED_FOR": "1.2.3.4"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_host": 1},
            {"HTTP_X_FORWARDED_HOST": "example.test:8443"},
            ["10.0.0.1", "http", "example.test:8443", "example.test", "8443", "", "/"],
        ),
        (
            {"x_host": 1},
            {"HTTP_X_FORWARDED_HOST": "[::1]:8443"},
            ["10.0.0.1", "http", "[::1]:8443", "[::1]", "8443", "", "/"],
        ),
        (
            {"x_host": 1},
            {"HTTP_X_FORWARDED_HOST": "evil\r\n.test"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_port": 1},
            {"HTTP_X_FORWARDED_PORT": "8080"},
            ["10.0.0.1", "http", "localhost:8080", "localhost", "8080", "", "/"],
        ),
        (
            {"x_port": 1},
            {"HTTP_X_FORWARDED_PORT": "80; x"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_prefix": 1},
            {"HTTP_X_FORWARDED_PREFIX": "/app/"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "/app", "/"],
        ),
        (
            {"x_prefix": 1},
            {"HTTP_X_FORWARDED_PREFIX": "/"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {},
            {"HTTP_X_FORWARDED_PROTO": "javascript"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
        (
            {"x_for": 0, "x_proto": 0},
            {"HTTP_X_FORWARDED_FOR": "1.2.3.4"},
            ["10.0.0.1", "http", "localhost", "localhost", "80", "", "/"],
        ),
    ],
)
def test_proxy_fix(kwargs: dict[str, int], headers: dict[str, str], expected: list[str]) -> None:
    assert _run(ProxyFix(_echo_environ, **kwargs), **headers) == expected


def test_proxy_fix_keeps_originals() -> None:
    seen: dict[str, t.Any] = {}

    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        seen.update(environ["erlen.proxy_fix.orig"])
        return _echo_environ(environ, start_response)

    _run(ProxyFix(app), HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert seen["REMOTE_ADDR"] == "10.0.0.1"


def test_proxy_fix_with_erlen_app() -> None:
    app = Erlen("proxied")

    @app.route("/")
    def index() -> dict[str, str]:
        return {"remote": str(request.remote_addr), "url": url_for("index", _external=True)}

    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1, x_prefix=1)  # type: ignore[method-assign]
    rv = app.test_client().get(
        "/",
        headers={
            "X-Forwarded-For": "1.2.3.4",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "public.test",
            "X-Forwarded-Prefix": "/shop",
        },
    )
    assert rv.json == {"remote": "1.2.3.4", "url": "https://public.test/shop/"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ["main", "", "/"]),
        ("/api", ["api", "/api", ""]),
        ("/api/users", ["api", "/api", "/users"]),
        ("/api/v2/x", ["v2", "/api/v2", "/x"]),
        ("/apiary", ["main", "", "/apiary"]),
        ("/other/deep/path", ["main", "", "/other/deep/path"]),
    ],
)
def test_dispatcher(path: str, expected: list[str]) -> None:
    def named(name: str) -> t.Any:
        def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [f"{name}|{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]

        return app

    dispatcher = DispatcherMiddleware(
        named("main"), {"/api": named("api"), "/api/v2/": named("v2")}
    )
    body = call_wsgi(dispatcher, raw_environ(PATH_INFO=path))[2].decode()
    assert body.split("|") == expected

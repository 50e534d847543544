"""The debug-mode traceback page: escaped, loopback-only, never a console."""

from __future__ import annotations

import io
import logging
import typing as t
from wsgiref.util import setup_testing_defaults

import pytest

from erlen import Erlen
from erlen.debug import DebuggedApplication, render_traceback

HOSTILE = "<script>alert('x')</script>&\"'"


def make_app(debug: bool = True) -> Erlen:
    app = Erlen("debugged")
    app.debug = debug

    @app.get("/boom")
    def boom() -> str:
        value = HOSTILE  # noqa: F841 - a local the page must not run or expose unescaped
        raise ValueError(HOSTILE)

    @app.get("/ok")
    def ok() -> str:
        return "fine"

    return app


def call(
    wsgi: t.Any, path: str, host: str = "localhost", remote: str = "127.0.0.1", **env: t.Any
) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, t.Any] = {"PATH_INFO": path, "HTTP_HOST": host}
    setup_testing_defaults(environ)
    environ["REMOTE_ADDR"] = remote
    environ.update(env)
    captured: dict[str, t.Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        captured["status"] = status
        captured["headers"] = dict(headers)
        return lambda data: None

    body = b"".join(wsgi(environ, start_response))
    return captured["status"], captured["headers"], body


def test_traceback_page_for_loopback_clients_escapes_everything() -> None:
    wsgi = DebuggedApplication(make_app())
    errors = io.StringIO()
    extra: dict[str, t.Any] = {"wsgi.errors": errors}
    status, headers, body = call(wsgi, "/boom", **extra)
    assert status.startswith("500")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    page = body.decode()
    assert "ValueError" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;" in page
    assert "raise ValueError(HOSTILE)" in page  # the source line of the frame
    assert "never runs code" in page
    assert "<form" not in page
    assert "<input" not in page
    assert "ValueError" in errors.getvalue()  # the traceback is logged too


@pytest.mark.parametrize(
    ("host", "remote"),
    [
        ("evil.example", "127.0.0.1"),  # DNS rebinding: a hostile name resolving to loopback
        ("localhost", "192.168.1.20"),  # another machine
        ("localhost", "not-an-ip"),
    ],
)
def test_untrusted_clients_get_a_plain_500(host: str, remote: str) -> None:
    wsgi = DebuggedApplication(make_app())
    status, _, body = call(wsgi, "/boom", host=host, remote=remote)
    assert status.startswith("500")
    assert b"Traceback" not in body
    assert b"alert" not in body


def test_configured_host_is_trusted_and_wildcards_are_not() -> None:
    wsgi = DebuggedApplication(make_app(), trusted_hosts=["dev.internal", "0.0.0.0", "[::1]"])
    assert wsgi.configured_hosts == {"dev.internal"}
    _, _, body = call(wsgi, "/boom", host="dev.internal:5000", remote="10.0.0.7")
    assert b"Traceback" in body
    _, _, body = call(wsgi, "/boom", host="0.0.0.0", remote="10.0.0.7")
    assert b"Traceback" not in body
    _, _, body = call(wsgi, "/boom", host="[::1]:5000", remote="::1")
    assert b"Traceback" in body


def test_no_error_passes_through() -> None:
    assert call(DebuggedApplication(make_app()), "/ok")[2] == b"fine"


def test_error_after_headers_cannot_show_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    def streaming(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
        start_response("200 OK", [])
        yield b"part"
        raise RuntimeError("late")

    def strict_start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        if exc_info is not None:
            raise exc_info[1]  # the headers were sent: a server re-raises
        return lambda data: None

    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost"}
    body = b"".join(DebuggedApplication(streaming)(environ, strict_start_response))
    assert body == b"part"
    assert "after the response headers were sent" in capsys.readouterr().err


def test_outside_debug_mode_a_plain_500_and_the_traceback_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(debug=False)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"alert" not in response.data
    assert b"Traceback" not in response.data
    assert "Exception on /boom [GET]" in caplog.text
    assert "ValueError" in caplog.text


def test_render_traceback_for_a_builtin_and_a_module_exception() -> None:
    class Custom(Exception):
        pass

    try:
        raise Custom("<b>")
    except Custom as e:
        page = render_traceback(e)
    assert "test_debug" in page  # the class's module is named
    assert "<b>" not in page

"""The development server, over real sockets on 127.0.0.1 (short timeouts, all fast)."""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import typing as t
from pathlib import Path

import pytest

from erlen import Erlen, Response, request, serving, stream_with_context
from erlen.serving import (
    DevServer,
    StatReloader,
    WatchfilesReloader,
    application_files,
    format_exception_files,
    make_dev_server,
    make_reloader,
    run_simple,
)


def make_app() -> Erlen:
    app = Erlen("served")
    app.config["MAX_CONTENT_LENGTH"] = 1000

    @app.route("/")
    def index() -> str:
        return f"hello {request.args.get('n')}"

    @app.post("/echo")
    def echo() -> bytes:
        data: bytes = request.get_data()
        return data

    @app.post("/ignore")
    def ignore() -> str:
        return "not read"

    @app.post("/form")
    def form() -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(request.form.items()))

    @app.get("/stream")
    def stream() -> Response:
        def generate() -> t.Iterator[str]:
            yield "a"
            yield "b"

        return Response(stream_with_context(generate()))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    @app.get("/env")
    def env() -> dict[str, t.Any]:
        return {
            "path": request.environ["PATH_INFO"],
            "terminated": request.environ["wsgi.input_terminated"],
            "scheme": request.scheme,
            "remote": request.remote_addr,
        }

    return app


@contextlib.contextmanager
def serve(app: t.Any, host: str = "127.0.0.1", **options: t.Any) -> t.Iterator[DevServer]:
    options.setdefault("timeout", 0.5)
    server = make_dev_server(host, 0, app, **options)
    server.linger_seconds = 0.3
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def server() -> t.Iterator[DevServer]:
    with serve(make_app()) as srv:
        yield srv


def raw(port: int, data: bytes, host: str = "127.0.0.1", timeout: float = 3.0) -> bytes:
    """Send ``data`` and read until the server closes the connection."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    return b"".join(chunks)


def get(port: int, path: str = "/", **kwargs: t.Any) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        conn.request(kwargs.pop("method", "GET"), path, **kwargs)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def still_serving(port: int) -> bool:
    return get(port, "/?n=ok") == (200, b"hello ok")


# -- the basics ------------------------------------------------------------------------------------
@pytest.mark.parametrize("threaded", [True, False])
def test_serves_get_post_and_404(threaded: bool) -> None:
    with serve(make_app(), threaded=threaded) as srv:
        assert get(srv.server_port, "/?n=ada") == (200, b"hello ada")
        assert get(srv.server_port, "/echo", method="POST", body=b"payload") == (200, b"payload")
        assert get(srv.server_port, "/missing")[0] == 404


def test_form_and_environ(server: DevServer) -> None:
    status, body = get(
        server.server_port,
        "/form",
        method="POST",
        body=b"a=1&b=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, body) == (200, b"a=1,b=2")
    status, body = get(server.server_port, "/env")
    assert status == 200
    assert b'"terminated":true' in body.replace(b" ", b"")
    assert b'"remote":"127.0.0.1"' in body.replace(b" ", b"")


def test_keep_alive_serves_several_requests_on_one_connection(server: DevServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=3)
    try:
        for n in range(3):
            conn.request("POST", "/echo", body=f"body{n}".encode())
            resp = conn.getresponse()
            assert (resp.status, resp.read()) == (200, f"body{n}".encode())
            assert resp.getheader("Connection") is None
        conn.request("GET", "/stream")
        resp = conn.getresponse()
        assert resp.getheader("Transfer-Encoding") == "chunked"
        assert resp.read() == b"ab"
    finally:
        conn.close()


def test_http10_closes_and_head_has_no_body(server: DevServer) -> None:
    reply = raw(server.server_port, b"GET /?n=x HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"Connection: close" in reply
    assert reply.endswith(b"hello x")
    reply = raw(server.server_port, b"HEAD /?n=x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"Content-Length: 7" in reply
    assert reply.endswith(b"\r\n\r\n")


def test_chunked_request_body_is_decoded(server: DevServer) -> None:
    reply = raw(
        server.server_port,
        b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 200")
    assert reply.endswith(b"hello world")


def test_expect_100_continue(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=3) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"data")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert reply.endswith(b"data")


def test_too_large_body_gets_a_clean_413_not_a_reset(server: DevServer) -> None:
    """The app refuses the body unread (MAX_CONTENT_LENGTH); the 413 reaches the client."""
    body = b"x" * (2 * 1024 * 1024)  # larger than the server drains, so it closes
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=3) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(body))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(body)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"Connection: close" in reply
    assert still_serving(server.server_port)


def test_chunked_body_over_the_limit_is_413(server: DevServer) -> None:
    chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"
    reply = raw(
        server.server_port,
        b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 3,
    )
    assert reply.startswith(b"HTTP/1.1 413")


def test_unread_small_body_is_drained_not_parsed_as_a_request(server: DevServer) -> None:
    """Request smuggling: a body that looks like a request must never be answered."""
    smuggled = b"GET /?n=smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
    reply = raw(
        server.server_port,
        b"POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
        + smuggled
        + b"GET /?n=next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    assert reply.count(b"HTTP/1.1 200") == 2
    assert b"not read" in reply
    assert b"hello next" in reply
    assert b"smuggled" not in reply


def test_pipelined_requests_are_answered_in_order(server: DevServer) -> None:
    reply = raw(
        server.server_port,
        b"GET /?n=1 HTTP/1.1\r\nHost: a\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /?n=3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    assert reply.count(b"HTTP/1.1 200") == 3
    assert reply.index(b"hello 1") < reply.index(b"abc") < reply.index(b"hello 3")


def test_application_error_is_a_plain_500_and_logged(
    server: DevServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = Erlen("errors")
    app.debug = True  # errors propagate to the server

    @app.get("/")
    def boom() -> str:
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.INFO, "erlen.serving"), serve(app) as srv:
        status, body = get(srv.server_port, "/")
        assert status == 500
        assert b"secret detail" not in body
        assert still_serving(srv.server_port) is False  # this app has no "/?n=" view
    assert "secret detail" in caplog.text
    assert '"GET / HTTP/1.1" 500' in caplog.text


def test_access_log_escapes_control_characters(
    server: DevServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "erlen.serving"):
        raw(
            server.server_port,
            b"GET /\xff\x1b[31m HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        )
    assert "\x1b" not in caplog.text
    assert "\\x1b" in caplog.text


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: a\r\n\r\n", b"414"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", b"431"),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\n"
            b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n",
            b"400",
        ),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            b"400",
        ),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
            b"400",
        ),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", b"501"),
        (b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", b"400"),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", b"400"),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"400",
        ),
        (b"GET / HTTP/2.0\r\n\r\n", b"505"),
        (b"GET / FTP/1.1\r\n\r\n", b"400"),
        (b"GET /\r\n\r\n", b"400"),
        (b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", b"400"),
        (b"GET relative HTTP/1.1\r\nHost: a\r\n\r\n", b"400"),
        (b"\r\n\r\n\r\n\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", b"400"),
        (b"GET http://a/ HTTP/1.1\r\n\r\n", b"400"),  # absolute-form needs a Host too
    ],
    ids=[
        "request-line-64k",
        "header-without-colon",
        "obs-fold",
        "space-in-header-name",
        "nul-in-header-value",
        "huge-header",
        "too-many-headers",
        "content-length-and-chunked",
        "bad-chunk-size",
        "chunk-without-crlf",
        "unknown-transfer-coding",
        "chunked-in-http10",
        "negative-content-length",
        "conflicting-content-lengths",
        "http2",
        "bad-version",
        "two-part-request-line",
        "bad-method",
        "relative-target",
        "only-empty-lines",
        "http11-without-host",
        "absolute-form-without-host",
    ],
)
def test_bad_requests_get_a_4xx_or_5xx_and_the_server_keeps_serving(
    server: DevServer, request_bytes: bytes, status: bytes
) -> None:
    reply = raw(server.server_port, request_bytes)
    assert reply.startswith(b"HTTP/1.1 " + status), reply[:200]
    assert b"Connection: close" in reply
    assert still_serving(server.server_port)


def test_slow_client_that_sends_nothing_is_closed_by_the_timeout(server: DevServer) -> None:
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as sock:
        assert sock.recv(100) == b""  # the server closed the silent connection
    assert time.monotonic() - start < 4
    assert still_serving(server.server_port)


def test_client_that_stops_mid_body_is_a_400_not_a_500(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 400")
    assert still_serving(server.server_port)


def test_client_closing_mid_headers_is_quietly_dropped(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=3) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""
    assert still_serving(server.server_port)


def test_double_slash_path_is_not_an_open_redirect(server: DevServer) -> None:
    reply = raw(
        server.server_port, b"GET //evil.example HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    )
    assert reply[9:12] in (b"404", b"400", b"308")
    for line in reply.split(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"location:"):
            location = line.split(b":", 1)[1].strip()
            assert not location.startswith(b"//")
            assert b"://evil.example" not in location
    reply = raw(
        server.server_port,
        b"GET //evil.example/%2e%2e HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    assert b"Location: //" not in reply


def test_absolute_form_target_and_path_decoding(server: DevServer) -> None:
    reply = raw(
        server.server_port,
        b"GET http://example.com/env HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 200")
    reply = raw(server.server_port, b"GET //env HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert b"HTTP/1.1 200" not in reply or b'"path":"//env"' in reply.replace(b" ", b"")


def test_headers_with_underscores_are_dropped() -> None:
    seen: dict[str, t.Any] = {}

    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    with serve(app) as srv:
        raw(
            srv.server_port,
            b"GET / HTTP/1.1\r\nHost: a\r\n"
            b"X_Forwarded_For: 6.6.6.6\r\nCookie: a=1\r\nCookie: b=2\r\n"
            b"X-Many: 1\r\nX-Many: 2\r\nConnection: close\r\n\r\n",
        )
    assert "HTTP_X_FORWARDED_FOR" not in seen
    assert seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_X_MANY"] == "1,2"


def test_wsgi_apps_that_misbehave_get_a_500() -> None:
    def no_start(environ: t.Any, start_response: t.Any) -> list[bytes]:
        return [b""]

    def bad_status(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("OK", [])
        return [b"x"]

    def bad_length(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "x")])
        return [b"x"]

    def newline_header(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("X", "a\r\nInjected: 1")])
        return [b"x"]

    for app in (no_start, bad_status, bad_length, newline_header):
        with serve(app) as srv:
            reply = raw(srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            assert reply.startswith(b"HTTP/1.1 500"), app
            assert b"Injected" not in reply


def test_response_framing_edge_cases() -> None:
    def short(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "10")])
        return [b"abc"]

    def long(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2")])
        return [b"abcdef"]

    def no_content(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("204 No Content", [])
        return [b"ignored"]

    def late_error(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
        start_response("200 OK", [])
        yield b"part"
        raise RuntimeError("after the headers")

    def uses_write(environ: t.Any, start_response: t.Any) -> list[bytes]:
        write = start_response("200 OK", [("Content-Length", "5")])
        write(b"hel")
        return [b"lo"]

    with serve(short) as srv:
        assert raw(
            srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        ).endswith(b"abc")
    with serve(long) as srv:
        assert raw(
            srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        ).endswith(b"\r\n\r\nab")
    with serve(no_content) as srv:
        reply = raw(srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 204")
        assert reply.endswith(b"\r\n\r\n")
    with serve(late_error) as srv:
        reply = raw(srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 200")
        assert b"part" in reply
        assert not reply.endswith(b"0\r\n\r\n")  # cut short: the client knows it is incomplete
    with serve(uses_write) as srv:
        assert raw(srv.server_port, b"GET / HTTP/1.0\r\n\r\n").endswith(b"hello")


def test_passthrough_errors_reach_the_caller() -> None:
    def app(environ: t.Any, start_response: t.Any) -> list[bytes]:
        raise KeyError("for the debugger")

    srv = make_dev_server("127.0.0.1", 0, app, threaded=False, passthrough_errors=True)
    client = threading.Thread(
        target=raw, args=(srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "127.0.0.1", 2)
    )
    client.start()
    try:
        with pytest.raises(KeyError):
            srv.handle_request()
    finally:
        srv.server_close()
        client.join(5)


def test_threads_and_processes_together_are_refused() -> None:
    with pytest.raises(ValueError, match="threads or processes"):
        make_dev_server("127.0.0.1", 0, make_app(), threaded=True, processes=2)


def test_forking_server_serves() -> None:
    with serve(make_app(), threaded=False, processes=2) as srv:
        assert still_serving(srv.server_port)


# -- TLS and IPv6 ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cert_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = serving.generate_self_signed_cert("localhost")
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    return str(folder / "cert.pem"), str(folder / "key.pem")


def test_https_with_cert_and_key(cert_files: tuple[str, str]) -> None:
    with serve(make_app(), ssl_context=cert_files) as srv:
        assert srv.scheme == "https"
        client_ctx = ssl.create_default_context(cafile=cert_files[0])
        conn = http.client.HTTPSConnection(
            "localhost", srv.server_port, context=client_ctx, timeout=3
        )
        conn.request("GET", "/env")
        resp = conn.getresponse()
        assert resp.status == 200
        assert b'"scheme":"https"' in resp.read().replace(b" ", b"")
        conn.close()
        # A plain-HTTP client is refused, and the server keeps serving TLS.
        assert not raw(
            srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        ).startswith(b"HTTP/1.1 200")


def test_adhoc_and_context_ssl(cert_files: tuple[str, str]) -> None:
    assert isinstance(serving._make_ssl_context("adhoc"), ssl.SSLContext)
    context = serving.load_ssl_context(*cert_files)
    assert serving._make_ssl_context(context) is context
    with pytest.raises(TypeError, match="ssl_context must be"):
        serving._make_ssl_context(42)  # type: ignore[arg-type]


def test_ipv6_loopback() -> None:
    with serve(make_app(), host="::1") as srv:
        conn = http.client.HTTPConnection("::1", srv.server_port, timeout=3)
        conn.request("GET", "/env")
        resp = conn.getresponse()
        assert resp.status == 200
        assert b'"remote":"::1"' in resp.read().replace(b" ", b"")
        conn.close()


# -- run_simple and app.run ------------------------------------------------------------------------
def test_run_simple_prints_the_notice_and_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[DevServer] = []

    def fake_serve_forever(self: DevServer, poll_interval: float = 0.5) -> None:
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(DevServer, "serve_forever", fake_serve_forever)
    monkeypatch.delenv(serving.RELOADER_MARKER, raising=False)
    run_simple("127.0.0.1", 0, make_app(), use_debugger=True, threaded=True)
    err = capsys.readouterr().err
    assert "do not use it in production" in err
    assert f"Running on http://127.0.0.1:{started[0].server_port}/" in err
    assert started[0].max_request_body == 1000
    from erlen.debug import DebuggedApplication

    assert isinstance(started[0].app, DebuggedApplication)


def test_port_in_use_has_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError, match="in use by another program"):
            serving._bind_socket("127.0.0.1", busy.getsockname()[1])


def test_app_run_is_ignored_under_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[t.Any] = []
    monkeypatch.setattr(serving, "run_simple", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.delenv(serving.RELOADER_MARKER, raising=False)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    make_app().run()
    assert calls == []
    assert "Ignoring a call to app.run()" in capsys.readouterr().err


def test_app_run_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[t.Any] = []
    monkeypatch.setattr(serving, "run_simple", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.delenv("ERLEN_RUN_FROM_CLI", raising=False)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    monkeypatch.delenv("ERLEN_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    app = make_app()
    app.run()
    assert calls[-1][0][:2] == ("127.0.0.1", 5000)
    assert calls[-1][1] == {"use_reloader": False, "use_debugger": False, "threaded": True}
    app.config["SERVER_NAME"] = "example.test:8080"
    app.run(debug=True, port=0, threaded=False)
    assert calls[-1][0][:2] == ("example.test", 0)
    assert calls[-1][1] == {"use_reloader": True, "use_debugger": True, "threaded": False}
    (tmp_path / ".env").write_text("ERLEN_DEBUG=0\n")
    app.run()
    assert app.debug is False
    monkeypatch.delenv("ERLEN_DEBUG")
    app.run(load_dotenv=False)
    assert "ERLEN_DEBUG" not in os.environ


# -- the reloader ----------------------------------------------------------------------------------
def test_application_files_skip_the_standard_library_and_installed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_reload_mod.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("my_reload_mod")
    try:
        files = application_files()
    finally:
        sys.modules.pop("my_reload_mod", None)
    assert str(tmp_path / "my_reload_mod.py") in files
    import click

    assert click.__file__ not in files
    assert os.__file__ not in files
    assert serving.__file__ in files  # Erlen's own source, in this editable checkout


def test_stat_reloader_sees_changes_to_extra_files_and_templates(tmp_path: Path) -> None:
    extra = tmp_path / "settings.toml"
    extra.write_text("a")
    templates = tmp_path / "templates"
    templates.mkdir()
    page = templates / "page.html"
    page.write_text("<p>")
    ignored = tmp_path / "templates" / "x.swp"
    ignored.write_text("")
    reloader = StatReloader([str(extra)], ["*.swp"], 0.01, [str(templates)])
    assert reloader.check() is None  # the first pass records the files
    assert str(ignored) not in reloader.watched_files()
    stamp = time.time() + 10
    os.utime(page, (stamp, stamp))
    assert reloader.check() == str(page)
    os.utime(extra, (stamp + 1, stamp + 1))
    assert reloader.wait_for_change() == str(extra)


def test_watchfiles_reloader_with_a_stand_in_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "conf.py"
    extra.write_text("")
    calls: list[tuple[t.Any, ...]] = []

    def watch(*paths: str, **kwargs: t.Any) -> t.Iterator[set[tuple[int, str]]]:
        calls.append(paths)
        yield set()
        yield {(2, str(tmp_path / "unrelated.txt"))}
        yield {(2, str(extra))}

    import types

    fake = types.ModuleType("watchfiles")
    fake.watch = watch  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "watchfiles", fake)
    reloader = make_reloader("auto", [str(extra)], None, 0.1)
    assert isinstance(reloader, WatchfilesReloader)
    assert reloader.wait_for_change() == str(extra)
    assert str(tmp_path) in calls[0]


def test_make_reloader_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # not installed
    assert isinstance(make_reloader("auto"), StatReloader)
    assert isinstance(make_reloader("watchdog"), StatReloader)
    with pytest.raises(ValueError, match="Unknown reloader_type"):
        make_reloader("inotify")


def test_format_exception_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (\n")
    with pytest.raises(SyntaxError) as info:
        compile(broken.read_text(), str(broken), "exec")
    assert format_exception_files(info.value)[0] == str(broken)


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, expected: bytes, deadline: float = 8.0) -> bytes:
    end = time.monotonic() + deadline
    last = b""
    while time.monotonic() < end:
        try:
            last = get(port, "/")[1]
        except (OSError, http.client.HTTPException):  # e.g. IncompleteRead mid-restart
            last = b""
        if last == expected:
            return last
        time.sleep(0.05)
    return last


def test_reloader_restarts_on_change_and_survives_a_syntax_error(
    tmp_path: Path, free_port: int
) -> None:
    script = tmp_path / "reload_app.py"
    source = textwrap.dedent(
        f"""
        from erlen import Erlen
        app = Erlen(__name__)

        @app.get("/")
        def index():
            return "VERSION"

        if __name__ == "__main__":
            app.run(port={free_port}, use_reloader=True, reloader_interval=0.05)
        """
    )

    bumps = iter(range(2, 1000))

    def write(text: str, bump: int | None = None) -> None:
        script.write_text(text)
        stamp = time.time() + (next(bumps) if bump is None else bump)
        os.utime(script, (stamp, stamp))

    def change_until_served(text: str, expected: bytes) -> bytes:
        # A save made before the reloader took its first look at the files is not a change
        # to it; under load that can happen, so save again (as a person would) until served.
        last = b""
        for _ in range(8):
            write(text)
            last = _wait_for(free_port, expected, deadline=2.0)
            if last == expected:
                break
        return last

    write(source.replace("VERSION", "v1"), 0)
    env = {**os.environ, "ERLEN_SKIP_DOTENV": "1"}
    for key in ("ERLEN_RUN_FROM_CLI", "FLASK_RUN_FROM_CLI", serving.RELOADER_MARKER):
        env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _wait_for(free_port, b"v1", deadline=15.0) == b"v1"
        assert change_until_served(source.replace("VERSION", "v2"), b"v2") == b"v2"
        write("this is not python(\n")
        time.sleep(1.0)
        assert proc.poll() is None  # the reloader waits for the fix
        assert change_until_served(source.replace("VERSION", "v3"), b"v3") == b"v3"
    finally:
        os.killpg(proc.pid, 15)
        _, err = proc.communicate(timeout=5)
    text = err.decode()
    assert "Detected a change" in text
    assert "waiting for a change to restart" in text


def test_body_reader_line_and_chunk_apis() -> None:
    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        stream = environ["wsgi.input"]
        first = stream.readline()
        second = stream.read1(3)
        rest = stream.readlines()
        stream.close()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [repr((first, second, rest, stream.read(), list(stream))).encode()]

    with serve(app) as srv:
        reply = raw(
            srv.server_port,
            b"POST / HTTP/1.1\r\nHost: a\r\n"
            b"Content-Length: 13\r\nConnection: close\r\n\r\nab\ncdefg\nhij\n",
        )
    assert repr((b"ab\n", b"cde", [b"fg\n", b"hij\n"], b"", [])).encode() in reply


def test_start_response_with_exc_info_replaces_the_status_before_the_headers() -> None:
    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [])
        try:
            raise ValueError("x")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Length", "4")], sys.exc_info())
        with pytest.raises(AssertionError, match="already called"):
            start_response("200 OK", [])
        return [b"busy"]

    with serve(app) as srv:
        reply = raw(srv.server_port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 503")
    assert reply.endswith(b"busy")


def test_run_with_reloader_restarts_and_waits_after_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = tmp_path / "count"
    watched = tmp_path / "watched.py"
    watched.write_text("")
    script = textwrap.dedent(
        f"""
        import os, sys
        assert os.environ["{serving.RELOADER_MARKER}"] == "true"
        path = {str(counter)!r}
        n = int(open(path).read()) if os.path.exists(path) else 0
        open(path, "w").write(str(n + 1))
        sys.exit([3, 1, 0][n])
        """
    )
    monkeypatch.setattr(serving, "_child_command", lambda: [sys.executable, "-c", script])

    def touch_later() -> None:
        while not (counter.exists() and counter.read_text() == "2"):
            time.sleep(0.02)
        time.sleep(0.1)
        stamp = time.time() + 5
        os.utime(watched, (stamp, stamp))

    toucher = threading.Thread(target=touch_later, daemon=True)
    toucher.start()
    code = serving.run_with_reloader(extra_files=[str(watched)], interval=0.02)
    toucher.join(5)
    assert code == 0
    assert counter.read_text() == "3"  # restart, crash, wait for the change, clean exit


def test_run_simple_parent_and_child_of_the_reloader(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, t.Any]] = []
    monkeypatch.delenv(serving.RELOADER_MARKER, raising=False)

    def run_with_reloader(**kw: t.Any) -> int:
        calls.append(kw)
        return 7

    monkeypatch.setattr(serving, "run_with_reloader", run_with_reloader)
    with pytest.raises(SystemExit) as exit_info:
        run_simple("127.0.0.1", 0, make_app(), use_reloader=True, extra_files=["x"])
    assert exit_info.value.code == 7
    assert calls[0]["extra_files"] == ["x"]
    assert "Restarting with the reloader" in capsys.readouterr().err

    # The child: serves on the socket the parent bound, and exits 3 on a change.
    fd = serving._bind_socket("127.0.0.1", 0)
    monkeypatch.setenv(serving.RELOADER_MARKER, "true")
    monkeypatch.setenv("ERLEN_SERVER_FD", str(fd))

    class Changed(serving.Reloader):
        def wait_for_change(self) -> str:
            return "/app.py"

    monkeypatch.setattr(serving, "make_reloader", lambda *a: Changed())
    with pytest.raises(SystemExit) as exit_info:
        run_simple("127.0.0.1", 0, make_app(), use_reloader=True)
    assert exit_info.value.code == serving.RESTART_CODE
    assert "Detected a change in '/app.py'" in capsys.readouterr().err


def test_an_http10_request_needs_no_host(server: DevServer) -> None:
    reply = raw(server.server_port, b"GET / HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
    refused = raw(server.server_port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert b"must have a Host header" in refused

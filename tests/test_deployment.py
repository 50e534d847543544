"""Erlen under production WSGI servers: gunicorn (sync and gthread workers) and waitress.

Each server starts once for the module on 127.0.0.1 (a free port) with
``examples/production/wsgi.py`` behind ``ProxyFix``, answers real HTTP requests, and is
stopped by its process id.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "production"

SERVERS = {
    "gunicorn-sync": ["-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:{port}", "wsgi:app"],
    "gunicorn-gthread": [
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--bind",
        "127.0.0.1:{port}",
        "wsgi:app",
    ],
    # waitress removes X-Forwarded-* headers unless told which proxy to trust; it then applies
    # them itself, so the app runs without ProxyFix there (see docs/deployment.md).
    "waitress": [
        "-m",
        "waitress",
        "--listen",
        "127.0.0.1:{port}",
        "--trusted-proxy",
        "127.0.0.1",
        "--trusted-proxy-headers",
        "x-forwarded-for x-forwarded-proto",
        "wsgi:app",
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest) -> t.Iterator[int]:
    port = free_port()
    args = [arg.format(port=port) for arg in SERVERS[request.param]]
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE)}
    if request.param.startswith("gunicorn"):
        env["ERLEN_BEHIND_PROXY"] = "1"
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=EXAMPLE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{request.param} did not start: {proc.stderr.read().decode()}"  # type: ignore[union-attr]
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        proc.send_signal(signal.SIGINT)  # a quick shutdown for gunicorn and waitress alike
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def fetch(
    port: int, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_get_behind_a_proxy(server: int) -> None:
    proxy_headers: dict[str, t.Any] = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
    }
    status, _, body = fetch(server, "GET", "/", **proxy_headers)
    assert status == 200
    data = json.loads(body)
    assert data["message"] == "hello"
    assert data["scheme"] == "https"
    assert data["remote_addr"] == "203.0.113.9"


def test_post_form(server: int) -> None:
    status, _, body = fetch(
        server,
        "POST",
        "/form",
        b"name=Ada&lang=%C3%A9",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    assert json.loads(body) == {"name": "Ada", "lang": "\u00e9"}


def test_upload(server: int) -> None:
    boundary = "erlenboundary"
    payload = b"\x00\x01binary\r\n--not-a-boundary" * 100
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, reply = fetch(
        server,
        "POST",
        "/upload",
        body,
        **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200
    assert json.loads(reply) == {"filename": "a.bin", "size": len(payload)}


def test_streaming(server: int) -> None:
    status, headers, body = fetch(server, "GET", "/stream")
    assert status == 200
    assert body == b"chunk 0\nchunk 1\nchunk 2\n"
    assert "content-length" not in headers


def test_not_found(server: int) -> None:
    assert fetch(server, "GET", "/missing")[0] == 404


def test_too_large(server: int) -> None:
    status, _, _ = fetch(
        server,
        "POST",
        "/upload",
        b"x" * (1024 * 1024 + 1),
        **{"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert status == 413

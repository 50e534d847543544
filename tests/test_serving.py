"""The small development server answers real HTTP requests."""

from __future__ import annotations

import http.client
import threading

import pytest

from erlen import Erlen, request
from erlen.serving import make_dev_server


@pytest.mark.parametrize("threaded", [True, False])
def test_dev_server_serves_requests(threaded: bool) -> None:
    app = Erlen("served")
    app.add_url_rule("/", "i", lambda: f"hello {request.args.get('n')}")
    app.add_url_rule("/echo", "e", lambda: request.get_data(), methods=["POST"])
    server = make_dev_server("127.0.0.1", 0, app, threaded=threaded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request("GET", "/?n=ada")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"hello ada")
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request("POST", "/echo", body=b"payload")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"payload")
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request("GET", "/missing")
        assert conn.getresponse().status == 404
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

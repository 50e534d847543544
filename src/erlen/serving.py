"""A small threaded development server on the standard library's ``wsgiref``.

For development only: use a production WSGI server (gunicorn, waitress) to deploy.
"""

from __future__ import annotations

import socket
import sys
import typing as t
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _IPv6Server(_ThreadingWSGIServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")


def make_dev_server(
    host: str, port: int, app: WSGIApplication, threaded: bool = True
) -> WSGIServer:
    """Create (but do not start) the development server; port 0 picks a free port."""
    if threaded:
        server_class: type[WSGIServer] = _IPv6Server if ":" in host else _ThreadingWSGIServer
    else:
        server_class = WSGIServer
    return make_server(host.strip("[]"), port, app, server_class, _QuietHandler)


def run_simple(
    hostname: str, port: int, application: WSGIApplication, threaded: bool = True, **options: t.Any
) -> None:
    """Serve ``application`` until interrupted (Ctrl+C)."""
    server = make_dev_server(hostname, port, application, threaded=threaded)
    shown = f"[{hostname}]" if ":" in hostname else hostname
    sys.stderr.write(
        " * Erlen development server: this is not a production server; deploy with a"
        " production WSGI server such as gunicorn or waitress.\n"
        f" * Running on http://{shown}:{server.server_port}/ (press CTRL+C to quit)\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

"""Take the client's address, scheme, host, port and prefix from ``X-Forwarded-*`` headers.

Behind a reverse proxy the WSGI environ describes the proxy's connection, not the client's.
The proxy reports the original values in ``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port``
and ``-Prefix``. Each proxy *appends* to these headers, and a client can send them too, so only
the last ``n`` values (one per proxy you run) can be trusted; the arguments say how many.

Usage: ``app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)``. The original values are
kept in ``environ["erlen.proxy_fix.orig"]`` (and, for migrated code, in
``environ["werkzeug.proxy_fix.orig"]``).
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]")
_ORIGINAL_KEYS = (
    "REMOTE_ADDR",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
)


def _trusted_value(trusted: int, header: str | None) -> str | None:
    """The value the outermost trusted proxy saw, or ``None`` if it is missing."""
    if not (trusted and header):
        return None
    values = [part.strip() for part in header.split(",")]
    if len(values) < trusted:
        # Fewer values than proxies: the header did not pass through all of them.
        return None
    return values[-trusted] or None


def _split_port(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        end = host.find("]")
        rest = host[end + 1 :]
        return host[: end + 1], rest[1:] if rest.startswith(":") else None
    name, sep, port = host.partition(":")
    return name, port if sep else None


class ProxyFix:
    """Rewrite the environ from ``X-Forwarded-*`` headers set by ``n`` trusted proxies.

    Each argument is the number of proxies that set that header (0 ignores it); the
    defaults trust ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from one proxy. Values that
    could not be right (a scheme other than http/https, a port that is not a number, a host
    with characters no host has) are ignored rather than trusted.
    """

    def __init__(
        self,
        app: WSGIApplication,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        self.app = app
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        original = {key: environ.get(key) for key in _ORIGINAL_KEYS}
        # Under Werkzeug's key too, for code migrated from it that reads the originals there.
        environ["erlen.proxy_fix.orig"] = environ["werkzeug.proxy_fix.orig"] = original
        get = environ.get

        remote = _trusted_value(self.x_for, get("HTTP_X_FORWARDED_FOR"))
        if remote:
            environ["REMOTE_ADDR"] = remote

        proto = _trusted_value(self.x_proto, get("HTTP_X_FORWARDED_PROTO"))
        if proto and proto.lower() in ("http", "https"):
            environ["wsgi.url_scheme"] = proto.lower()

        host = _trusted_value(self.x_host, get("HTTP_X_FORWARDED_HOST"))
        if host and _HOST_CHARS.issuperset(host):
            environ["HTTP_HOST"] = host
            name, port = _split_port(host)
            environ["SERVER_NAME"] = name
            if port:
                environ["SERVER_PORT"] = port

        port = _trusted_value(self.x_port, get("HTTP_X_FORWARDED_PORT"))
        if port and port.isascii() and port.isdigit():
            current = get("HTTP_HOST")
            if current:
                name, _old = _split_port(current)
                environ["HTTP_HOST"] = f"{name}:{port}"
            environ["SERVER_PORT"] = port

        prefix = _trusted_value(self.x_prefix, get("HTTP_X_FORWARDED_PREFIX"))
        if prefix:
            environ["SCRIPT_NAME"] = "/" + prefix.strip("/") if prefix.strip("/") else ""

        return self.app(environ, start_response)

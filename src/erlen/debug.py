"""The debug-mode traceback page (the development server's ``use_debugger``).

:class:`DebuggedApplication` catches what the application lets through (in debug mode Erlen
re-raises unhandled errors), logs the traceback, and answers with an HTML page showing it.
Unlike Werkzeug's debugger there is no console and no PIN: nothing sent by a browser is ever
run. The page is shown only to a trusted client (see :meth:`DebuggedApplication.is_trusted`);
anyone else gets a plain 500. Every value on the page is HTML-escaped.
"""

from __future__ import annotations

import ipaddress
import linecache
import sys
import traceback
import typing as t
from html import escape

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})

_PLAIN_500 = (
    b"<!doctype html>\n<title>500 Internal Server Error</title>\n"
    b"<h1>Internal Server Error</h1>\n"
    b"<p>The server encountered an internal error and was unable to complete your request.</p>\n"
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.frame { border: 1px solid #ddd; border-radius: 4px; margin: 0.6em 0; }
.where { background: #f4f4f4; padding: 0.3em 0.6em; font-family: monospace; }
pre { margin: 0; padding: 0.4em 0.6em; overflow-x: auto; }
.current { background: #fff3c4; }
.note { color: #666; }
"""


class DebuggedApplication:
    """Wrap a WSGI application to show unhandled errors as a traceback page.

    ``trusted_hosts`` adds host names (besides ``localhost``, ``127.0.0.1`` and ``::1``) that
    the ``Host`` header may name; a wildcard bind address such as ``0.0.0.0`` adds nothing.
    ``evalex`` is accepted for compatibility with Werkzeug's signature and ignored.
    """

    def __init__(
        self,
        app: WSGIApplication,
        evalex: bool = False,
        trusted_hosts: t.Iterable[str] | None = None,
    ) -> None:
        self.app = app
        extra = {host.strip("[]").lower() for host in trusted_hosts or ()}
        #: Host names configured for the server (not loopback, not a wildcard).
        self.configured_hosts = frozenset(extra - _WILDCARDS - _LOOPBACK_NAMES)
        #: Every host name the page may be served for.
        self.trusted_hosts = _LOOPBACK_NAMES | self.configured_hosts

    def is_trusted(self, environ: WSGIEnvironment) -> bool:
        """Whether this request may see a traceback.

        The ``Host`` header must name a trusted host, which defeats DNS rebinding (a hostile
        page whose domain resolves to 127.0.0.1). The client must be on a loopback address,
        unless the ``Host`` is a host the server was configured to listen on.
        """
        host = _host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        if host not in self.trusted_hosts:
            return False
        if host in self.configured_hosts:
            return True
        try:
            return ipaddress.ip_address(environ.get("REMOTE_ADDR", "")).is_loopback
        except ValueError:
            return False

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Run the application; on an error, log it and answer with the page (or a plain 500)."""
        app_iter: t.Iterable[bytes] | None = None
        try:
            app_iter = self.app(environ, start_response)
            yield from app_iter
        except Exception as e:
            exc_info = sys.exc_info()
            errors = environ.get("wsgi.errors") or sys.stderr
            errors.write("".join(traceback.format_exception(e)))
            if self.is_trusted(environ):
                body = render_traceback(e, environ).encode("utf-8")
            else:
                body = _PLAIN_500
            try:
                start_response(
                    "500 INTERNAL SERVER ERROR",
                    [
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                        ("X-Content-Type-Options", "nosniff"),
                        ("Cache-Control", "no-store"),
                    ],
                    exc_info,
                )
            except Exception:
                errors.write(
                    "The error happened after the response headers were sent: the page"
                    " cannot be shown, and the response is cut short.\n"
                )
                return
            finally:
                del exc_info
            yield body
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


def render_traceback(exc: BaseException, environ: WSGIEnvironment | None = None) -> str:
    """The HTML page for ``exc``: its type, message, frames with source, and the plain
    traceback. Every value from the program or the request is escaped."""
    title = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if type(exc).__module__ == "builtins":
        title = type(exc).__qualname__
    parts = [
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)} // Erlen debugger</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p><strong>{escape(str(exc))}</strong></p>",
    ]
    if environ is not None:
        where = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"
        parts.append(f"<p class='note'>While handling {escape(where)}</p>")
    parts.append("<h2>Traceback <span class='note'>(most recent call last)</span></h2>")
    parts.extend(
        _render_frame(frame.filename, frame.lineno or 0, frame.name)
        for frame in traceback.extract_tb(exc.__traceback__)
    )
    plain = "".join(traceback.format_exception(exc))
    parts.append("<h2>Plain traceback</h2>")
    parts.append(f"<pre>{escape(plain)}</pre>")
    parts.append(
        "<p class='note'>Shown because debug mode is on and this request came from a trusted"
        " address. Erlen's debugger has no console: it never runs code sent by a browser.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _render_frame(filename: str, lineno: int, name: str) -> str:
    lines = []
    for number in range(max(lineno - 2, 1), lineno + 3):
        source = linecache.getline(filename, number).rstrip()
        if not source and number != lineno:
            continue
        css = " class='current'" if number == lineno else ""
        lines.append(f"<pre{css}>{number:>5} {escape(source)}</pre>")
    return (
        "<div class='frame'>"
        f"<div class='where'>File {escape(filename)}, line {lineno}, in {escape(name)}</div>"
        f"{''.join(lines)}</div>"
    )

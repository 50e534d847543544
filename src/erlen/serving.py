"""The development server: a threaded HTTP/1.1 server on the standard library, and a reloader.

For development only: deploy with a production WSGI server (gunicorn, waitress; see
``docs/deployment.md``). What the server does with each connection:

- reads the request line and headers within limits (414 for a long request line, 431 for
  too many or too large headers, 400 for anything malformed, 505 for an unknown HTTP version);
- frames the body by ``Content-Length`` or ``Transfer-Encoding: chunked``, never both (400);
  chunked bodies are decoded before the application runs (a bad chunk is a 400, not a
  half-read request), and ``wsgi.input_terminated`` is set, so the application reads to the end;
- answers ``Expect: 100-continue`` when the application first reads the body;
- keeps HTTP/1.1 connections alive, but only when the request body was read or drained: a body
  the application did not read (a 413, say) is never parsed as the next request. Such a
  connection is closed gracefully (the rest of the upload is read and thrown away for a short
  while), so the client sees the answer instead of a connection reset;
- closes connections that stay silent for ``timeout`` seconds.

:func:`run_simple` adds the notice, access logging, TLS, the debugger and the reloader.
"""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import re
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
import typing as t
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import unquote_to_bytes, urlsplit

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

#: Printed when the development server starts.
DEV_SERVER_NOTICE = (
    "This is Erlen's development server: do not use it in production. Deploy with a"
    " production WSGI server such as gunicorn or waitress (see docs/deployment.md)."
)

_logger = logging.getLogger("erlen.serving")

#: The environment variable that marks the reloader's child process.
RELOADER_MARKER = "ERLEN_RUN_MAIN"
_SERVER_FD = "ERLEN_SERVER_FD"
#: The exit code a reloader child uses to ask for a restart.
RESTART_CODE = 3

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}\Z")
_BAD_VALUE_CHARS = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_VERSION = re.compile(rb"HTTP/(\d)\.(\d)\Z")
_NO_BODY_STATUS = {204, 304}
_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}


class _ClientGone(Exception):
    """The client closed the connection or stopped sending mid-request."""


class _HTTPError(Exception):
    """A request the server refuses before the application sees it."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- the server ------------------------------------------------------------------------------------
class DevServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """The development HTTP/1.1 server: one thread per connection.

    ``port=0`` picks a free port (read it back from :attr:`server_port`). ``fd`` serves an
    already bound socket (the reloader keeps one across restarts). The limits are attributes
    that tests and subclasses may change.
    """

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    #: The longest request line accepted (longer: 414).
    max_request_line = 16 * 1024
    #: The longest single header line (longer: 431).
    max_header_line = 16 * 1024
    #: The largest header section (larger: 431).
    max_header_bytes = 64 * 1024
    #: The most header fields (more: 431).
    max_header_count = 100
    #: The largest unread body drained to keep a connection alive (larger: the connection closes).
    max_drain = 1024 * 1024
    #: How long a closing connection keeps reading an upload nobody wants, in seconds.
    linger_seconds = 2.0

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApplication,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 15.0,
        max_request_body: int | None = None,
        passthrough_errors: bool = False,
        fd: int | None = None,
    ) -> None:
        self.host = host.strip("[]")
        self.address_family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        #: The WSGI application served.
        self.app = app
        #: Wraps each accepted connection when serving HTTPS.
        self.ssl_context = ssl_context
        #: Seconds a connection may stay silent before it is closed.
        self.timeout_seconds = timeout
        #: The largest chunked request body decoded (larger: 413); None for no limit.
        self.max_request_body = max_request_body
        #: Let application errors propagate (for an external debugger) instead of a 500.
        self.passthrough_errors = passthrough_errors
        if fd is not None:
            super().__init__((self.host, port), _RequestHandler, bind_and_activate=False)
            self.socket.close()
            self.socket = socket.socket(fileno=fd)
            self.server_address = self.socket.getsockname()
        else:
            super().__init__((self.host, port), _RequestHandler)

    @property
    def server_port(self) -> int:
        """The port the server listens on."""
        return int(self.server_address[1])

    @property
    def scheme(self) -> str:
        """``https`` with TLS, else ``http``."""
        return "https" if self.ssl_context is not None else "http"

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        """Log an error in the server itself, or re-raise it with ``passthrough_errors``."""
        if self.passthrough_errors:
            self.shutdown_request(request)
            raise  # the error being handled, for an external debugger
        _logger.error("Error while serving %s", client_address, exc_info=True)


class _SingleThreadDevServer(DevServer):
    """The development server answering one connection at a time (``threaded=False``)."""

    process_request = socketserver.TCPServer.process_request


class _ForkingDevServer(socketserver.ForkingMixIn, DevServer):
    """The development server with one process per connection (``processes=N``)."""


def make_dev_server(
    host: str,
    port: int,
    app: WSGIApplication,
    threaded: bool = True,
    processes: int = 1,
    ssl_context: ssl.SSLContext | tuple[str, str] | str | None = None,
    **options: t.Any,
) -> DevServer:
    """Create (but do not start) the development server; port 0 picks a free port.

    ``options`` are :class:`DevServer` keyword arguments (``timeout``, ``max_request_body``,
    ``passthrough_errors``, ``fd``).
    """
    if threaded and processes > 1:
        raise ValueError("Choose threads or processes: threaded=True cannot go with processes > 1.")
    context = _make_ssl_context(ssl_context)
    options.setdefault("max_request_body", _app_max_content_length(app))
    if processes > 1:
        server: DevServer = _ForkingDevServer(host, port, app, ssl_context=context, **options)
        t.cast(_ForkingDevServer, server).max_children = processes
        return server
    if not threaded:
        return _SingleThreadDevServer(host, port, app, ssl_context=context, **options)
    return DevServer(host, port, app, ssl_context=context, **options)


# -- one connection --------------------------------------------------------------------------------
class _RequestHandler(socketserver.BaseRequestHandler):
    """Reads requests from one connection until it closes or must be closed."""

    server: DevServer

    connection: socket.socket
    rfile: t.BinaryIO

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(self.server.timeout_seconds)
        try:
            if self.server.ssl_context is not None:
                # The handshake happens here, in the connection's thread, with the timeout.
                sock = self.server.ssl_context.wrap_socket(sock, server_side=True)
            self.connection = sock
            self.rfile = t.cast(t.BinaryIO, sock.makefile("rb", 65536))
            while _Exchange(self).run():
                pass
        except (OSError, ssl.SSLError):
            pass  # the client went away, timed out or failed the TLS handshake
        finally:
            if "rfile" in self.__dict__:
                self.rfile.close()
            if sock is not self.request:
                sock.close()

    def linger_close(self, unread: bool) -> None:
        """Stop sending; with ``unread`` request data possibly on its way, read (and drop) what
        the client still sends for a short while, so that closing does not reset the
        connection before the client has read the answer."""
        sock = self.connection
        try:
            if not isinstance(sock, ssl.SSLSocket):
                sock.shutdown(socket.SHUT_WR)
            if not unread:
                return
            deadline = time.monotonic() + self.server.linger_seconds
            sock.settimeout(0.2)
            while time.monotonic() < deadline:
                try:
                    if not self.rfile.read1(65536):  # type: ignore[attr-defined]
                        break
                except TimeoutError:
                    continue
        except OSError:
            pass


class _Exchange:
    """One request and its response on a connection."""

    def __init__(self, handler: _RequestHandler) -> None:
        self.handler = handler
        self.server = handler.server
        self.rfile = handler.rfile
        self.sock = handler.connection
        self.request_line = ""
        self.status = ""
        self.size: int | str = "-"
        self.close = False
        self.headers_sent = False
        self.continue_pending = False
        self.body: _BodyReader | None = None

    # -- the story of one request ------------------------------------------------------------------
    def run(self) -> bool:
        """Serve one request; True if the connection may carry another."""
        try:
            line = self._read_request_line()
            if line is None:
                return False
            environ = self._parse_request(line)
        except _HTTPError as e:
            self._send_error(e.code, e.message)
            self.handler.linger_close(unread=True)
            return False
        except (TimeoutError, _ClientGone):
            return False
        try:
            self._call_app(environ)
        finally:
            if isinstance(self.body, _DecodedBody):
                self.body.close()
        body = self.body
        unread = body is not None and body.from_socket and body.remaining > 0
        if not self.close and unread:
            assert body is not None
            self.close = not body.drain()
        if self.close:
            self.handler.linger_close(unread=unread)
        return not self.close

    def _read_request_line(self) -> bytes | None:
        limit = self.server.max_request_line
        for _ in range(4):  # RFC 9112 2.2: ignore empty lines before a request
            line = self.rfile.readline(limit + 1)
            if not line:
                return None
            if line not in (b"\r\n", b"\n"):
                break
        else:
            raise _HTTPError(400, "Expected a request line.")
        self.request_line = _printable(line.rstrip(b"\r\n"))
        if len(line) > limit or not line.endswith(b"\n"):
            raise _HTTPError(414, f"The request line is longer than {limit} bytes.")
        return line.rstrip(b"\r\n")

    def _parse_request(self, line: bytes) -> WSGIEnvironment:
        parts = line.split(b" ")
        if len(parts) != 3 or not _TOKEN.match(parts[0]):
            raise _HTTPError(400, "Malformed request line: expected 'METHOD target HTTP/1.1'.")
        method_b, target_b, version_b = parts
        version = _VERSION.match(version_b)
        if version is None:
            raise _HTTPError(400, "Malformed HTTP version in the request line.")
        if version.group(1) != b"1":
            raise _HTTPError(505, "Only HTTP/1.0 and HTTP/1.1 are supported.")
        http11 = version.group(2) != b"0"
        if not target_b or re.search(rb"[\x00-\x20\x7f]", target_b):
            raise _HTTPError(400, "Malformed request target.")
        headers = self._read_headers()
        method = method_b.decode("ascii")
        target = target_b.decode("latin-1")
        environ = self._make_environ(method, target, version_b.decode("ascii"), headers)
        connection = {
            token.strip().lower() for token in environ.get("HTTP_CONNECTION", "").split(",")
        }
        self.close = "close" in connection or not http11
        self._frame_body(environ, headers, http11)
        if http11 and not any(name.lower() == b"host" for name, _ in headers):
            raise _HTTPError(400, "An HTTP/1.1 request must have a Host header (RFC 9112, 3.2).")
        return environ

    def _read_headers(self) -> list[tuple[bytes, bytes]]:
        server = self.server
        headers: list[tuple[bytes, bytes]] = []
        total = 0
        while True:
            line = self.rfile.readline(server.max_header_line + 1)
            if line in (b"\r\n", b"\n"):
                return headers
            if not line:
                raise _ClientGone
            total += len(line)
            if len(line) > server.max_header_line or not line.endswith(b"\n"):
                raise _HTTPError(431, "A header line is too large.")
            if total > server.max_header_bytes or len(headers) >= server.max_header_count:
                raise _HTTPError(431, "Too many or too large request headers.")
            if line[:1] in (b" ", b"\t"):
                raise _HTTPError(400, "Folded header lines (obs-fold) are not accepted.")
            name, sep, value = line.partition(b":")
            if not sep:
                raise _HTTPError(400, "Malformed header line: no colon.")
            if not _TOKEN.match(name):
                raise _HTTPError(400, "Malformed header name.")
            value = value.rstrip(b"\r\n").strip(b" \t")
            if _BAD_VALUE_CHARS.search(value):
                raise _HTTPError(400, "Control characters in a header value.")
            headers.append((name, value))

    def _make_environ(
        self, method: str, target: str, protocol: str, headers: list[tuple[bytes, bytes]]
    ) -> WSGIEnvironment:
        server = self.server
        host_from_target = None
        if target.startswith("/") or target == "*":
            path, _, query = target.partition("?")
        elif target.lower().startswith(("http://", "https://")):
            parts = urlsplit(target)
            host_from_target = parts.netloc
            path, query = parts.path or "/", parts.query
        else:
            raise _HTTPError(400, "The request target must be a path or an absolute URL.")
        client = self.handler.client_address
        environ: WSGIEnvironment = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            # PEP 3333: the decoded path as bytes in a latin-1 str; "//x" stays a path.
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": target,
            "RAW_URI": target,
            "SERVER_NAME": server.host,
            "SERVER_PORT": str(server.server_port),
            "SERVER_PROTOCOL": protocol,
            "SERVER_SOFTWARE": "Erlen-dev-server",
            "REMOTE_ADDR": str(client[0]) if client else "",
            "REMOTE_PORT": str(client[1]) if client else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": server.scheme,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": not isinstance(server, socketserver.ForkingMixIn),
            "wsgi.multiprocess": isinstance(server, socketserver.ForkingMixIn),
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }
        for raw_name, raw_value in headers:
            name = raw_name.decode("ascii").upper()
            if "_" in name:
                continue  # X_Forwarded_For must not impersonate X-Forwarded-For
            value = raw_value.decode("latin-1")
            key = name.replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            if key in environ:
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value
        if host_from_target is not None:
            environ["HTTP_HOST"] = host_from_target
        return environ

    def _frame_body(
        self, environ: WSGIEnvironment, headers: list[tuple[bytes, bytes]], http11: bool
    ) -> None:
        lengths = [value for name, value in headers if name.lower() == b"content-length"]
        codings = [value for name, value in headers if name.lower() == b"transfer-encoding"]
        expect = environ.get("HTTP_EXPECT", "").lower() == "100-continue"
        if codings:
            if lengths:
                raise _HTTPError(400, "Content-Length and Transfer-Encoding together.")
            coding = b",".join(codings).replace(b" ", b"").lower()
            if not http11:
                raise _HTTPError(400, "Transfer-Encoding is not allowed in HTTP/1.0.")
            if coding != b"chunked":
                raise _HTTPError(501, "Only the 'chunked' transfer coding is supported.")
            if expect:
                self._send_continue()
            body = _decode_chunked(self.rfile, self.server.max_request_body)
            environ["CONTENT_LENGTH"] = str(body.length)
            self.body = body
        elif lengths:
            values = {value.strip() for value in b",".join(lengths).split(b",")}
            if len(values) != 1:
                raise _HTTPError(400, "Conflicting Content-Length values.")
            value = values.pop()
            if not value.isdigit() or len(value) > 18:
                raise _HTTPError(400, "Malformed Content-Length.")
            environ["CONTENT_LENGTH"] = value.decode("ascii")
            self.continue_pending = expect and http11
            self.body = _BodyReader(self.rfile, int(value), self._before_body_read)
        else:
            environ.pop("CONTENT_LENGTH", None)
            self.body = _BodyReader(self.rfile, 0, None)
        environ["wsgi.input"] = self.body

    def _before_body_read(self) -> None:
        if self.continue_pending:
            self.continue_pending = False
            self._send_continue()

    def _send_continue(self) -> None:
        self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    # -- the application's answer ------------------------------------------------------------------
    def _call_app(self, environ: WSGIEnvironment) -> None:
        writer = _ResponseWriter(self, environ)
        app_iter: t.Iterable[bytes] | None = None
        try:
            app_iter = self.server.app(environ, writer.start_response)
            for data in app_iter:
                writer.write(data)
            writer.finish()
        except (OSError, ssl.SSLError):
            self.close = True  # the client went away
        except Exception:
            self.close = True
            if self.server.passthrough_errors:
                raise
            _logger.error(
                "Error on request %s %s",
                environ["REQUEST_METHOD"],
                _printable(environ["REQUEST_URI"].encode("latin-1")),
                exc_info=True,
            )
            if not self.headers_sent:
                writer.reset()
                self._send_error(500, "Internal Server Error: the traceback is in the log.")
                return
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    _logger.error("Error closing the response", exc_info=True)
        self._log_access()

    def _send_error(self, code: int, message: str) -> None:
        body = f"{code} {_REASONS[code]}\n\n{message}\n".encode()
        head = (
            f"HTTP/1.1 {code} {_REASONS[code]}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        self.status = f"{code} {_REASONS[code]}"
        self.size = len(body)
        self.close = True
        try:
            self.sock.sendall(head.encode("latin-1") + body)
        except OSError:
            pass
        self._log_access()

    def _log_access(self) -> None:
        client = self.handler.client_address
        when = datetime.now(UTC).astimezone().strftime("%d/%b/%Y %H:%M:%S")
        code = self.status.partition(" ")[0] or "-"
        _logger.info(
            '%s - - [%s] "%s" %s %s',
            client[0] if client else "-",
            when,
            self.request_line,
            code,
            self.size,
        )


class _ResponseWriter:
    """``start_response`` and the body framing for one response."""

    def __init__(self, exchange: _Exchange, environ: WSGIEnvironment) -> None:
        self.exchange = exchange
        self.head_request = environ["REQUEST_METHOD"] == "HEAD"
        self.http11 = environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.length: int | None = None
        self.chunked = False
        self.sent = 0

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: t.Any = None,
    ) -> t.Callable[[bytes], object]:
        if exc_info is not None:
            try:
                if self.exchange.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response() was already called (pass exc_info to redo it).")
        code = status[:3]
        if not (len(status) >= 4 and code.isdigit() and status[3] == " "):
            raise AssertionError(f"Malformed status {status!r}: expected '200 OK'.")
        for name, value in headers:
            if "\n" in name or "\r" in name or "\n" in value or "\r" in value:
                raise AssertionError(f"Header {name!r} contains a newline.")
        self.status = status
        self.headers = list(headers)
        return self.write

    def reset(self) -> None:
        self.status = None

    def write(self, data: bytes) -> None:
        if self.status is None:
            raise AssertionError("The application wrote a body before calling start_response().")
        if not data:
            return
        if not self.exchange.headers_sent:
            self._send_head()
        if self.head_request or self.exchange.status[:3] in ("204", "304"):
            return
        if self.length is not None:
            allowed = self.length - self.sent
            if len(data) > allowed:
                data = data[:allowed]
                self.exchange.close = True  # more than Content-Length: the rest is dropped
        self.sent += len(data)
        self.exchange.size = self.sent
        if self.chunked:
            self.exchange.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        elif data:
            self.exchange.sock.sendall(data)

    def finish(self) -> None:
        if self.status is None:
            raise AssertionError("The application returned without calling start_response().")
        if not self.exchange.headers_sent:
            self._send_head()
        if self.chunked:
            self.exchange.sock.sendall(b"0\r\n\r\n")
        elif self.length is not None and self.sent < self.length and not self.head_request:
            self.exchange.close = True  # fewer bytes than promised: the client must not wait

    def _send_head(self) -> None:
        exchange = self.exchange
        assert self.status is not None
        code = int(self.status[:3])
        names = set()
        for name, value in self.headers:
            lowered = name.lower()
            names.add(lowered)
            if lowered == "content-length":
                if not value.strip().isdigit():
                    raise AssertionError(f"The application sent a bad Content-Length {value!r}.")
                self.length = int(value)
        no_body = code in _NO_BODY_STATUS or code < 200
        body = exchange.body
        if (
            body is not None
            and body.from_socket
            and body.remaining
            and (exchange.continue_pending or body.remaining > exchange.server.max_drain)
        ):
            exchange.close = True  # an unread body we will not drain: this is the last answer
        if self.length is None and not no_body and not self.head_request:
            if self.http11:
                self.chunked = True
            else:
                exchange.close = True  # HTTP/1.0 without a length: the close ends the body
        lines = [f"HTTP/1.1 {self.status}"]
        lines.extend(
            f"{name}: {value}"
            for name, value in self.headers
            if name.lower() not in ("connection", "transfer-encoding")
        )
        if "date" not in names:
            lines.append(f"Date: {formatdate(usegmt=True)}")
        if "server" not in names:
            lines.append("Server: Erlen-dev-server")
        if self.chunked:
            lines.append("Transfer-Encoding: chunked")
        if exchange.close:
            lines.append("Connection: close")
        elif not self.http11:
            lines.append("Connection: keep-alive")
        exchange.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        exchange.headers_sent = True
        exchange.status = self.status
        exchange.size = 0


class _BodyReader:
    """``wsgi.input``: the request body, ending at its length (never reading the next request).

    A client that stops sending mid-body raises :class:`~erlen.exceptions.ClientDisconnected`
    (a 400), not a timeout error (a 500).
    """

    #: Whether reading consumes the connection (a decoded chunked body does not).
    from_socket = True

    def __init__(
        self,
        source: t.BinaryIO | t.IO[bytes],
        length: int,
        before_read: t.Callable[[], None] | None,
    ) -> None:
        self._source = source
        self.length = length
        self.remaining = length
        self._before_read = before_read

    def _limit(self, size: int | None) -> int:
        if self._before_read is not None and self.remaining:
            self._before_read()
            self._before_read = None
        if size is None or size < 0 or size > self.remaining:
            return self.remaining
        return size

    def _took(self, data: bytes, wanted: int) -> bytes:
        self.remaining -= len(data)
        if len(data) < wanted:
            self.remaining = 0  # the client closed early: the body ends here
        return data

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes (all that is left by default)."""
        size = self._limit(size)
        if not size:
            return b""
        try:
            return self._took(self._source.read(size), size)
        except TimeoutError:
            raise _disconnected() from None

    def read1(self, size: int = -1) -> bytes:
        """Read what is available, up to ``size`` bytes."""
        return self.read(min(size, 65536) if size > 0 else 65536)

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line, up to ``size`` bytes."""
        size = self._limit(size)
        if not size:
            return b""
        try:
            return self._took(self._source.readline(size), 1)
        except TimeoutError:
            raise _disconnected() from None

    def readlines(self, hint: int = -1) -> list[bytes]:
        """All remaining lines."""
        return list(self)

    def __iter__(self) -> t.Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def drain(self) -> bool:
        """Read and drop the rest of the body; False if that failed (close the connection)."""
        try:
            while self.remaining:
                wanted = min(self.remaining, 65536)
                if len(self.read(wanted)) < wanted:
                    return False
        except Exception:
            return False
        return True

    def close(self) -> None:
        """Nothing to release: the connection belongs to the server."""


class _DecodedBody(_BodyReader):
    """A chunked body, decoded before the application runs (kept in memory up to 1 MiB)."""

    from_socket = False

    def __init__(self, spool: t.IO[bytes], length: int) -> None:
        spool.seek(0)
        super().__init__(spool, length, None)
        self._spool = spool

    def close(self) -> None:
        """Release the decoded body (the server calls this after the response)."""
        self._spool.close()


def _decode_chunked(rfile: t.IO[bytes], limit: int | None) -> _DecodedBody:
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - returned
    try:
        return _DecodedBody(spool, _read_chunks(rfile, spool, limit))
    except BaseException:
        spool.close()
        raise


def _read_chunks(rfile: t.IO[bytes], spool: t.IO[bytes], limit: int | None) -> int:
    total = 0
    while True:
        line = rfile.readline(4097)
        if not line.endswith(b"\n"):
            raise _HTTPError(400, "Malformed chunk size line.")
        size_field = line.rstrip(b"\r\n").partition(b";")[0].strip(b" \t")
        if not _HEX.match(size_field):
            raise _HTTPError(400, "Malformed chunk size.")
        size = int(size_field, 16)
        if size == 0:
            break
        total += size
        if limit is not None and total > limit:
            raise _HTTPError(413, f"The request body is larger than {limit} bytes.")
        while size:
            data = rfile.read(min(size, 65536))
            if not data:
                raise _ClientGone
            spool.write(data)
            size -= len(data)
        if rfile.readline(3) not in (b"\r\n", b"\n"):
            raise _HTTPError(400, "A chunk does not end with CRLF.")
    for _ in range(100):  # trailer fields are read and dropped
        line = rfile.readline(8193)
        if line in (b"\r\n", b"\n"):
            return total
        if not line.endswith(b"\n"):
            break
    raise _HTTPError(400, "Malformed chunked trailer.")


def _disconnected() -> Exception:
    from .exceptions import ClientDisconnected

    return ClientDisconnected("The client stopped sending the request body.")


def _printable(raw: bytes) -> str:
    """A request line safe to log: control characters and non-ASCII bytes escaped."""
    text = raw.decode("latin-1")
    if text.isprintable() and text.isascii():
        return text
    return "".join(ch if " " <= ch < "\x7f" else f"\\x{ord(ch):02x}" for ch in text)


# -- TLS -------------------------------------------------------------------------------------------
def load_ssl_context(cert_file: str, key_file: str | None = None) -> ssl.SSLContext:
    """A server-side TLS context from a certificate (and key) in PEM files."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def generate_adhoc_ssl_context() -> ssl.SSLContext:
    """A TLS context with a fresh self-signed certificate (needs the ``cryptography`` package)."""
    cert_pem, key_pem = generate_self_signed_cert("localhost")
    with tempfile.TemporaryDirectory() as folder:
        cert_path = os.path.join(folder, "cert.pem")
        key_path = os.path.join(folder, "key.pem")
        with open(cert_path, "wb") as f:
            f.write(cert_pem)
        with open(key_path, "wb") as f:
            f.write(key_pem)
        return load_ssl_context(cert_path, key_path)


def generate_self_signed_cert(host: str = "localhost") -> tuple[bytes, bytes]:
    """A self-signed certificate and its key for ``host``, PEM-encoded, valid for a year."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise RuntimeError(
            "A self-signed ('adhoc') certificate needs the 'cryptography' package:"
            " pip install cryptography, or pass --cert and --key files."
        ) from None
    import datetime as dt
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(host)]
    alt_names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem


def _make_ssl_context(
    value: ssl.SSLContext | tuple[str, str] | str | None,
) -> ssl.SSLContext | None:
    if value is None or isinstance(value, ssl.SSLContext):
        return value
    if value == "adhoc":
        return generate_adhoc_ssl_context()
    if isinstance(value, tuple) and len(value) == 2:
        return load_ssl_context(*value)
    raise TypeError(
        f"ssl_context must be an ssl.SSLContext, a (cert_file, key_file) pair or 'adhoc',"
        f" not {value!r}."
    )


# -- run_simple ------------------------------------------------------------------------------------
def is_running_from_reloader() -> bool:
    """True in the reloader's child process (the one that serves requests)."""
    return os.environ.get(RELOADER_MARKER) == "true"


def run_simple(
    hostname: str,
    port: int,
    application: WSGIApplication,
    use_reloader: bool = False,
    use_debugger: bool = False,
    use_evalex: bool = False,
    extra_files: t.Iterable[str] | None = None,
    exclude_patterns: t.Iterable[str] | None = None,
    reloader_interval: float = 1,
    reloader_type: str = "auto",
    threaded: bool = False,
    processes: int = 1,
    passthrough_errors: bool = False,
    ssl_context: ssl.SSLContext | tuple[str, str] | str | None = None,
    timeout: float = 15.0,
) -> None:
    """Serve ``application`` until interrupted (Ctrl+C): the development server.

    ``use_debugger`` wraps the application in :class:`erlen.debug.DebuggedApplication` (a
    traceback page for loopback clients; ``use_evalex`` is accepted for compatibility and
    ignored: no code is ever run from the browser). ``use_reloader`` restarts the server
    when a watched file changes (see :func:`run_with_reloader`).
    """
    _configure_logging()
    max_body = _app_max_content_length(application)
    watch_dirs = _template_dirs(application)
    if use_debugger:
        from .debug import DebuggedApplication

        application = DebuggedApplication(application, trusted_hosts=[hostname])
    options: dict[str, t.Any] = {
        "threaded": threaded,
        "processes": processes,
        "ssl_context": ssl_context,
        "timeout": timeout,
        "max_request_body": max_body,
        "passthrough_errors": passthrough_errors,
    }
    if use_reloader and not is_running_from_reloader():
        fd = _bind_socket(hostname, port)
        _print_running(hostname, fd, ssl_context is not None)
        _print(" * Restarting with the reloader")
        try:
            code = run_with_reloader(
                extra_files=extra_files,
                exclude_patterns=exclude_patterns,
                interval=reloader_interval,
                reloader_type=reloader_type,
                fd=fd,
            )
        finally:
            os.close(fd)
        sys.exit(code)
    fd_env = os.environ.get(_SERVER_FD)
    if fd_env is not None and is_running_from_reloader():
        options["fd"] = int(fd_env)
    server = make_dev_server(hostname, port, application, **options)
    if not is_running_from_reloader():
        _print_running(hostname, server.socket.fileno(), ssl_context is not None)
    if use_reloader:
        reloader = make_reloader(
            reloader_type, extra_files, exclude_patterns, reloader_interval, watch_dirs
        )
        reloader.prepare()  # before serving: a change after the first answer must count
        # PERF: a short poll interval, so a restart does not wait for the serving loop.
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            changed = reloader.wait_for_change()
        except KeyboardInterrupt:
            changed = None
        server.shutdown()
        server.server_close()
        if changed is None:
            sys.exit(0)
        _print(f" * Detected a change in {changed!r}, reloading")
        sys.exit(RESTART_CODE)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _print(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _print_running(hostname: str, fd: int, tls: bool) -> None:
    sock = socket.socket(fileno=os.dup(fd))
    try:
        port = sock.getsockname()[1]
    finally:
        sock.close()
    scheme = "https" if tls else "http"
    shown = f"[{hostname.strip('[]')}]" if ":" in hostname else hostname
    _print(f" * {DEV_SERVER_NOTICE}")
    _print(f" * Running on {scheme}://{shown}:{port}/ (press CTRL+C to quit)")


def _bind_socket(hostname: str, port: int) -> int:
    host = hostname.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise OSError(
                e.errno,
                f"Port {port} is in use by another program. Stop it, or choose another port"
                " with --port.",
            ) from None
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock.detach()


def _configure_logging() -> None:
    if not _logger.handlers and not logging.getLogger().handlers:
        _logger.addHandler(logging.StreamHandler())
    if _logger.level == logging.NOTSET:
        _logger.setLevel(logging.INFO)


def _app_max_content_length(application: t.Any) -> int | None:
    config = getattr(application, "config", None)
    if isinstance(config, dict):
        value = config.get("MAX_CONTENT_LENGTH")
        return int(value) if value is not None else None
    return None


def _template_dirs(application: t.Any) -> list[str]:
    """The template folders of an Erlen application and its blueprints (others: none)."""
    dirs = []
    scaffolds = [application]
    iter_blueprints = getattr(application, "iter_blueprints", None)
    if iter_blueprints is not None:
        scaffolds.extend(iter_blueprints())
    for obj in scaffolds:
        folder = getattr(obj, "template_folder", None)
        root = getattr(obj, "root_path", None)
        if isinstance(folder, str | os.PathLike) and isinstance(root, str):
            path = os.path.join(root, os.fspath(folder))
            if os.path.isdir(path):
                dirs.append(path)
    return dirs


# -- the reloader ----------------------------------------------------------------------------------
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {
        paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib") if name in paths
    }
    roots.update({sys.base_prefix, sys.base_exec_prefix} - {sys.prefix})
    return tuple(os.path.join(os.path.abspath(root), "") for root in roots)


def application_files() -> set[str]:
    """The source files of the loaded modules that belong to the application: everything
    imported from outside the standard library and the installed packages."""
    roots = _library_roots()
    files = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if not isinstance(filename, str):
            continue
        if filename.endswith((".pyc", ".pyo")):
            filename = filename[:-1]
        filename = os.path.abspath(filename)
        if filename.startswith(roots):
            continue
        parts = filename.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            continue
        if os.path.isfile(filename):
            files.add(filename)
    return files


class Reloader:
    """Finds the files to watch; subclasses wait for one of them to change."""

    def __init__(
        self,
        extra_files: t.Iterable[str] | None = None,
        exclude_patterns: t.Iterable[str] | None = None,
        interval: float = 1,
        watch_dirs: t.Iterable[str] | None = None,
    ) -> None:
        self.extra_files = {os.path.abspath(path) for path in extra_files or ()}
        self.exclude_patterns = set(exclude_patterns or ())
        self.interval = interval
        self.watch_dirs = {os.path.abspath(path) for path in watch_dirs or ()}

    def watched_files(self) -> set[str]:
        """The application's files, the extra files and the files in the watched folders."""
        files = application_files() | self.extra_files
        for folder in self.watch_dirs:
            for root, _dirs, names in os.walk(folder):
                files.update(os.path.join(root, name) for name in names)
        return {path for path in files if not self.is_excluded(path)}

    def is_excluded(self, path: str) -> bool:
        """Whether ``path`` matches one of the ``exclude_patterns`` (fnmatch patterns)."""
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.exclude_patterns)

    def prepare(self) -> None:
        """Record the current state of the files, before the server starts."""

    def wait_for_change(self) -> str:  # pragma: no cover - overridden
        """Block until a watched file changes; return its path."""
        raise NotImplementedError


class StatReloader(Reloader):
    """Polls the modification time of each watched file every ``interval`` seconds."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._mtimes: dict[str, float] = {}

    def prepare(self) -> None:
        """Record every watched file's modification time."""
        self.check()

    def check(self) -> str | None:
        """One pass: the first changed file, or None. New files are remembered, not reported."""
        changed = None
        for path in self.watched_files():
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            old = self._mtimes.setdefault(path, mtime)
            if old != mtime:
                self._mtimes[path] = mtime
                changed = changed or path
        return changed

    def wait_for_change(self) -> str:
        """Poll until a watched file changes."""
        while True:
            changed = self.check()
            if changed is not None:
                return changed
            time.sleep(self.interval)


class WatchfilesReloader(Reloader):
    """Waits for file-system events through the ``watchfiles`` package."""

    def wait_for_change(self) -> str:
        """Watch the folders of the watched files until one of them changes."""
        import watchfiles  # type: ignore[import-not-found, unused-ignore]

        while True:
            files = self.watched_files()
            roots = {os.path.dirname(path) for path in files} | self.watch_dirs
            roots = {root for root in roots if os.path.isdir(root)}
            for changes in watchfiles.watch(
                *sorted(roots),
                yield_on_timeout=True,
                rust_timeout=max(int(self.interval * 1000), 50),
                raise_interrupt=False,
            ):
                for _change, path in changes:
                    path = os.path.abspath(str(path))
                    in_dir = any(path.startswith(os.path.join(d, "")) for d in self.watch_dirs)
                    if (path in files or in_dir) and not self.is_excluded(path):
                        return path
                if application_files() - files:
                    break  # new modules were imported: watch their folders too


def make_reloader(
    reloader_type: str = "auto",
    extra_files: t.Iterable[str] | None = None,
    exclude_patterns: t.Iterable[str] | None = None,
    interval: float = 1,
    watch_dirs: t.Iterable[str] | None = None,
) -> Reloader:
    """The reloader for ``reloader_type``: ``auto`` (watchfiles when installed, else
    ``stat``), ``stat``, or ``watchfiles`` (``watchdog`` is read as ``auto``)."""
    if reloader_type in ("auto", "watchdog"):
        try:
            import watchfiles  # noqa: F401
        except ImportError:
            reloader_type = "stat"
        else:
            reloader_type = "watchfiles"
    if reloader_type == "stat":
        return StatReloader(extra_files, exclude_patterns, interval, watch_dirs)
    if reloader_type == "watchfiles":
        return WatchfilesReloader(extra_files, exclude_patterns, interval, watch_dirs)
    raise ValueError(
        f"Unknown reloader_type {reloader_type!r}: use 'auto', 'stat' or 'watchfiles'."
    )


def _child_command() -> list[str]:
    """The command that started this process, to run it again as the reloader's child."""
    return [sys.executable, *sys.orig_argv[1:]]


def run_with_reloader(
    extra_files: t.Iterable[str] | None = None,
    exclude_patterns: t.Iterable[str] | None = None,
    interval: float = 1,
    reloader_type: str = "auto",
    fd: int | None = None,
) -> int:
    """Run this program again as a child process, and again each time it exits asking for a
    restart (after a file change). When the child fails (a syntax error, say), wait for a
    change and start it again instead of giving up. Returns the exit code to use."""
    env = dict(os.environ)
    env[RELOADER_MARKER] = "true"
    if fd is not None:
        env[_SERVER_FD] = str(fd)
    children: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: t.Any) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        raise SystemExit(0)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main_thread else None
    try:
        while True:
            # The parent polls its own files only while a failed child waits for a fix; the
            # baseline is taken before the child starts, so a fix saved meanwhile counts.
            watcher = StatReloader(extra_files, exclude_patterns, interval)
            watcher.prepare()
            child = subprocess.Popen(
                _child_command(), env=env, pass_fds=() if fd is None else (fd,)
            )
            children[:] = [child]
            try:
                code = child.wait()
            except KeyboardInterrupt:
                child.terminate()
                child.wait()
                return 0
            if code == RESTART_CODE:
                continue
            if code <= 0:
                return 0
            _print(f" * The application exited with code {code}; waiting for a change to restart.")
            try:
                changed = watcher.wait_for_change()
            except KeyboardInterrupt:
                return code
            _print(f" * Detected a change in {changed!r}, restarting")
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def format_exception_files(exc: BaseException) -> list[str]:
    """The files an exception's traceback passes through (and a SyntaxError's file): what to
    watch to notice the fix."""
    files = []
    if isinstance(exc, SyntaxError) and exc.filename:
        files.append(exc.filename)
    files.extend(frame.filename for frame in traceback.extract_tb(exc.__traceback__))
    return [path for path in dict.fromkeys(files) if os.path.isfile(path)]

"""WSGI plumbing: the host, the body length and a bounded view of ``wsgi.input``."""

from __future__ import annotations

import io
import ipaddress
import re
import sys
import typing as t

from .exceptions import (
    BadHost,
    BadRequest,
    ClientDisconnected,
    RequestEntityTooLarge,
    SecurityError,
)

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

# Characters a Host header may carry: RFC 3986 reg-name / IPv6 literal, plus a port.
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]")
_DEFAULT_PORTS = {("http", "80"), ("https", "443"), ("ws", "80"), ("wss", "443")}


def get_host(environ: WSGIEnvironment, trusted_hosts: t.Iterable[str] | None = None) -> str:
    """Return the request's host (with the port unless it is the scheme's default).

    The Host header is preferred over ``SERVER_NAME`` (an IPv6 address there is put in
    brackets). A host that is not a host name or a bracketed IP address with an optional
    port (characters such as CR, LF, spaces, ``/`` or ``@``, a name longer than 253
    characters, a port that is not a number up to 65535) raises :class:`BadHost`; with
    ``trusted_hosts`` an untrusted host raises :class:`SecurityError`. Both are 400 errors.
    """
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if host:
        host = _checked_host_value(host, "The Host header")
        name, sep, port = host.rpartition(":")
        if sep and "]" not in port and (scheme, port) in _DEFAULT_PORTS:
            host = name
    else:
        host = environ.get("SERVER_NAME", "")
        if host:
            if ":" in host and not host.startswith("["):
                host = f"[{host}]"  # an IPv6 address, as servers give it
            port = str(environ.get("SERVER_PORT", ""))
            if port and (scheme, port) not in _DEFAULT_PORTS:
                host = f"{host}:{port}"
            host = _checked_host_value(host, "The server's SERVER_NAME and SERVER_PORT")
    if trusted_hosts is not None and not host_is_trusted(host, trusted_hosts):
        raise SecurityError(f"Host {_shown(host)} is not in TRUSTED_HOSTS.")
    return host


# RFC 1035 2.3.4 / RFC 1123 2.1: a domain name is at most 253 characters as text, not
# counting the dot of the root that a fully qualified name may end with.
_MAX_HOST_NAME = 253
# RFC 3986 3.2.2: IPvFuture, "v" version "." then unreserved, sub-delims or ":" (of which a
# host may carry the characters in _HOST_CHARS).
_IP_FUTURE = re.compile(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9._~:-]+")


def _checked_host_value(host: str, what: str) -> str:
    """``host`` (a name or ``[IP address]``, then an optional ``:port``), or BadHost.

    An empty port (``example.test:``, which RFC 3986 allows) is dropped.
    """
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1 :]
        valid = end > 1 and _is_ip_literal(name[1:-1]) and (not rest or rest[0] == ":")
        port = rest[1:]
    else:
        name, _, port = host.partition(":")
        valid = (
            bool(name)
            and "[" not in name
            and "]" not in name
            and len(name.removesuffix(".")) <= _MAX_HOST_NAME
            and _HOST_CHARS.issuperset(name)
        )
    valid = valid and (not port or (len(port) <= 5 and port.isascii() and port.isdecimal()))
    if not valid or (port and int(port) > 65535):
        raise BadHost(f"{what} {_shown(host)} is not a valid host name.")
    return host if port else name


def _is_ip_literal(inner: str) -> bool:
    """Whether ``inner`` (what is between the brackets) is an IPv6 address or IPvFuture."""
    if _IP_FUTURE.fullmatch(inner):
        return True
    if not _HOST_CHARS.issuperset(inner):
        return False  # also refuses zone ids ("%25eth0"), which a Host cannot carry
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return False
    return True


def _shown(value: str) -> str:
    """``value`` quoted for an error message, cut short when a client sent a long one."""
    return repr(value) if len(value) <= 80 else f"{value[:80]!r} ({len(value)} characters)"


def host_is_trusted(hostname: str, trusted_list: t.Iterable[str]) -> bool:
    """Whether ``hostname`` matches an entry; an entry with a leading ``.`` takes subdomains."""
    if not hostname:
        return False
    hostname = _strip_port(hostname).lower()
    if isinstance(trusted_list, str):
        trusted_list = [trusted_list]
    for entry in trusted_list:
        wildcard = entry.startswith(".")
        entry = _strip_port(entry.lstrip(".")).lower()
        if hostname == entry or (wildcard and hostname.endswith("." + entry)):
            return True
    return False


def _strip_port(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.partition(":")[0]


def get_content_length(environ: WSGIEnvironment) -> int | None:
    """The declared body length, or ``None`` when absent or the body is chunked.

    A value that is not a non-negative decimal integer raises :class:`BadRequest`.
    """
    value = environ.get("CONTENT_LENGTH")
    if not value or environ.get("HTTP_TRANSFER_ENCODING", "") == "chunked":
        return None
    # PERF: isdecimal() rejects signs, spaces and non-ASCII digits before int() is tried.
    if not (value.isascii() and value.isdecimal()):
        raise BadRequest(f"Invalid Content-Length header {value[:40]!r}: expected a byte count.")
    return int(value)


def get_input_stream(
    environ: WSGIEnvironment, safe_fallback: bool = True, max_content_length: int | None = None
) -> t.IO[bytes]:
    """Return ``wsgi.input`` wrapped so that no more than the allowed bytes can be read.

    With a Content-Length, reads stop there (and a length above ``max_content_length`` is a
    413 at once). Without one, the stream is only read when the server marks it terminated
    (``wsgi.input_terminated``); otherwise, with ``safe_fallback``, an empty stream is
    returned, because reading an unterminated stream could block forever.
    """
    stream: t.IO[bytes] = environ["wsgi.input"]
    content_length = get_content_length(environ)
    if (
        max_content_length is not None
        and content_length is not None
        and content_length > max_content_length
    ):
        raise RequestEntityTooLarge(_too_large(max_content_length))
    if environ.get("wsgi.input_terminated"):
        if max_content_length is not None:
            return LimitedStream(stream, max_content_length, is_max=True)  # type: ignore[return-value]
        return stream
    if content_length is None:
        return io.BytesIO() if safe_fallback else stream
    return LimitedStream(stream, content_length)  # type: ignore[return-value]


#: The most bytes asked of the server's input stream in one read.
_READ_CHUNK = 65536


def read_small_body(environ: WSGIEnvironment, max_content_length: int | None) -> bytes | None:
    """``get_input_stream(environ, max_content_length=...).read()`` for a body whose declared
    length is at most 64 KiB, in one read; ``None`` for any other body (use the stream).

    The same errors: 400 for a bad Content-Length or a body cut short, 413 past the limit.
    """
    # PERF: a JSON or form body is usually small and declared; reading it needs neither the
    # LimitedStream nor its io.RawIOBase machinery.
    if environ.get("wsgi.input_terminated"):
        return None
    content_length = get_content_length(environ)
    if content_length is None:
        return b""  # nothing declared: nothing is read (get_input_stream's safe fallback)
    if max_content_length is not None and content_length > max_content_length:
        raise RequestEntityTooLarge(_too_large(max_content_length))
    return read_declared_body(environ, content_length)


def read_declared_body(environ: WSGIEnvironment, content_length: int) -> bytes | None:
    """The rest of :func:`read_small_body`, for a caller that has read and checked the
    Content-Length itself (and knows ``wsgi.input_terminated`` is not set)."""
    if content_length > _READ_CHUNK:
        return None
    if content_length == 0:
        return b""
    data: bytes = environ["wsgi.input"].read(content_length)
    if len(data) < content_length:
        raise ClientDisconnected("The client closed the connection before sending the whole body.")
    return data


def _too_large(limit: int) -> str:
    return (
        f"The request body is larger than the {limit} bytes this endpoint accepts"
        " (MAX_CONTENT_LENGTH)."
    )


class LimitedStream(io.RawIOBase):
    """Read at most ``limit`` bytes from a stream.

    With ``is_max=False`` the limit is the declared Content-Length, and a stream that ends
    early means the client went away (:class:`ClientDisconnected`, a 400). With
    ``is_max=True`` the limit is a maximum, and a body that goes past it is a 413.
    """

    def __init__(self, stream: t.IO[bytes], limit: int, is_max: bool = False) -> None:
        self._stream = stream
        self._pos = 0
        self.limit = limit
        self._is_max = is_max

    @property
    def is_exhausted(self) -> bool:
        """Whether every byte up to the limit has been read."""
        return self._pos >= self.limit

    def readable(self) -> bool:
        """Always true."""
        return True

    def tell(self) -> int:
        """The number of bytes read so far."""
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes, or everything up to the limit."""
        remaining = self.limit - self._pos
        if size is None or size < 0 or size > remaining:
            size = remaining
        if size <= 0:
            if self._is_max and self._stream.read(1):
                raise RequestEntityTooLarge(_too_large(self.limit))
            return b""
        data = self._read_in_chunks(size) if size > _READ_CHUNK else self._stream.read(size)
        self._pos += len(data)
        if len(data) < size and not self._is_max:
            raise ClientDisconnected(
                "The client closed the connection before sending the whole body."
            )
        if self._is_max and self._pos >= self.limit and self._stream.read(1):
            raise RequestEntityTooLarge(_too_large(self.limit))
        return data

    def _read_in_chunks(self, size: int) -> bytes:
        # A Content-Length is only the client's claim: asking the server's stream for all of
        # it at once makes it allocate that much (MemoryError, or OverflowError past
        # sys.maxsize), so a tiny body claiming 100 GB would be a 500. Read what really
        # arrives, a chunk at a time.
        parts: list[bytes] = []
        while size > 0:
            chunk = self._stream.read(min(size, _READ_CHUNK))
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def readinto(self, buffer: t.Any) -> int:
        """Fill ``buffer`` from the stream; returns the number of bytes read."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """Read everything up to the limit."""
        return self.read(-1)

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line, never past the limit."""
        remaining = self.limit - self._pos
        if size is None or size < 0 or size > remaining:
            size = remaining
        if size <= 0:
            return self.read(0)
        # min(): a claimed length past sys.maxsize is an OverflowError in readline().
        line: bytes = self._stream.readline(min(size, sys.maxsize))
        self._pos += len(line)
        if not line and not self._is_max:
            raise ClientDisconnected(
                "The client closed the connection before sending the whole body."
            )
        return line

    def exhaust(self) -> None:
        """Read and discard what is left, so the next request on the connection starts clean."""
        while not self.is_exhausted:
            if not self.read(min(65536, self.limit - self._pos)):
                break


def run_wsgi_app(
    app: t.Callable[..., t.Iterable[bytes]], environ: WSGIEnvironment, buffered: bool = False
) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
    """Call a WSGI application; return ``(body, status, headers)``.

    The body is buffered into a list (closing the application's iterable) when ``buffered``
    is true; otherwise it is the application's iterable, still to be closed by the caller.
    """
    captured: list[t.Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        if exc_info is not None and captured:
            raise exc_info[1].with_traceback(exc_info[2])
        captured[:] = [status, headers]
        return lambda data: written.append(data)

    written: list[bytes] = []
    app_rv = app(environ, start_response)
    body: t.Iterable[bytes]
    if buffered or written:
        try:
            body = [*written, *app_rv]
        finally:
            close = getattr(app_rv, "close", None)
            if close is not None:
                close()
    else:
        # start_response may be called lazily, on the first iteration.
        iterator = iter(app_rv)
        first: list[bytes] = []
        if not captured:
            for chunk in iterator:
                first.append(chunk)
                if captured:
                    break
        body = _chain_closing(first, iterator, app_rv)
    if not captured:
        raise RuntimeError("The WSGI application returned without calling start_response.")
    return body, captured[0], captured[1]


def _chain_closing(
    first: list[bytes], rest: t.Iterator[bytes], original: t.Iterable[bytes]
) -> t.Iterator[bytes]:
    try:
        yield from first
        yield from rest
    finally:
        close = getattr(original, "close", None)
        if close is not None:
            close()

"""Conditional and partial responses (RFC 9110, sections 13 and 14) for
:meth:`Response.make_conditional <erlen.wrappers.Response.make_conditional>`.

The preconditions are evaluated in the order of RFC 9110, 13.2.2: If-Match (else
If-Unmodified-Since) can give 412, then If-None-Match (else If-Modified-Since) can give 304,
and only then is a Range served (206) or refused (416). Where this differs from Werkzeug 3.1
it follows the RFC; docs/security.md lists the differences.
"""

from __future__ import annotations

import functools
import typing as t
from datetime import UTC, datetime

from .. import http
from ..exceptions import RequestedRangeNotSatisfiable

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .response import Response

# What a 304 must not describe: it carries no body, so the fields that describe one go
# (RFC 9110, 15.4.5). ETag, Last-Modified, Cache-Control, Vary, Date, Expires and
# Content-Location stay, as caches update their stored response from them.
_BODY_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Content-Language",
    "Content-MD5",
    "Content-Range",
    "Content-Disposition",
)
_BODY_KEYS = frozenset(name.lower() for name in _BODY_HEADERS)
# The headers make_conditional reads.
_READ_KEYS = frozenset({"date", "accept-ranges", "etag", "last-modified"})
_CHUNK = 64 * 1024


def environ_of(request_or_environ: t.Any) -> WSGIEnvironment:
    """The environ of a request object, or the mapping itself."""
    environ = getattr(request_or_environ, "environ", request_or_environ)
    if not isinstance(environ, dict):
        raise TypeError(
            "make_conditional() needs the request or its WSGI environ, not"
            f" {type(request_or_environ).__name__}; pass flask.request (or request.environ)."
        )
    return t.cast("WSGIEnvironment", environ)


def accept_ranges_value(accept_ranges: bool | str | None) -> str | None:
    """The Accept-Ranges header for the ``accept_ranges`` argument (``None``: none)."""
    if accept_ranges is True:
        return "bytes"
    if accept_ranges is False or accept_ranges is None:
        return None
    if isinstance(accept_ranges, str) and accept_ranges.strip():
        return accept_ranges.strip()
    raise TypeError(
        "accept_ranges must be True (meaning 'bytes'), False, or a range unit such as 'bytes';"
        f" got {accept_ranges!r}."
    )


def make_conditional(
    response: Response,
    environ: WSGIEnvironment,
    accept_ranges: bool | str | None,
    complete_length: int | None,
) -> None:
    """Turn ``response`` into a 304, 412 or 206 as the request's conditional headers ask;
    raise :class:`~erlen.exceptions.RequestedRangeNotSatisfiable` for a bad byte range."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method not in ("GET", "HEAD"):
        # The view has already done its work for an unsafe method, so a precondition can
        # no longer prevent anything; such views check request.if_match themselves.
        return
    headers = response.headers
    # PERF: the four headers looked at here are found in one pass, not four.
    seen: dict[str, str] = {}
    for name, value in headers._list:
        key = name.lower()
        if key in _READ_KEYS and key not in seen:
            seen[key] = value
    if "date" not in seen:
        headers._list.append(("Date", http.http_date()))  # a date of our making: no checks
    unit = accept_ranges_value(accept_ranges)
    if unit is not None:
        if "accept-ranges" in seen:
            headers["Accept-Ranges"] = unit
        else:
            headers.add("Accept-Ranges", unit)
    if not 200 <= response.status_code < 300:
        return  # RFC 9110, 13.2.1: conditions apply only to a successful response

    raw_etag = seen.get("etag")
    etag, weak = http.unquote_etag(raw_etag) if raw_etag else (None, False)
    last_modified = http.parse_date(seen.get("last-modified"))

    if _precondition_fails(environ, etag, weak, last_modified):
        _precondition_failed(response)
        return
    if _not_modified(environ, etag, last_modified):
        response.status_code = 304
        # PERF: one pass over the list instead of a remove() per name.
        headers._list[:] = [item for item in headers._list if item[0].lower() not in _BODY_KEYS]
        return
    if method == "GET" and unit is not None:
        _serve_range(response, environ, etag, weak, last_modified, complete_length)


def answers_not_modified(
    environ: WSGIEnvironment, etag: str | None, last_modified_header: str | None
) -> bool:
    """Whether :func:`make_conditional` turns a 2xx response whose validators are the
    strong ``etag`` (unquoted) and the Last-Modified ``last_modified_header`` into a 304:
    the same tests, for a caller that has not built the 200 yet (``send_file``)."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method not in ("GET", "HEAD"):
        return False
    last_modified = http.parse_date(last_modified_header)
    return not _precondition_fails(environ, etag, False, last_modified) and _not_modified(
        environ, etag, last_modified
    )


def _precondition_fails(
    environ: WSGIEnvironment, etag: str | None, weak: bool, last_modified: datetime | None
) -> bool:
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        tags = http.parse_etags(if_match)
        if tags.star_tag:
            return False  # the resource exists: it is answering 2xx
        # If-Match uses the strong comparison: a weak tag never matches (RFC 9110, 13.1.1).
        return etag is None or weak or not tags.contains(etag)
    since = http.parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
    return since is not None and last_modified is not None and last_modified > since


@functools.lru_cache(maxsize=256)
def _cached_none_match_tags(value: str) -> tuple[bool, frozenset[str]]:
    tags = http.parse_etags(value)
    return tags.star_tag, frozenset(tags.as_set(include_weak=True))


def _none_match_tags(value: str) -> tuple[bool, frozenset[str]]:
    """If-None-Match as ``(is "*", the tags, weak and strong)``: what its weak comparison
    needs (RFC 9110, 13.1.2)."""
    # PERF: a client sends back the same tag on every revalidation, and parsing it costs
    # ~2 µs; the answers are immutable, so they are cached (short headers only).
    if len(value) <= 256:
        return _cached_none_match_tags(value)
    return _cached_none_match_tags.__wrapped__(value)


def _not_modified(
    environ: WSGIEnvironment, etag: str | None, last_modified: datetime | None
) -> bool:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        star, tags = _none_match_tags(if_none_match)
        return star or (etag is not None and etag in tags)
    since = http.parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is None or last_modified is None:
        return False
    # A date in the future is invalid (RFC 9110, 13.1.3): it could pin a stale copy forever.
    return since <= datetime.now(UTC) and last_modified <= since


def _precondition_failed(response: Response) -> None:
    response.status_code = 412
    _drop_body(response)
    response.headers.remove("Content-Range")
    response.headers["Content-Length"] = "0"


def _drop_body(response: Response) -> None:
    close = getattr(response.response, "close", None)
    if close is not None:
        response.call_on_close(close)
    response.response = []


def _if_range_holds(
    value: str, etag: str | None, weak: bool, last_modified: datetime | None
) -> bool:
    """Whether If-Range names the current representation (RFC 9110, 13.1.5): the same
    strong entity tag, or exactly its Last-Modified date."""
    if_range = http.parse_if_range_header(value)
    if if_range.date is not None:
        return last_modified is not None and last_modified == if_range.date
    return etag is not None and not weak and if_range.etag == etag


def _serve_range(
    response: Response,
    environ: WSGIEnvironment,
    etag: str | None,
    weak: bool,
    last_modified: datetime | None,
    complete_length: int | None,
) -> None:
    value = environ.get("HTTP_RANGE")
    if not value:
        return
    if value.partition("=")[0].strip().lower() != "bytes":
        return  # an unknown range unit is ignored (RFC 9110, 14.2)
    if_range = environ.get("HTTP_IF_RANGE")
    if if_range and not _if_range_holds(if_range, etag, weak, last_modified):
        return  # the client's copy is stale: send the whole representation
    length = complete_length
    if length is None and response.is_sequence:
        length = sum(len(chunk) for chunk in response.iter_encoded())
    if not length:
        return  # unknown or empty: nothing to cut a range from
    rng = http.parse_range_header(value)
    if rng is None:
        raise RequestedRangeNotSatisfiable(length=length)
    if len(rng.ranges) > 1:
        # Several ranges would need a multipart/byteranges body; the whole representation
        # is an answer RFC 9110 (14.2) allows, and it cannot be abused with many small or
        # overlapping ranges.
        return
    span = rng.range_for_length(length)
    if span is None:
        raise RequestedRangeNotSatisfiable(length=length)
    start, stop = span
    response.status_code = 206
    response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{length}"
    response.headers["Content-Length"] = str(stop - start)
    if response.is_sequence:
        response.response = [b"".join(response.iter_encoded())[start:stop]]
    else:
        response.response = ByteRange(response.response, start, stop - start)


def _seekable_file(source: t.Any) -> t.Any:
    """The seekable file behind a body (itself, or a ``wsgi.file_wrapper``'s ``filelike``)."""
    for candidate in (source, getattr(source, "filelike", None)):
        if hasattr(candidate, "read") and hasattr(candidate, "seek"):
            seekable = getattr(candidate, "seekable", None)
            if seekable is None or seekable():
                return candidate
    return None


class ByteRange:
    """A body iterable that yields ``length`` bytes of ``source`` from ``start`` on.

    A seekable file (or a file wrapper around one) is read from ``start`` directly; any
    other iterable is consumed and the bytes before ``start`` are skipped. Closing it
    closes ``source``.
    """

    def __init__(self, source: t.Iterable[bytes | str], start: int, length: int) -> None:
        self.source = source
        self.start = start
        self.length = length

    def __iter__(self) -> t.Iterator[bytes]:
        remaining = self.length
        file = _seekable_file(self.source)
        if file is not None:
            file.seek(self.start)
            while remaining > 0:
                chunk = file.read(min(_CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk
            return
        skip = self.start
        for item in self.source:
            chunk = item.encode() if isinstance(item, str) else item
            if skip:
                if len(chunk) <= skip:
                    skip -= len(chunk)
                    continue
                chunk, skip = chunk[skip:], 0
            if len(chunk) >= remaining:
                yield chunk[:remaining]
                return
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        """Close the source."""
        close = getattr(self.source, "close", None)
        if close is not None:
            close()

"""Pure helpers that parse and write HTTP header values (RFC 9110, 9111, 6265, 8187).

Nothing here sees an environ or does I/O: each function takes strings (or bytes) and returns
values, so they are tested with tables and generated input. Malformed input gives an empty
or ``None`` result, never an exception; the ``dump_*`` functions raise ``ValueError`` for
values that cannot be written safely. The names match ``werkzeug.http``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import typing as t
import warnings
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote, unquote_to_bytes

from ._status import HTTP_STATUS_CODES as HTTP_STATUS_CODES

# From the modules that define them, not the package: the package imports its modules, and they
# import this module, so it may be partly initialised while this runs.
from .datastructures.accept import Accept
from .datastructures.cache_control import RequestCacheControl, _CacheControl
from .datastructures.range import ContentRange, ETags, IfRange, Range
from .datastructures.sets import HeaderSet
from .datastructures.structures import MultiDict

_TAccept = t.TypeVar("_TAccept", bound=Accept)
_TCacheControl = t.TypeVar("_TCacheControl", bound=_CacheControl)
_TMultiDict = t.TypeVar("_TMultiDict", bound=MultiDict[str, t.Any])


# -- quoting -------------------------------------------------------------------------------------

# tchar (RFC 9110, 5.6.2).
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.S)


def _is_token(value: str) -> bool:
    return _TOKEN_RE.fullmatch(value) is not None


def quote_header_value(value: object, allow_token: bool = True) -> str:
    """Quote a value as an RFC 9110 quoted-string, unless (``allow_token``) it is a token."""
    text = str(value)
    if allow_token and _is_token(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote_header_value(value: str, is_filename: bool = False) -> str:
    """Undo :func:`quote_header_value`: strip the quotes and resolve backslash escapes.

    With ``is_filename``, a UNC path (``"\\\\server\\share"``, as old browsers send) keeps
    its backslashes.
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if is_filename and value[:2] == "\\\\":
            return value
        if "\\" in value:
            value = _QUOTED_PAIR_RE.sub(r"\1", value)
    return value


# One alternative per kind of piece: a quoted string (escapes included), a run of ordinary
# characters, the separator, or a lone quote that opens nothing. Every character is covered,
# so finditer walks the whole value.
_SPLITTERS = {sep: re.compile(rf'"(?:[^"\\]|\\.)*"|[^"{sep}]+|{sep}|"', re.S) for sep in (",", ";")}
# Entity tags have no backslash escapes (RFC 9110, 8.8.3): a backslash is an ordinary byte.
_ETAG_SPLITTER = re.compile(r'"[^"]*"|[^",]+|,|"')


def _split(value: str, sep: str, splitter: re.Pattern[str] | None = None) -> list[str]:
    """Split at ``sep`` outside quoted strings."""
    if '"' not in value:  # PERF: the common case needs no scanner
        return value.split(sep)
    parts: list[str] = []
    current: list[str] = []
    for match in (splitter or _SPLITTERS[sep]).finditer(value):
        piece = match.group()
        if piece == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(piece)
    parts.append("".join(current))
    return parts


_EXT_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "latin-1", "us-ascii": "ascii"}


def _ext_charset(name: str) -> str | None:
    return _EXT_CHARSETS.get(name.strip().lower())


def _decode_ext_value(value: str) -> str | None:
    """Decode an RFC 8187 ``charset'language'percent-encoded`` value, or ``None``."""
    charset, sep, rest = value.partition("'")
    _language, sep2, encoded = rest.partition("'")
    encoding = _ext_charset(charset)
    if not (sep and sep2) or encoding is None:
        return None
    return unquote(encoded, encoding=encoding, errors="replace")


# attr-char (RFC 8187, 3.2.1) beyond what urllib.parse.quote always leaves alone.
_ATTR_CHAR_SAFE = "!#$&+^`|"


def _dump_param(key: str, value: object) -> str:
    text = str(value)
    if key.endswith("*") or text.isascii():
        return f"{key}={text if key.endswith('*') else quote_header_value(text)}"
    # RFC 8187: non-ASCII values travel percent-encoded as UTF-8.
    return f"{key}*=UTF-8''{quote(text, safe=_ATTR_CHAR_SAFE)}"


# -- lists, dicts and options --------------------------------------------------------------------


def parse_list_header(value: str) -> list[str]:
    """Split a comma-separated header (``a, "b, c"``) into its unquoted items."""
    rv = []
    for item in _split(value, ","):
        item = item.strip()
        if item:
            rv.append(unquote_header_value(item) if item[0] == '"' else item)
    return rv


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse ``a=1, b="x, y", c`` into ``{"a": "1", "b": "x, y", "c": None}``.

    An RFC 8187 ``key*=UTF-8''...`` item is decoded and stored under ``key``.
    """
    rv: dict[str, str | None] = {}
    extended = set()
    for item in _split(value, ","):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not key:
            continue
        if not sep:
            rv[key] = None
            continue
        raw = raw.strip()
        if key.endswith("*") and len(key) > 1:
            decoded = _decode_ext_value(raw)
            if decoded is not None:
                rv[key[:-1]] = decoded
                extended.add(key[:-1])
                continue
        if key not in extended:
            rv[key] = unquote_header_value(raw)
    return rv


def parse_options_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Split ``text/html; charset="utf-8"`` into ``("text/html", {"charset": "utf-8"})``.

    Parameter names are lower-cased. RFC 8187 (``filename*=UTF-8''...``) and RFC 2231
    continuations (``title*0=...; title*1=...``) are decoded; an extended value wins over
    the plain one.
    """
    if not value:
        return "", {}
    if ";" not in value:  # PERF: most content types carry no parameters
        return value.strip(), {}
    parts = _split(value, ";")
    params: dict[str, str] = {}
    extended: set[str] = set()
    continuations: dict[str, dict[int, tuple[bool, str]]] = {}
    for part in parts[1:]:
        key, sep, raw = part.partition("=")
        key = key.strip().lower()
        if not key or not sep:
            continue
        raw = raw.strip()
        is_ext = key.endswith("*")
        if is_ext:
            key = key[:-1]
        name, star, number = key.partition("*")
        if star:
            if name and number.isascii() and number.isdecimal() and len(number) < 4:
                continuations.setdefault(name, {})[int(number)] = (is_ext, raw)
            continue
        if is_ext:
            decoded = _decode_ext_value(raw)
            if decoded is not None:
                params[key] = decoded
                extended.add(key)
            continue
        if key and key not in extended:
            params[key] = unquote_header_value(raw, key == "filename")
    for name, segments in continuations.items():
        if name not in extended:
            params[name] = _join_continuations(segments)
    return parts[0].strip(), params


def _join_continuations(segments: dict[int, tuple[bool, str]]) -> str:
    """Join RFC 2231 ``name*0``, ``name*1``, ... segments (stopping at a gap)."""
    encoding = "utf-8"
    data = bytearray()
    for index in range(len(segments)):
        if index not in segments:
            break
        is_ext, raw = segments[index]
        if is_ext:
            if index == 0:
                charset, _, rest = raw.partition("'")
                raw = rest.partition("'")[2]
                encoding = _ext_charset(charset) or "utf-8"
            data += unquote_to_bytes(raw)
        else:
            data += unquote_header_value(raw).encode(encoding, "replace")
    return data.decode(encoding, "replace")


def dump_options_header(header: str | None, options: t.Mapping[str, t.Any]) -> str:
    """The inverse of :func:`parse_options_header`: ``text/plain; charset=utf-8``.

    Values are quoted when they are not tokens, and sent RFC 8187-encoded when they are not
    ASCII; ``None`` values are left out.
    """
    segments = [header] if header else []
    for key, value in options.items():
        if value is not None:
            segments.append(_dump_param(key, value))
    return "; ".join(segments)


def dump_header(iterable: t.Mapping[str, t.Any] | t.Iterable[t.Any]) -> str:
    """Write a list (``a, "b c"``) or a dict (``max-age=60, public``; ``None`` gives the bare
    key) as a comma-separated header value."""
    if isinstance(iterable, t.Mapping):
        return ", ".join(
            key if value is None else f"{key}={quote_header_value(value)}"
            for key, value in iterable.items()
        )
    return ", ".join(quote_header_value(item) for item in iterable)


def parse_set_header(
    value: str | None, on_update: t.Callable[[HeaderSet], None] | None = None
) -> HeaderSet:
    """Parse a comma-separated header (Vary, Allow) into a :class:`HeaderSet`."""
    return HeaderSet(parse_list_header(value) if value else None, on_update)


def parse_csp_header(value: str | None) -> dict[str, str]:
    """Parse a Content-Security-Policy (``default-src 'self'; img-src *``) into a dict of
    directive (lower-cased) to its source list; a directive without sources maps to ``""``."""
    policy: dict[str, str] = {}
    for directive in (value or "").split(";"):
        name, _, sources = directive.strip(" \t").partition(" ")
        if name:
            policy.setdefault(name.lower(), sources.strip(" \t"))
    return policy


def dump_csp_header(policy: t.Mapping[str, str | None]) -> str:
    """Write a Content-Security-Policy from a mapping of directive to source list."""
    return "; ".join(f"{name} {sources}" if sources else name for name, sources in policy.items())


# Representation ("entity") fields of RFC 2616, 7.1, and the hop-by-hop fields of
# RFC 9110, 7.6.1: names Werkzeug users filter header lists with.
_ENTITY_HEADERS = frozenset(
    {
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "expires",
        "last-modified",
    }
)
_HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def is_entity_header(header: str) -> bool:
    """Whether ``header`` describes the body (Content-Type, Content-Length, Expires, ...)."""
    return header.lower() in _ENTITY_HEADERS


def is_hop_by_hop_header(header: str) -> bool:
    """Whether ``header`` concerns one connection only (Connection, Keep-Alive, ...)."""
    return header.lower() in _HOP_BY_HOP_HEADERS


def remove_entity_headers(
    headers: t.Any, allowed: t.Iterable[str] = ("expires", "content-location")
) -> None:
    """Remove the body-describing headers from a header list or :class:`Headers`, in place,
    except those in ``allowed`` (what a 304 may keep)."""
    keep = {name.lower() for name in allowed}
    headers[:] = [
        (name, value)
        for name, value in headers
        if not is_entity_header(name) or name.lower() in keep
    ]


def remove_hop_by_hop_headers(headers: t.Any) -> None:
    """Remove the hop-by-hop headers from a header list or :class:`Headers`, in place."""
    headers[:] = [(name, value) for name, value in headers if not is_hop_by_hop_header(name)]


# -- Cache-Control and Accept --------------------------------------------------------------------


@t.overload
def parse_cache_control_header(
    value: str | None,
    on_update: t.Callable[[RequestCacheControl], None] | None = None,
    cls: None = None,
) -> RequestCacheControl: ...
@t.overload
def parse_cache_control_header(
    value: str | None,
    on_update: t.Callable[[_TCacheControl], None] | None,
    cls: type[_TCacheControl],
) -> _TCacheControl: ...


def parse_cache_control_header(
    value: str | None,
    on_update: t.Callable[[t.Any], None] | None = None,
    cls: type[_CacheControl] | None = None,
) -> _CacheControl:
    """Parse Cache-Control into ``cls`` (:class:`RequestCacheControl` by default), which
    calls ``on_update`` after each change. Directive names are lower-cased."""
    if cls is None:
        cls = RequestCacheControl
    if not value:
        return cls(None, on_update)
    directives = {k.lower(): v for k, v in parse_dict_header(value).items()}
    return cls(directives, on_update)


def _parse_qvalue(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    return q if 0 <= q <= 1 else None  # also refuses nan


@t.overload
def parse_accept_header(value: str | None) -> Accept: ...
@t.overload
def parse_accept_header(value: str | None, cls: type[_TAccept]) -> _TAccept: ...


def parse_accept_header(value: str | None, cls: type[Accept] | None = None) -> Accept:
    """Parse an Accept-style header into ``cls`` (:class:`Accept` by default).

    Entries with an invalid ``q`` are dropped; other parameters stay part of the value
    (``text/html;level=1``). Without a header the result has ``provided`` false.
    """
    if cls is None:
        cls = Accept
    if not value:
        return cls(None)
    result = []
    for item in _split(value, ","):
        item = item.strip()
        if not item:
            continue
        if ";" not in item:  # PERF: most entries have no parameters
            result.append((item, 1.0))
            continue
        main, params = parse_options_header(item)
        if not main:
            continue
        quality = 1.0
        raw_q = params.pop("q", None)
        if raw_q is not None:
            parsed = _parse_qvalue(raw_q)
            if parsed is None:
                continue
            quality = parsed
        if params:
            main = ";".join([main, *(_dump_param(k, v) for k, v in params.items())])
        result.append((main, quality))
    return cls(result)


# -- entity tags and conditional requests --------------------------------------------------------


def quote_etag(etag: str, weak: bool = False) -> str:
    """``"etag"`` or ``W/"etag"``; a tag containing ``"`` raises ``ValueError``."""
    if '"' in etag:
        raise ValueError(f"An entity tag may not contain '\"': {etag!r}")
    return f'W/"{etag}"' if weak else f'"{etag}"'


@t.overload
def unquote_etag(etag: str) -> tuple[str, bool]: ...
@t.overload
def unquote_etag(etag: str | None) -> tuple[str | None, bool]: ...


def unquote_etag(etag: str | None) -> tuple[str | None, bool]:
    """``W/"x"`` -> ``("x", True)``; ``"x"`` -> ``("x", False)``."""
    if etag is None:
        return None, False
    etag = etag.strip()
    weak = etag[:2] in ("W/", "w/")
    if weak:
        etag = etag[2:]
    if len(etag) >= 2 and etag[0] == etag[-1] == '"':
        etag = etag[1:-1]
    return etag, weak


def generate_etag(data: bytes) -> str:
    """An entity tag for ``data`` (its SHA-1, not used for security)."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def parse_etags(value: str | None) -> ETags:
    """Parse If-Match / If-None-Match (``"a", W/"b"`` or ``*``); bare tags are accepted."""
    if not value:
        return ETags()
    strong: list[str] = []
    weak: list[str] = []
    for item in _split(value, ",", _ETAG_SPLITTER):
        item = item.strip()
        if item == "*":
            return ETags(star_tag=True)
        is_weak = item[:2] in ("W/", "w/")
        if is_weak:
            item = item[2:].strip()
        if len(item) >= 2 and item[0] == item[-1] == '"':
            item = item[1:-1]
        elif not item or '"' in item:
            continue
        (weak if is_weak else strong).append(item)
    return ETags(strong, weak)


def parse_if_range_header(value: str | None) -> IfRange:
    """Parse If-Range: a date or an entity tag."""
    if not value:
        return IfRange()
    when = parse_date(value)
    if when is not None:
        return IfRange(date=when)
    etag, weak = unquote_etag(value)
    if weak:
        # A weak tag never validates a range (RFC 9110, 13.1.5). Keeping the tag with its
        # W/ prefix makes every strong comparison against it fail, so the range is ignored.
        return IfRange(value.strip())
    return IfRange(etag)


def _parse_int(value: str) -> int | None:
    # A length bound keeps int() away from its digit limit (and absurd byte positions).
    if value.isascii() and value.isdigit() and len(value) <= 30:
        return int(value)
    return None


def parse_range_header(value: str | None, make_inclusive: bool = True) -> Range | None:
    """Parse ``bytes=0-499,-500,1000-`` into a :class:`Range` (stops exclusive), or ``None``
    when it is absent or malformed. ``make_inclusive`` is accepted for compatibility."""
    if not value:
        return None
    units, sep, spec = value.partition("=")
    units = units.strip().lower()
    if not sep or not _is_token(units):
        return None
    ranges: list[tuple[int, int | None]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        first, sep, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if not sep:
            return None
        if not first:
            suffix = _parse_int(last)
            if not suffix:  # missing, malformed, or zero
                return None
            ranges.append((-suffix, None))
            continue
        start = _parse_int(first)
        if start is None:
            return None
        if not last:
            ranges.append((start, None))
            continue
        end = _parse_int(last)
        if end is None or end < start:
            return None
        ranges.append((start, end + 1))
    if not ranges:
        return None
    return Range(units, ranges)


def parse_content_range_header(
    value: str | None, on_update: t.Callable[[ContentRange], None] | None = None
) -> ContentRange | None:
    """Parse ``bytes 0-499/1234`` (or ``bytes */1234``) into a :class:`ContentRange`, or
    ``None`` when it is absent or malformed."""
    if not value:
        return None
    units, sep, rest = value.strip().partition(" ")
    if not sep or not _is_token(units):
        return None
    span, sep, total = rest.strip().partition("/")
    if not sep:
        return None
    span, total = span.strip(), total.strip()
    length = None if total == "*" else _parse_int(total)
    if length is None and total != "*":
        return None
    units = units.lower()
    if span == "*":
        if length is None:
            return None
        return ContentRange(units, None, None, length, on_update)
    first, sep, last = span.partition("-")
    start = _parse_int(first.strip())
    end = _parse_int(last.strip())
    if not sep or start is None or end is None or end < start:
        return None
    if length is not None and end >= length:
        return None
    return ContentRange(units, start, end + 1, length, on_update)


def is_resource_modified(
    http_range: str | None = None,
    http_if_range: str | None = None,
    http_if_modified_since: str | None = None,
    http_if_none_match: str | None = None,
    etag: str | None = None,
    data: bytes | None = None,
    last_modified: datetime | str | None = None,
    ignore_if_range: bool = True,
) -> bool:
    """Whether the resource differs from what the request's validators describe (false
    means a 304, or, with ``ignore_if_range=False``, that the Range may be served).

    Pass the request's header values and the resource's ``etag`` (or its ``data``) and
    ``last_modified``. If-None-Match, when sent, wins over If-Modified-Since (RFC 9110,
    13.1.3); comparisons are to the second, as HTTP dates are.
    """
    if data is not None:
        if etag is not None:
            raise TypeError("Pass either 'etag' or 'data', not both.")
        etag = generate_etag(data)
    if isinstance(last_modified, str):
        last_modified = parse_date(last_modified)
    elif last_modified is not None:
        if last_modified.tzinfo is None:
            last_modified = last_modified.replace(tzinfo=UTC)
        last_modified = last_modified.replace(microsecond=0)
    tag = unquote_etag(etag)[0] if etag is not None else None

    if not ignore_if_range and http_range:
        if_range = parse_if_range_header(http_if_range)
        if if_range.date is not None:
            return last_modified is None or last_modified != if_range.date
        if if_range.etag is not None:
            return tag is None or tag != if_range.etag

    if http_if_none_match:
        inm = parse_etags(http_if_none_match)
        if inm.star_tag:
            return False
        return tag is None or not inm.contains_weak(tag)
    if http_if_modified_since and last_modified is not None:
        since = parse_date(http_if_modified_since)
        if since is not None:
            return last_modified > since
    return True


# -- dates and ages ------------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, 1)}


def parse_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) into an
    aware UTC datetime; ``None`` when absent or invalid."""
    if not value:
        return None
    return _parse_date(value)


# PERF: the same few dates come back again and again (a file's Last-Modified, the
# If-Modified-Since of its clients); datetimes are immutable, so the result can be shared.
@functools.lru_cache(maxsize=256)
def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    # PERF: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is what everyone sends; slice it.
    if len(value) == 29 and value[3:5] == ", " and value[25:] == " GMT":
        month = _MONTH_NUMBERS.get(value[8:11])
        try:
            if month is not None and value[7] == value[11] == value[16] == " ":
                return datetime(
                    int(value[12:16]),
                    month,
                    int(value[5:7]),
                    int(value[17:19]),
                    int(value[20:22]),
                    int(value[23:25]),
                    tzinfo=UTC,
                )
        except ValueError:
            pass
    try:
        rv = parsedate_to_datetime(value)
        return rv.replace(tzinfo=UTC) if rv.tzinfo is None else rv.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def http_date(timestamp: datetime | date | float | time.struct_time | None = None) -> str:
    """Format a moment as an IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``).

    Accepts a datetime (naive means UTC), a date (midnight UTC), a Unix timestamp, a
    ``time.struct_time`` in UTC, or ``None`` for now.
    """
    if timestamp is None:
        # PERF: a response's Date header, formatted once per second.
        global _last_now
        second = int(time.time())
        last = _last_now
        if last[0] == second:
            return last[1]
        text = _format_timestamp(second)
        _last_now = (second, text)
        return text
    if type(timestamp) is float or type(timestamp) is int:
        return _format_timestamp(timestamp)
    if isinstance(timestamp, datetime):
        dt = (
            timestamp.replace(tzinfo=UTC) if timestamp.tzinfo is None else timestamp.astimezone(UTC)
        )
    elif isinstance(timestamp, date):
        dt = datetime(timestamp.year, timestamp.month, timestamp.day, tzinfo=UTC)
    elif isinstance(timestamp, time.struct_time):
        dt = datetime(*timestamp[:6], tzinfo=UTC)
    else:
        dt = datetime.fromtimestamp(timestamp, UTC)
    # Formatted by hand: strftime's names follow the locale, HTTP's never do.
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d}"
        f" {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


_last_now: tuple[int, str] = (-1, "")


@functools.lru_cache(maxsize=256)
def _format_timestamp(timestamp: float) -> str:
    # PERF: a file's mtime is formatted once, however often the file is served.
    return http_date(datetime.fromtimestamp(timestamp, UTC))


def parse_age(value: str | None = None) -> timedelta | None:
    """Parse an Age header (seconds) into a timedelta; ``None`` when absent or invalid."""
    if not value:
        return None
    seconds = _parse_int(value.strip())
    if seconds is None:
        return None
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None


def dump_age(age: timedelta | int | None = None) -> str | None:
    """Write an age in seconds; ``None`` stays ``None``, a negative age is a ``ValueError``."""
    if age is None:
        return None
    seconds = int(age.total_seconds()) if isinstance(age, timedelta) else int(age)
    if seconds < 0:
        raise ValueError("An age cannot be negative.")
    return str(seconds)


# -- cookies -------------------------------------------------------------------------------------

_COOKIE_ESCAPE_RE = re.compile(rb"\\(?:([0-3][0-7][0-7])|(.))", re.S)


def _unescape_cookie(value: str) -> str:
    # The escapes stand for bytes (of UTF-8 text), so resolve them on bytes.
    def replace(match: re.Match[bytes]) -> bytes:
        octal = match.group(1)
        return bytes((int(octal, 8),)) if octal is not None else match.group(2)

    raw = _COOKIE_ESCAPE_RE.sub(replace, value.encode("utf-8", "surrogatepass"))
    return raw.decode("utf-8", "replace")


@t.overload
def parse_cookie(header: str | bytes | None, cls: None = None) -> MultiDict[str, str]: ...
@t.overload
def parse_cookie(header: str | bytes | None, cls: type[_TMultiDict]) -> _TMultiDict: ...


def parse_cookie(
    header: str | bytes | None, cls: type[MultiDict[str, t.Any]] | None = None
) -> MultiDict[str, t.Any]:
    """Parse a Cookie header into ``cls`` (a :class:`MultiDict` by default).

    A str is taken as a WSGI string (bytes as latin-1) and decoded as UTF-8; when those
    bytes are not UTF-8 the text is kept as latin-1 rather than garbled. In bytes, invalid
    UTF-8 becomes U+FFFD. Cookies without a name are dropped, a part without ``=`` is a name
    with an empty value, and quoted values are unquoted (with :func:`dump_cookie`'s escapes).
    """
    if cls is None:
        cls = MultiDict
    if not header:
        return cls()
    if isinstance(header, bytes):
        text = header.decode("utf-8", "replace")
    elif header.isascii():
        text = header
    else:
        try:
            text = header.encode("latin-1").decode("utf-8")
        except UnicodeError:  # already text, or latin-1 that is not UTF-8: keep it
            text = header
    # PERF: browsers send "a=1; b=2" with no quoting that can hide a ';' (RFC 6265, 4.2.1),
    # so one split and a partition per cookie do it: about five times faster than
    # http.cookies.SimpleCookie even with the MultiDict built, and this runs on every
    # request that reads a cookie.
    pairs = []
    for part in text.split(";"):
        name, _, value = part.partition("=")
        # Only SP and HTAB are whitespace here (RFC 6265, 5.4). str.strip() would also eat
        # U+0085, U+00A0 or U+2000, letting a cookie named "\u2000__Host-x", which a
        # browser sets without the prefix's checks, pass for "__Host-x".
        name = name.strip(" \t")
        if not name:
            continue  # a nameless "=__Host-x=bad" must not become "__Host-x" (CVE-2023-23934)
        value = value.strip(" \t")
        if len(value) >= 2 and value[0] == '"' == value[-1]:
            value = value[1:-1]
            if "\\" in value:
                value = _unescape_cookie(value)
        pairs.append((name, value))
    return cls(pairs)


# cookie-octet (RFC 6265, 4.1.1): what a value may hold without quoting.
_COOKIE_RAW_RE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
_COOKIE_QUOTED_OK = frozenset(
    b for b in range(0x20, 0x7F) if b not in b'",;\\'
)  # inside quotes a space is kept too, as browsers and Werkzeug accept it
_COOKIE_KEY_BAD_RE = re.compile(r'[^\x21-\x7e]|[";=,\\]')
_COOKIE_ATTR_BAD_RE = re.compile(r"[\x00-\x1f\x7f;]")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _quote_cookie_value(value: str) -> str:
    if _COOKIE_RAW_RE.fullmatch(value):
        return value
    out = ['"']
    for byte in value.encode("utf-8"):
        if byte in _COOKIE_QUOTED_OK:
            out.append(chr(byte))
        elif byte in b'"\\':
            out.append("\\" + chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def _check_cookie_attribute(name: str, value: str) -> None:
    if _COOKIE_ATTR_BAD_RE.search(value):
        raise ValueError(
            f"The cookie's {name} may not contain ';' or control characters such as CR/LF"
            f" (header injection): {value!r}"
        )


def dump_cookie(
    key: str,
    value: str | bytes = "",
    max_age: timedelta | int | None = None,
    expires: str | datetime | int | float | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    sync_expires: bool = True,
    max_size: int = 4093,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Write a Set-Cookie header value (RFC 6265 and 6265bis, plus ``Partitioned``).

    A value outside the cookie-octets is quoted, with ``\\ooo`` escapes for the bytes that
    cannot appear (:func:`parse_cookie` undoes them). ``max_age`` also sets Expires unless
    ``sync_expires`` is false; ``partitioned`` implies ``secure``. A name that is not a
    token, an attribute containing ``;`` or CR/LF, an unknown SameSite, or a ``__Secure-``
    / ``__Host-`` name without its requirements raise ``ValueError``. A header longer than
    ``max_size`` bytes (0 disables the check) warns, as browsers drop such cookies.
    """
    if not key or _COOKIE_KEY_BAD_RE.search(key):
        raise ValueError(
            f'A cookie name must be a token, without spaces, control characters or ";=,\\": {key!r}'
        )
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if partitioned:
        secure = True
    if samesite is not None:
        samesite_attr = _SAMESITE.get(samesite.lower())
        if samesite_attr is None:
            raise ValueError(f"SameSite must be 'Strict', 'Lax' or 'None', not {samesite!r}.")
        samesite = samesite_attr
    if path is not None:
        _check_cookie_attribute("path", path)
        if not path.isascii() or " " in path:
            path = quote(path, safe="/!$&'()*+,:=@%~")
    if domain:
        if not domain.isascii():
            domain = domain.encode("idna").decode("ascii")
        _check_cookie_attribute("domain", domain)
    lower_key = key.lower()
    if lower_key.startswith("__secure-") and not secure:
        raise ValueError(f"The cookie {key!r} has the __Secure- prefix, so it needs secure=True.")
    if lower_key.startswith("__host-") and (not secure or domain or path != "/"):
        raise ValueError(
            f"The cookie {key!r} has the __Host- prefix, so it needs secure=True, path='/'"
            " and no domain."
        )
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    if expires is not None:
        if isinstance(expires, str):
            _check_cookie_attribute("expires", expires)
        else:
            expires = http_date(expires)
    elif max_age is not None and sync_expires:
        expires = http_date(time.time() + max_age)

    parts = [f"{key}={_quote_cookie_value(value)}"]
    if domain:
        parts.append(f"Domain={domain}")
    if expires is not None:
        parts.append(f"Expires={expires}")
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if path is not None:
        parts.append(f"Path={path}")
    if samesite is not None:
        parts.append(f"SameSite={samesite}")
    if partitioned:
        parts.append("Partitioned")
    rv = "; ".join(parts)

    size = len(rv.encode())
    if max_size and size > max_size:
        warnings.warn(
            f"The {key!r} cookie is {size} bytes, more than the {max_size} bytes browsers"
            " keep; they may drop it silently. Store less in it (or raise MAX_COOKIE_SIZE).",
            stacklevel=2,
        )
    return rv

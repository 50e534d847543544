"""The response object: a status, a header list and a body, handed to WSGI as they are."""

from __future__ import annotations

import functools
import typing as t
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from .. import http
from ..datastructures import (
    CallbackDict,
    ContentRange,
    Headers,
    HeaderSet,
    ResponseCacheControl,
    WWWAuthenticate,
)
from ..globals import _cv_app
from . import _conditional

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# PERF: isinstance() with a tuple; ``A | B`` in the call would build a union on every call.
_TEXT_TYPES = (str, bytes, bytearray)
_SEQUENCE_TYPES = (list, tuple)

_STATUS_LINES: dict[int, str] = {
    code: f"{code} {reason.upper()}" for code, reason in http.HTTP_STATUS_CODES.items()
}
# Types whose body is text and so gets "; charset=utf-8".
_CHARSET_MIMETYPES = frozenset(
    {"application/ecmascript", "application/javascript", "application/sql", "application/xml"}
)


@functools.lru_cache(maxsize=128)
def get_content_type(mimetype: str, charset: str = "utf-8") -> str:
    """Add ``; charset=...`` to text mimetypes (``text/*``, XML, JavaScript)."""
    if "\n" in mimetype or "\r" in mimetype:
        raise ValueError("A mimetype must not contain newline characters.")
    if (
        mimetype.startswith("text/") or mimetype in _CHARSET_MIMETYPES or mimetype.endswith("+xml")
    ) and "charset" not in mimetype.lower():
        return f"{mimetype}; charset={charset}"
    return mimetype


def _status_line(code: int) -> str:
    line = _STATUS_LINES.get(code)
    if line is None:
        if not 100 <= code <= 999:
            raise ValueError(f"A status code must have three digits, not {code}.")
        line = f"{code} UNKNOWN"
    return line


def _set_or_remove(headers: Headers, name: str, value: str | None) -> None:
    if value is None:
        headers.pop(name, None)
    else:
        headers[name] = value


def _header_property(name: str, doc: str) -> property:
    def fget(self: Response) -> str | None:
        return self.headers.get(name)

    def fset(self: Response, value: t.Any) -> None:
        _set_or_remove(self.headers, name, None if value is None else str(value))

    def fdel(self: Response) -> None:
        self.headers.pop(name, None)

    return property(fget, fset, fdel, doc)


def _date_property(name: str, doc: str) -> property:
    def fget(self: Response) -> datetime | None:
        return http.parse_date(self.headers.get(name))

    def fset(self: Response, value: datetime | float | str | None) -> None:
        if value is not None and not isinstance(value, str):
            value = http.http_date(value)
        _set_or_remove(self.headers, name, value)

    return property(fget, fset, None, doc)


def _set_property(name: str, doc: str) -> property:
    def fget(self: Response) -> HeaderSet:
        def on_update(hs: HeaderSet) -> None:
            _set_or_remove(self.headers, name, hs.to_header() or None)

        return http.parse_set_header(self.headers.get(name), on_update)

    def fset(self: Response, value: t.Iterable[str] | str | None) -> None:
        if value is not None and not isinstance(value, str):
            value = ", ".join(value)
        _set_or_remove(self.headers, name, value or None)

    return property(fget, fset, None, doc)


class Response:
    """An HTTP response: ``Response(body, status=200, headers=None, mimetype=None)``.

    The body may be ``str`` (encoded as UTF-8), ``bytes``, or an iterable of either, which is
    streamed. ``headers`` is a :class:`~erlen.datastructures.Headers` list handed to the
    WSGI server as it is. The object accepts arbitrary attributes.
    """

    #: The status used when none is given.
    default_status = 200
    #: The mimetype used when neither ``mimetype`` nor ``content_type`` is given.
    default_mimetype: str | None = "text/html"
    #: Whether reading ``data`` of a streamed response may buffer it into a list.
    implicit_sequence_conversion = True
    #: Whether Content-Length is added for bodies whose length is known.
    automatically_set_content_length = True
    #: Whether a relative Location is made absolute (Flask keeps it relative).
    autocorrect_location_header = False
    #: The JSON module ``get_json`` uses.
    json_module: t.Any = None

    response: t.Any
    headers: Headers
    #: Whether the body iterable is handed to the server as it is (set by the constructor).
    direct_passthrough = False
    _status_code: int
    _status: str
    # The call_on_close functions; PERF: a response gets its own list on the first one.
    _on_close: t.Sequence[t.Callable[[], t.Any]] = ()

    def __init__(
        self,
        response: t.Any = None,
        status: int | str | HTTPStatus | None = None,
        headers: t.Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        # PERF: a fresh header list is appended to directly; values that come from the caller
        # still go through Headers, which refuses CR/LF.
        fresh = headers is None
        if fresh:
            self.headers = hdrs = Headers()
        elif isinstance(headers, Headers):
            self.headers = hdrs = headers
        else:
            self.headers = hdrs = Headers(headers)
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        else:
            if mimetype is None and (fresh or "content-type" not in hdrs):
                mimetype = self.default_mimetype
            if mimetype is not None:
                ct = get_content_type(mimetype)
                if fresh:
                    hdrs._list.append(("Content-Type", ct))
                else:
                    hdrs["Content-Type"] = ct

        if status is None:
            self._status_code = code = self.default_status
            self._status = _STATUS_LINES.get(code) or _status_line(code)
        elif type(status) is int and status in _STATUS_LINES:  # PERF: the usual int status
            self._status_code = status
            self._status = _STATUS_LINES[status]
        else:
            self.status = status

        if direct_passthrough:
            self.direct_passthrough = True

        if response is None:
            self.response = []
        elif isinstance(response, _TEXT_TYPES):
            body = response.encode() if isinstance(response, str) else bytes(response)
            self.response = [body]
            if self.automatically_set_content_length:
                if fresh:
                    hdrs._list.append(("Content-Length", str(len(body))))
                else:
                    hdrs["Content-Length"] = str(len(body))
        else:
            self.response = response

    @classmethod
    def _prebuilt(cls, status: int, headers: list[tuple[str, str]], body: t.Any) -> Response:
        """``cls(body, status, direct_passthrough=True)`` with ``headers`` as its header
        list and no Content-Type: for a 304 whose headers Erlen made from trusted parts
        (:func:`~erlen.helpers.send_file`). Only for :class:`Response` itself, whose
        ``__init__`` this stands for."""
        self = cls.__new__(cls)
        hdrs = self.headers = Headers()
        hdrs._list = headers
        self._status_code = status
        self._status = _STATUS_LINES[status]
        self.direct_passthrough = True
        self.response = body
        return self

    def __repr__(self) -> str:
        if self.is_sequence:
            body = f"{sum(map(len, self.iter_encoded()))} bytes"
        else:
            body = "streamed" if self.is_streamed else "likely-streamed"
        return f"<{type(self).__name__} {body} [{self.status}]>"

    # -- status -------------------------------------------------------------------------------
    @property
    def status_code(self) -> int:
        """The status as an int."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self._status = _status_line(int(code))
        self._status_code = int(code)

    @property
    def status(self) -> str:
        """The status line, such as ``"404 Not Found"``."""
        return self._status

    @status.setter
    def status(self, value: int | str | HTTPStatus) -> None:
        if isinstance(value, int):  # HTTPStatus is an int too
            self.status_code = int(value)
            return
        if not isinstance(value, str):
            raise TypeError("The status must be an int, a str or an HTTPStatus.")
        value = value.strip()
        if not value:
            raise ValueError("The status must not be empty.")
        if "\n" in value or "\r" in value:
            raise ValueError("The status must not contain newline characters.")
        code_text, _, reason = value.partition(" ")
        if not (code_text.isascii() and code_text.isdecimal() and len(code_text) == 3):
            # Flask would send "0 abc", which no HTTP client can read; say so instead.
            raise ValueError(
                f"The status {value!r} does not start with a three-digit code; use a form"
                " such as 200, '404', or '299 Custom Reason'."
            )
        code = int(code_text)
        self._status_code = code
        self._status = value if reason else _status_line(code)

    # -- body ---------------------------------------------------------------------------------
    @property
    def is_sequence(self) -> bool:
        """Whether the body is a list or tuple (its length is known)."""
        return isinstance(self.response, _SEQUENCE_TYPES)

    @property
    def is_streamed(self) -> bool:
        """Whether the body's length cannot be known without consuming it."""
        try:
            len(self.response)
        except (TypeError, AttributeError):
            return True
        return False

    def iter_encoded(self) -> t.Iterator[bytes]:
        """Iterate over the body as bytes."""
        for item in self.response:
            yield item.encode() if isinstance(item, str) else item

    def _ensure_sequence(self, mutable: bool = False) -> None:
        if self.is_sequence:
            if mutable and not isinstance(self.response, list):
                self.response = list(self.response)
            return
        if self.direct_passthrough:
            raise RuntimeError(
                "This response is in direct passthrough mode; its body cannot be read here."
            )
        if not self.implicit_sequence_conversion:
            raise RuntimeError(
                "This response is streamed and implicit_sequence_conversion is off;"
                " call make_sequence() first to buffer it."
            )
        self.make_sequence()

    def make_sequence(self) -> None:
        """Buffer a streamed body into a list (closing the original iterable later)."""
        if not self.is_sequence:
            close = getattr(self.response, "close", None)
            self.response = list(self.iter_encoded())
            if close is not None:
                self.call_on_close(close)

    def get_data(self, as_text: bool = False) -> t.Any:
        """The whole body, as bytes or (``as_text``) as text."""
        self._ensure_sequence()
        rv = b"".join(self.iter_encoded())
        return rv.decode() if as_text else rv

    def set_data(self, value: str | bytes) -> None:
        """Replace the body (and Content-Length)."""
        body = value.encode() if isinstance(value, str) else bytes(value)
        self.response = [body]
        if self.automatically_set_content_length:
            self.headers["Content-Length"] = str(len(body))

    data = property(get_data, set_data, doc="The body as bytes (see get_data and set_data).")

    def calculate_content_length(self) -> int | None:
        """The body's length, or ``None`` for a streamed body."""
        try:
            self._ensure_sequence()
        except RuntimeError:
            return None
        return sum(len(x) for x in self.iter_encoded())

    def freeze(self) -> None:
        """Buffer the body and set Content-Length, so the response can be reused or cached."""
        self.response = list(self.iter_encoded())
        self.headers["Content-Length"] = str(sum(map(len, self.response)))

    @property
    def stream(self) -> ResponseStream:
        """A write-only file-like object that appends to the body."""
        return ResponseStream(self)

    # -- JSON (mostly for tests) ------------------------------------------------------------------
    @property
    def is_json(self) -> bool:
        """Whether the mimetype is JSON."""
        mt = self.mimetype or ""
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    @property
    def json(self) -> t.Any:
        """The body parsed as JSON (``None`` if the mimetype is not JSON)."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> t.Any:
        """Parse the body as JSON; ``None`` when it is not JSON and ``force`` is false."""
        if not (force or self.is_json):
            return None
        loads = self.json_module.loads if self.json_module is not None else _json_loads
        try:
            return loads(self.get_data())
        except ValueError:
            if not silent:
                raise
            return None

    # -- lifecycle ----------------------------------------------------------------------------
    def call_on_close(self, func: t.Callable[[], t.Any]) -> t.Callable[[], t.Any]:
        """Run ``func`` when the server closes the response; returns ``func`` (a decorator)."""
        self._on_close = [*self._on_close, func]
        return func

    def close(self) -> None:
        """Close the body iterable and run the ``call_on_close`` functions."""
        close = getattr(self.response, "close", None)
        if close is not None:
            close()
        for func in self._on_close:
            func()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- WSGI ---------------------------------------------------------------------------------
    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        """The headers to send: Content-Length filled in where the length is known."""
        headers = self.headers
        code = self._status_code
        no_body = code in (204, 304) or 100 <= code < 200
        if (
            self.automatically_set_content_length
            and not no_body
            and isinstance(self.response, _SEQUENCE_TYPES)
            and "content-length" not in headers
        ):
            try:
                length = sum(len(x) for x in self.iter_encoded())
            except (UnicodeError, TypeError):
                pass  # the server will report the bad body
            else:
                headers["Content-Length"] = str(length)
        elif no_body:
            if code != 304 and "content-length" in headers:
                headers.remove("Content-Length")  # RFC 9110 8.6: not for 1xx and 204
            if "content-type" in headers:
                headers.remove("Content-Type")  # no content, so no type (wsgiref agrees)
        if self.autocorrect_location_header:
            location = headers.get("Location")
            if location is not None and location.startswith("/") and not location.startswith("//"):
                from ..wsgi import get_host

                scheme = environ.get("wsgi.url_scheme", "http")
                headers["Location"] = f"{scheme}://{get_host(environ)}{location}"
        return headers

    def get_app_iter(self, environ: WSGIEnvironment) -> t.Iterable[bytes]:
        """The body iterable for the server: empty for HEAD, 1xx, 204 and 304."""
        code = self._status_code
        if environ.get("REQUEST_METHOD") == "HEAD" or code in (204, 304) or 100 <= code < 200:
            if not self._on_close and not hasattr(self.response, "close"):
                return []
            return _ClosingIterator((), self.close)
        body = self.response
        if self.direct_passthrough:
            return body  # type: ignore[no-any-return]
        # PERF: the common body is a one-item list of bytes with nothing to close; hand it
        # to the server as it is.
        if type(body) is list and not self._on_close:
            if len(body) == 1:
                if type(body[0]) is bytes:
                    return body
            elif all(type(chunk) is bytes for chunk in body):
                return body
        return _ClosingIterator(self.iter_encoded(), self.close)

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
        """``(app_iter, status, headers)`` for the server."""
        headers = self.get_wsgi_headers(environ)
        return self.get_app_iter(environ), self._status, headers.to_wsgi_list()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        app_iter, status, headers = self.get_wsgi_response(environ)
        start_response(status, headers)
        return app_iter

    @classmethod
    def force_type(cls, response: t.Any, environ: WSGIEnvironment | None = None) -> Response:
        """Turn another response object or a WSGI application into this class."""
        if isinstance(response, Response):
            if not isinstance(response, cls):
                response.__class__ = cls
            return response
        if environ is None:
            raise TypeError(
                "A WSGI application can only be turned into a response with an environ;"
                " pass environ= (inside a request, use request.environ)."
            )
        return cls.from_app(response, environ)

    @classmethod
    def from_app(
        cls, app: WSGIApplication, environ: WSGIEnvironment, buffered: bool = False
    ) -> Response:
        """Call a WSGI application and wrap what it returns."""
        from ..wsgi import run_wsgi_app

        body, status, headers = run_wsgi_app(app, environ, buffered)
        return cls(body, status, headers)

    # -- cookies ------------------------------------------------------------------------------
    @property
    def max_cookie_size(self) -> int:
        """Cookies larger than this warn (``MAX_COOKIE_SIZE``; 0 disables the check)."""
        ctx = _cv_app.get(None)
        return int(ctx.app.config["MAX_COOKIE_SIZE"]) if ctx is not None else 4093

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Add a Set-Cookie header; every flag of RFC 6265bis, plus ``Partitioned`` (CHIPS)."""
        self.headers.add(
            "Set-Cookie",
            http.dump_cookie(
                key,
                value=value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                max_size=self.max_cookie_size,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Expire a cookie now; pass the same path, domain and flags it was set with."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # -- conditional responses ------------------------------------------------------------------
    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ETag header (quoted; ``W/`` in front when ``weak``)."""
        self.headers["ETag"] = http.quote_etag(etag, weak)

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """``(tag, is_weak)`` from the ETag header, or ``(None, None)`` without one."""
        value = self.headers.get("ETag")
        if not value:
            return None, None
        return http.unquote_etag(value)

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag computed from the body (its SHA-1), unless one is set and not
        ``overwrite``. A streamed body is buffered to compute it."""
        if overwrite or "ETag" not in self.headers:
            self.set_etag(http.generate_etag(self.get_data()), weak)

    def make_conditional(
        self,
        request_or_environ: t.Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> Response:
        """Answer the request's conditional headers, in place; returns ``self``.

        For GET and HEAD (other methods are left alone) and a 2xx response: a failed
        If-Match or If-Unmodified-Since gives 412 with an empty body; a matching
        If-None-Match, or an If-Modified-Since not older than Last-Modified (ignored when
        in the future or malformed), gives 304. Then, for GET with ``accept_ranges``
        (``True`` means ``"bytes"``), a satisfiable single ``Range`` (honouring If-Range)
        gives 206 with Content-Range; a malformed or unsatisfiable one raises
        :class:`~erlen.exceptions.RequestedRangeNotSatisfiable` (416,
        ``Content-Range: bytes */N``); several ranges get the whole body (200).
        ``complete_length`` is the body's full length; it may be left out for a bytes body.
        Accept-Ranges and Date are set whenever the method is GET or HEAD.
        """
        _conditional.make_conditional(
            self, _conditional.environ_of(request_or_environ), accept_ranges, complete_length
        )
        return self

    # -- typed header properties ----------------------------------------------------------------
    @property
    def mimetype(self) -> str | None:
        """The Content-Type without parameters; setting it adds the charset for text types."""
        ct = self.headers.get("Content-Type")
        return ct.split(";", 1)[0].strip().lower() if ct else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers["Content-Type"] = get_content_type(value)

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters; changes are written back through ``on_update``."""

        def on_update(params: CallbackDict[str, str]) -> None:
            mimetype = http.parse_options_header(self.headers.get("Content-Type", ""))[0]
            self.headers["Content-Type"] = http.dump_options_header(mimetype, params)

        params = http.parse_options_header(self.headers.get("Content-Type", ""))[1]
        return CallbackDict(params, on_update)

    content_type = property(
        lambda self: self.headers.get("Content-Type"),
        lambda self, v: _set_or_remove(self.headers, "Content-Type", v),
        doc="The Content-Type header.",
    )

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int."""
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdecimal() else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        _set_or_remove(self.headers, "Content-Length", None if value is None else str(value))

    @property
    def retry_after(self) -> datetime | None:
        """The Retry-After header as a moment (seconds are counted from now)."""
        value = self.headers.get("Retry-After")
        if value is None:
            return None
        if value.isdecimal():
            return datetime.now(UTC) + timedelta(seconds=int(value))
        return http.parse_date(value)

    @retry_after.setter
    def retry_after(self, value: datetime | int | str | None) -> None:
        if isinstance(value, datetime):
            value = http.http_date(value)
        _set_or_remove(self.headers, "Retry-After", None if value is None else str(value))

    @property
    def age(self) -> timedelta | None:
        """The Age header."""
        return http.parse_age(self.headers.get("Age"))

    @age.setter
    def age(self, value: timedelta | int | None) -> None:
        _set_or_remove(self.headers, "Age", None if value is None else http.dump_age(value))

    @property
    def cache_control(self) -> ResponseCacheControl:
        """The Cache-Control header; changing the object rewrites the header."""

        def on_update(cc: ResponseCacheControl) -> None:
            _set_or_remove(self.headers, "Cache-Control", cc.to_header() or None)

        return http.parse_cache_control_header(
            self.headers.get("Cache-Control"), on_update, ResponseCacheControl
        )

    @property
    def content_range(self) -> ContentRange:
        """The Content-Range header; changing the object rewrites the header."""

        def on_update(rng: ContentRange) -> None:
            _set_or_remove(self.headers, "Content-Range", rng.to_header() or None)

        rv = http.parse_content_range_header(self.headers.get("Content-Range"), on_update)
        return rv if rv is not None else ContentRange(None, None, None, on_update=on_update)

    @content_range.setter
    def content_range(self, value: ContentRange | str | None) -> None:
        if isinstance(value, ContentRange):
            value = value.to_header()
        _set_or_remove(self.headers, "Content-Range", value or None)

    @property
    def www_authenticate(self) -> WWWAuthenticate:
        """The WWW-Authenticate header (the first one); changing the object rewrites it.

        Without the header this is an empty ``Basic`` challenge that is only written once
        it is changed (``response.www_authenticate.realm = "api"``).
        """

        def on_update(value: WWWAuthenticate) -> None:
            # Only the first challenge is represented here; any later ones stay.
            challenges = self.headers.getlist("WWW-Authenticate")
            self.headers.setlist("WWW-Authenticate", [value.to_header(), *challenges[1:]])

        rv = WWWAuthenticate.from_header(self.headers.get("WWW-Authenticate"))
        if rv is None:
            rv = WWWAuthenticate("basic")
        rv.on_update = on_update
        return rv

    @www_authenticate.setter
    def www_authenticate(self, value: WWWAuthenticate | list[WWWAuthenticate] | None) -> None:
        self.headers.pop("WWW-Authenticate", None)
        if value is None:
            return
        for item in value if isinstance(value, list) else [value]:
            self.headers.add("WWW-Authenticate", item.to_header())

    location = _header_property("Location", "The Location header (kept relative, as in Flask).")
    content_location = _header_property("Content-Location", "The Content-Location header.")
    content_encoding = _header_property("Content-Encoding", "The Content-Encoding header.")
    content_md5 = _header_property("Content-MD5", "The Content-MD5 header.")
    accept_ranges = _header_property("Accept-Ranges", "The Accept-Ranges header.")
    content_security_policy = _header_property(
        "Content-Security-Policy", "The Content-Security-Policy header."
    )
    content_security_policy_report_only = _header_property(
        "Content-Security-Policy-Report-Only", "The Content-Security-Policy-Report-Only header."
    )
    access_control_allow_origin = _header_property(
        "Access-Control-Allow-Origin", "The Access-Control-Allow-Origin header."
    )
    access_control_max_age = _header_property(
        "Access-Control-Max-Age", "The Access-Control-Max-Age header."
    )
    cross_origin_opener_policy = _header_property(
        "Cross-Origin-Opener-Policy", "The Cross-Origin-Opener-Policy header."
    )
    cross_origin_embedder_policy = _header_property(
        "Cross-Origin-Embedder-Policy", "The Cross-Origin-Embedder-Policy header."
    )
    date = _date_property("Date", "The Date header, as a datetime.")
    expires = _date_property("Expires", "The Expires header, as a datetime.")
    last_modified = _date_property("Last-Modified", "The Last-Modified header, as a datetime.")
    vary = _set_property("Vary", "The Vary header, as a set.")
    allow = _set_property("Allow", "The Allow header, as a set.")
    content_language = _set_property("Content-Language", "The Content-Language header, as a set.")
    access_control_allow_headers = _set_property(
        "Access-Control-Allow-Headers", "The Access-Control-Allow-Headers header, as a set."
    )
    access_control_allow_methods = _set_property(
        "Access-Control-Allow-Methods", "The Access-Control-Allow-Methods header, as a set."
    )
    access_control_expose_headers = _set_property(
        "Access-Control-Expose-Headers", "The Access-Control-Expose-Headers header, as a set."
    )

    @property
    def access_control_allow_credentials(self) -> bool:
        """Access-Control-Allow-Credentials as a bool."""
        return self.headers.get("Access-Control-Allow-Credentials") == "true"

    @access_control_allow_credentials.setter
    def access_control_allow_credentials(self, value: bool) -> None:
        _set_or_remove(self.headers, "Access-Control-Allow-Credentials", "true" if value else None)


_Answer = tuple[str, list[tuple[str, str]], list[bytes]]
_HTML_CONTENT_TYPE = ("Content-Type", get_content_type("text/html"))


def text_answer(text: str, mimetype: str | None, environ: WSGIEnvironment) -> _Answer | None:
    """What ``Response(text, mimetype=mimetype)`` hands to WSGI, made without the object:
    ``(status, headers, body)``; ``None`` when the class defaults it reads were changed.

    The app answers with it when nothing could see the response object (no after-request
    function, no session, no ``request_finished`` receiver) and its class is
    :class:`Response` itself (docs/performance.md, "Answering without a response object").
    """
    # PERF: building and calling a Response costs ~3 µs of a ~9 µs plain request.
    if Response.default_status != 200 or not Response.automatically_set_content_length:
        return None
    if mimetype is None:
        mimetype = Response.default_mimetype
    # The same steps in the same order as __init__ and __call__: the type, then the body.
    if mimetype == "text/html":
        headers = [_HTML_CONTENT_TYPE]  # PERF: what get_content_type gives, made once
    else:
        headers = [] if mimetype is None else [("Content-Type", get_content_type(mimetype))]
    body = text.encode()
    headers.append(("Content-Length", str(len(body))))
    return "200 OK", headers, [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


class _ClosingIterator:
    """Iterate over a body and, when the server closes it, close the response."""

    __slots__ = ("_close", "_iterator")

    def __init__(self, iterable: t.Iterable[bytes], close: t.Callable[[], None]) -> None:
        self._iterator = iter(iterable)
        self._close = close

    def __iter__(self) -> _ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        self._close()


class ResponseStream:
    """A write-only file that appends to a response's body."""

    mode = "wb+"
    closed = False

    def __init__(self, response: Response) -> None:
        self.response = response

    def write(self, value: bytes | str) -> int:
        """Append ``value`` to the body."""
        if self.closed:
            raise ValueError("I/O operation on closed file")
        self.response._ensure_sequence(mutable=True)
        data = value.encode() if isinstance(value, str) else value
        self.response.response.append(data)
        self.response.headers.pop("Content-Length", None)
        return len(data)

    def writelines(self, seq: t.Iterable[bytes | str]) -> None:
        """Append each item."""
        for item in seq:
            self.write(item)

    def close(self) -> None:
        """Refuse further writes."""
        self.closed = True

    def flush(self) -> None:
        """Nothing is buffered; present for file-like compatibility."""
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def isatty(self) -> bool:
        """Never a terminal."""
        return False

    def tell(self) -> int:
        """The body's length so far."""
        self.response._ensure_sequence()
        return sum(map(len, self.response.response))

    @property
    def encoding(self) -> str:
        """Text is written as UTF-8."""
        return "utf-8"


def _json_loads(data: bytes) -> t.Any:
    import json

    return json.loads(data)

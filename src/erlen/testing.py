"""Calling an application without a server: environ building, a test client, a CLI runner.

``app.test_client()`` returns an :class:`ErlenClient`; each call builds a WSGI environ with
:class:`EnvironBuilder`, calls the application in-process and wraps the answer in a
:class:`TestResponse`. The client keeps cookies like a browser would (per domain and path),
follows redirects on request, and with ``with client:`` keeps the last request's context
open so that ``request``, ``session`` and ``g`` can be inspected after the call.

Differences from Flask's client worth knowing: the response body is read (and the
application's iterable closed) before the call returns, unless ``buffered=False`` is passed;
then the body is read lazily and ``response.close()`` (or ``with response:``) ends it.
"""

from __future__ import annotations

import dataclasses
import io
import mimetypes
import os
import secrets
import sys
import typing as t
from base64 import b64encode
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote_to_bytes, urlencode, urlsplit

from click.testing import CliRunner, Result

from . import __version__
from .datastructures import FileStorage, Headers, iter_multi_items
from .http import parse_cookie, parse_date
from .wrappers.request import Request
from .wrappers.response import Response

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    from .app import Erlen
    from .sessions import SessionMixin

_FileValue = t.IO[bytes] | FileStorage | tuple[t.Any, ...]


def _is_file(value: t.Any) -> bool:
    return isinstance(value, (FileStorage, tuple)) or hasattr(value, "read")


def encode_multipart(
    values: t.Iterable[tuple[str, t.Any]],
    boundary: str | None = None,
    opened: list[t.Any] | None = None,
) -> tuple[str, bytes]:
    """Encode ``(name, value)`` pairs as a ``multipart/form-data`` body.

    A value is a string (a field), or a file: a binary file object, a
    :class:`~erlen.datastructures.FileStorage`, or a tuple ``(file, filename[, content_type])``.
    A file given by path is opened and, when ``opened`` is a list, appended to it for the
    caller to close. Returns ``(boundary, body)``.
    """
    if boundary is None:
        boundary = f"---------------ErlenFormBoundary{secrets.token_hex(12)}"
    out = io.BytesIO()
    marker = boundary.encode("ascii")
    for name, value in values:
        quoted_name = _quote_param(name)
        out.write(b"--" + marker + b"\r\n")
        if _is_file(value):
            stream, filename, content_type = _file_parts(value, opened)
            if content_type is None:
                content_type = (
                    mimetypes.guess_type(filename)[0] if filename else None
                ) or "application/octet-stream"
            disposition = f'form-data; name="{quoted_name}"'
            if filename is not None:
                disposition += f'; filename="{_quote_param(filename)}"'
            out.write(f"Content-Disposition: {disposition}\r\n".encode())
            out.write(f"Content-Type: {content_type}\r\n\r\n".encode())
            while chunk := stream.read(65536):
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
        else:
            out.write(f'Content-Disposition: form-data; name="{quoted_name}"\r\n\r\n'.encode())
            out.write(value if isinstance(value, bytes) else str(value).encode())
        out.write(b"\r\n")
    out.write(b"--" + marker + b"--\r\n")
    return boundary, out.getvalue()


def _iter_form_items(data: t.Any) -> t.Iterator[tuple[str, t.Any]]:
    """Pairs of a ``data`` mapping: a list repeats the key; a tuple is one file, not a list."""
    if isinstance(data, t.Mapping) and not hasattr(data, "getlist"):
        for key, value in data.items():
            if isinstance(value, list):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from iter_multi_items(data)


def _quote_param(value: str) -> str:
    # Browsers percent-encode these three in multipart parameter values.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _file_parts(value: t.Any, opened: list[t.Any] | None) -> tuple[t.Any, str | None, str | None]:
    if isinstance(value, FileStorage):
        return value.stream, value.filename, value.content_type
    if isinstance(value, tuple):
        stream = value[0]
        filename = value[1] if len(value) > 1 else None
        content_type = value[2] if len(value) > 2 else None
        if isinstance(stream, bytes):
            stream = io.BytesIO(stream)
        elif isinstance(stream, (str, os.PathLike)):
            stream = open(stream, "rb")  # noqa: SIM115 - closed by the caller
            if opened is not None:
                opened.append(stream)
        return stream, filename, content_type
    name = getattr(value, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) and name[:1] != "<" else None
    return value, filename, None


class BaseEnvironBuilder:
    """Build a WSGI environ from keyword arguments (the path may carry a query string).

    ``data`` is a body (bytes or str), a file object, or a mapping of form fields where
    files (file objects, ``FileStorage`` or ``(file, filename[, content_type])`` tuples) make
    the body ``multipart/form-data``; ``json`` serialises a value as the body; ``auth`` is a
    ``(username, password)`` pair for Basic authentication.
    """

    server_protocol = "HTTP/1.1"
    wsgi_version = (1, 0)

    def __init__(
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: str | bytes | t.Mapping[str, t.Any] | None = None,
        method: str = "GET",
        input_stream: t.IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: Headers | t.Mapping[str, str] | t.Iterable[tuple[str, str]] | None = None,
        data: t.Any = None,
        environ_base: t.Mapping[str, t.Any] | None = None,
        environ_overrides: t.Mapping[str, t.Any] | None = None,
        mimetype: str | None = None,
        json: t.Any = None,
        auth: tuple[str, str] | t.Any = None,
    ) -> None:
        url = urlsplit(path)
        if query_string is None and url.query:
            query_string = url.query
        self.path = unquote_to_bytes(url.path).decode("latin-1") or "/"
        self.request_uri = url.path + (f"?{url.query}" if url.query else "")
        if base_url is None:
            scheme = url.scheme or "http"
            netloc = url.netloc or "localhost"
            base_url = f"{scheme}://{netloc}/"
        self.base_url = base_url
        if isinstance(query_string, bytes):
            query_string = query_string.decode("latin-1")
        elif query_string is not None and not isinstance(query_string, str):
            query_string = urlencode(
                [(k, v) for k, v in iter_multi_items(query_string) if v is not None]
            )
        self.query_string: str = query_string or ""
        self.method = method.upper()
        self.headers = Headers(headers)
        if content_type is None:
            content_type = self.headers.pop("Content-Type", None)
        if content_type is None and mimetype is not None:
            content_type = mimetype
        self.content_type = content_type
        self.content_length = content_length
        self.errors_stream = errors_stream if errors_stream is not None else sys.stderr
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self.environ_base = environ_base
        self.environ_overrides = environ_overrides
        self.input_stream = input_stream
        self._to_close: list[t.Any] = []
        if auth is not None:
            if isinstance(auth, tuple):
                token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
                self.headers.set("Authorization", f"Basic {token}")
            else:
                self.headers.set("Authorization", auth.to_header())
        if json is not None:
            if data is not None:
                raise TypeError("Pass either 'data' or 'json', not both.")
            data = self.json_dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"
        if data is not None:
            if input_stream is not None:
                raise TypeError("Pass either 'data' or 'input_stream', not both.")
            self._set_data(data)

    def json_dumps(self, obj: t.Any) -> str:
        """Serialise the ``json`` argument (the app-aware builder uses ``app.json``)."""
        from .json import dumps

        return dumps(obj)

    def _set_data(self, data: t.Any) -> None:
        if isinstance(data, str):
            data = data.encode()
        if isinstance(data, bytes):
            self.input_stream = io.BytesIO(data)
            if self.content_length is None:
                self.content_length = len(data)
            return
        if hasattr(data, "read"):
            self.input_stream = data
            return
        items = [(k, v) for k, v in _iter_form_items(data) if v is not None]
        wants_multipart = (self.content_type or "").startswith("multipart/form-data")
        if wants_multipart or any(_is_file(v) for _, v in items):
            boundary, body = encode_multipart(items, opened=self._to_close)
            self.content_type = f'multipart/form-data; boundary="{boundary}"'
        else:
            body = urlencode(items).encode()
            if self.content_type is None:
                self.content_type = "application/x-www-form-urlencoded"
        self.input_stream = io.BytesIO(body)
        self.content_length = len(body)

    @property
    def server_name(self) -> str:
        """The host part of ``base_url``."""
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def url_scheme(self) -> str:
        """The scheme of ``base_url``."""
        return urlsplit(self.base_url).scheme or "http"

    def get_environ(self) -> WSGIEnvironment:
        """The WSGI environ for this request (a new dict each call)."""
        base = urlsplit(self.base_url)
        scheme = base.scheme or "http"
        host = base.netloc or "localhost"
        port = str(base.port) if base.port else ("443" if scheme == "https" else "80")
        script_name = base.path.rstrip("/")
        stream = self.input_stream if self.input_stream is not None else io.BytesIO()
        environ: dict[str, t.Any] = {}
        if self.environ_base:
            environ.update(self.environ_base)
        environ.update(
            {
                "REQUEST_METHOD": self.method,
                "SCRIPT_NAME": unquote_to_bytes(script_name).decode("latin-1"),
                "PATH_INFO": self.path,
                "QUERY_STRING": self.query_string,
                "REQUEST_URI": quote(script_name) + self.request_uri,
                "RAW_URI": quote(script_name) + self.request_uri,
                "SERVER_NAME": base.hostname or "localhost",
                "SERVER_PORT": port,
                "HTTP_HOST": host,
                "SERVER_PROTOCOL": self.server_protocol,
                "wsgi.version": self.wsgi_version,
                "wsgi.url_scheme": scheme,
                "wsgi.input": stream,
                "wsgi.errors": self.errors_stream,
                "wsgi.multithread": self.multithread,
                "wsgi.multiprocess": self.multiprocess,
                "wsgi.run_once": self.run_once,
            }
        )
        if self.content_type is not None:
            environ["CONTENT_TYPE"] = self.content_type
        if self.content_length is not None:
            environ["CONTENT_LENGTH"] = str(self.content_length)
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[name] = value
                continue
            name = f"HTTP_{name}"
            environ[name] = f"{environ[name]}, {value}" if name in environ else value
        if self.environ_overrides:
            environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Request] | None = None) -> Request:
        """A request object for this environ (``cls`` defaults to :class:`Request`)."""
        return (cls or Request)(self.get_environ())

    def close(self) -> None:
        """Close files opened for the body."""
        for item in self._to_close:
            item.close()
        self._to_close.clear()


class EnvironBuilder(BaseEnvironBuilder):
    """An environ builder that knows the application: its ``SERVER_NAME`` (or ``localhost``),
    ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``, and ``app.json`` for the ``json``
    argument. ``subdomain`` and ``url_scheme`` adjust the base URL."""

    def __init__(
        self,
        app: Erlen,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        self.app = app
        if base_url is None:
            url = urlsplit(path)
            if (subdomain or url_scheme) and url.netloc:
                raise ValueError("Pass either a full URL as 'path' or 'subdomain'/'url_scheme'.")
            http_host = url.netloc or app.config.get("SERVER_NAME") or "localhost"
            if subdomain:
                http_host = f"{subdomain}.{http_host}"
            scheme = url_scheme or url.scheme or app.config["PREFERRED_URL_SCHEME"]
            app_root = app.config["APPLICATION_ROOT"] or "/"
            base_url = f"{scheme}://{http_host}/{app_root.lstrip('/')}"
            path = url.path + (f"?{url.query}" if url.query else "")
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: t.Any) -> str:
        """Serialise with the application's JSON provider."""
        return self.app.json.dumps(obj)


@dataclasses.dataclass
class Cookie:
    """A cookie held by the client's jar."""

    key: str
    value: str
    domain: str
    path: str = "/"
    origin_only: bool = True
    expires: datetime | None = None
    max_age: int | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    partitioned: bool = False

    @property
    def decoded_value(self) -> str:
        """The value with cookie quoting removed."""
        parsed = parse_cookie(f"{self.key}={self.value}")
        return parsed.get(self.key, self.value)

    @property
    def _storage_key(self) -> tuple[str, str, str]:
        return self.domain, self.path, self.key

    def _matches(self, host: str, path: str) -> bool:
        if self.origin_only:
            if host != self.domain:
                return False
        elif host != self.domain and not host.endswith(f".{self.domain}"):
            return False
        prefix = self.path.rstrip("/")
        return path == self.path or path == prefix or path.startswith(f"{prefix}/")

    def _expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    @classmethod
    def _from_header(cls, header: str, host: str, request_path: str) -> Cookie | None:
        name_value, *attributes = header.split(";")
        key, sep, value = name_value.partition("=")
        key = key.strip()
        if not sep or not key:
            return None
        cookie = cls(key=key, value=value.strip(), domain=host, path="/")
        default_path = request_path.rpartition("/")[0] or "/"
        cookie.path = default_path
        for attribute in attributes:
            name, _, arg = attribute.strip().partition("=")
            name = name.lower()
            if name == "domain" and arg:
                cookie.domain = arg.lstrip(".").lower()
                cookie.origin_only = False
            elif name == "path" and arg.startswith("/"):
                cookie.path = arg
            elif name == "expires":
                cookie.expires = parse_date(arg)
            elif name == "max-age":
                try:
                    cookie.max_age = int(arg)
                except ValueError:
                    continue
            elif name == "secure":
                cookie.secure = True
            elif name == "httponly":
                cookie.http_only = True
            elif name == "samesite":
                cookie.same_site = arg
            elif name == "partitioned":
                cookie.partitioned = True
        if cookie.max_age is not None:
            # Max-Age wins over Expires (RFC 6265, section 5.3).
            cookie.expires = datetime.now(UTC) + timedelta(seconds=cookie.max_age)
        return cookie


class TestResponse(Response):
    """A response returned by the test client, with the request that produced it."""

    __test__ = False  # not a pytest test class
    #: The headers are the ones the application sent; none is added when rebuilding them.
    default_mimetype = None
    request: Request
    history: tuple[TestResponse, ...] = ()

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (errors replaced)."""
        return t.cast(str, self.get_data(as_text=True))


class ErlenClient:
    """A test client for an application; see the module docstring.

    ``environ_base`` sets environ keys for every request (defaults: ``REMOTE_ADDR``
    ``127.0.0.1`` and an ``Erlen/<version>`` user agent).
    """

    __test__ = False
    #: Wrap every call in :func:`wsgiref.validate.validator` (PEP 3333 checks).
    validate_wsgi: t.ClassVar[bool] = False

    def __init__(
        self,
        application: Erlen,
        response_wrapper: type[Response] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
        **kwargs: t.Any,
    ) -> None:
        self.application = application
        if response_wrapper in (None, Response):
            response_wrapper = TestResponse
        elif response_wrapper is not None and not issubclass(response_wrapper, TestResponse):
            response_wrapper = type("TestResponse", (TestResponse, response_wrapper), {})
        self.response_wrapper: type[TestResponse] = t.cast(type[TestResponse], response_wrapper)
        self._cookies: dict[tuple[str, str, str], Cookie] | None = {} if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects
        self.environ_base: dict[str, t.Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Erlen/{__version__}",
        }
        self.environ_base.update(kwargs.pop("environ_base", None) or {})
        if kwargs:
            raise TypeError(f"Unexpected arguments: {', '.join(sorted(kwargs))}")
        self.preserve_context = False
        self._preserved: list[t.Any] = []
        self._new_contexts: list[t.Any] = []

    # -- cookies ------------------------------------------------------------------------------
    def _jar(self) -> dict[tuple[str, str, str], Cookie]:
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create the client with use_cookies=True.")
        return self._cookies

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """The cookie stored for ``key``, ``domain`` and ``path``, or ``None``."""
        return self._jar().get((domain, path, key))

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        domain: str = "localhost",
        origin_only: bool = True,
        path: str = "/",
        **kwargs: t.Any,
    ) -> None:
        """Store a cookie in the jar as if a response had set it."""
        from .http import dump_cookie

        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = Cookie._from_header(header, domain, path)
        if cookie is None:  # pragma: no cover - dump_cookie refuses an empty key
            raise ValueError("invalid cookie")
        cookie.origin_only = origin_only
        cookie.domain = domain
        self._store_cookie(cookie)

    def delete_cookie(self, key: str, *, domain: str = "localhost", path: str = "/") -> None:
        """Remove a cookie from the jar."""
        self._jar().pop((domain, path, key), None)

    def _store_cookie(self, cookie: Cookie) -> None:
        jar = self._jar()
        if cookie._expired(datetime.now(UTC)):
            jar.pop(cookie._storage_key, None)
        else:
            jar[cookie._storage_key] = cookie

    def _add_cookies_to_wsgi(self, environ: WSGIEnvironment) -> None:
        if not self._cookies:
            return
        host = _request_host(environ)
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
        now = datetime.now(UTC)
        values = []
        for cookie in list(self._cookies.values()):
            if cookie._expired(now):
                del self._cookies[cookie._storage_key]
            elif cookie._matches(host, path):
                values.append(f"{cookie.key}={cookie.value}")
        if values:
            environ["HTTP_COOKIE"] = "; ".join(values)

    def _update_cookies_from_response(
        self, host: str, path: str, set_cookie_headers: list[str]
    ) -> None:
        if self._cookies is None:
            return
        for header in set_cookie_headers:
            cookie = Cookie._from_header(header, host, path)
            if cookie is not None:
                self._store_cookie(cookie)

    # -- requests -----------------------------------------------------------------------------
    def _request_from_builder_args(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> BaseEnvironBuilder:
        kwargs["environ_base"] = {**self.environ_base, **(kwargs.get("environ_base") or {})}
        return EnvironBuilder(self.application, *args, **kwargs)

    def open(
        self,
        *args: t.Any,
        buffered: bool = True,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Make a request; accepts :class:`EnvironBuilder` arguments, a builder, an environ
        dict or a :class:`~erlen.wrappers.Request`."""
        environ: WSGIEnvironment
        if args and isinstance(args[0], BaseEnvironBuilder):
            environ = args[0].get_environ()
        elif args and isinstance(args[0], dict):
            environ = args[0]
        elif args and isinstance(args[0], Request):
            environ = dict(args[0].environ)
        else:
            builder = self._request_from_builder_args(args, kwargs)
            try:
                environ = builder.get_environ()
            finally:
                builder.close()
        self._pop_preserved()
        response = self._run(environ, buffered)
        if not follow_redirects:
            return response
        history: list[TestResponse] = []
        seen: set[tuple[str, str]] = set()
        while response.status_code in (301, 302, 303, 305, 307, 308):
            history.append(response)
            location = response.headers["Location"]
            target = self._redirect_environ(response.request.environ, location, response)
            key = (target["HTTP_HOST"], target["PATH_INFO"] + "?" + target["QUERY_STRING"])
            if key in seen:
                raise RuntimeError(f"Redirect loop detected at {location!r}.")
            seen.add(key)
            self._pop_preserved()
            response = self._run(target, buffered)
        response.history = tuple(history)
        return response

    def _redirect_environ(
        self, old: WSGIEnvironment, location: str, response: TestResponse
    ) -> WSGIEnvironment:
        url = urlsplit(location)
        old_host = old["HTTP_HOST"]
        host = url.netloc or old_host
        if host != old_host:
            old_name = old_host.partition(":")[0]
            new_name = host.partition(":")[0]
            if not (self.allow_subdomain_redirects and new_name.endswith(f".{old_name}")):
                raise RuntimeError(
                    f"Following a redirect to another host ({host}) is not supported; pass"
                    " allow_subdomain_redirects=True for subdomains."
                )
        path = url.path
        if not path.startswith("/"):
            base = old.get("SCRIPT_NAME", "") + old.get("PATH_INFO", "/")
            path = base.rpartition("/")[0] + "/" + path
        script_name = old.get("SCRIPT_NAME", "")
        if script_name and path.startswith(script_name):
            path = path[len(script_name) :]
        code = response.status_code
        keep_body = code in (307, 308)
        environ = {
            key: value
            for key, value in old.items()
            if key not in ("HTTP_COOKIE", "CONTENT_TYPE", "CONTENT_LENGTH") or keep_body
        }
        environ["HTTP_HOST"] = host
        environ["SERVER_NAME"] = host.partition(":")[0]
        environ["wsgi.url_scheme"] = url.scheme or old["wsgi.url_scheme"]
        environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
        environ["QUERY_STRING"] = url.query
        environ["REQUEST_URI"] = environ["RAW_URI"] = path + (f"?{url.query}" if url.query else "")
        if keep_body:
            stream = old["wsgi.input"]
            if hasattr(stream, "seek"):
                stream.seek(0)
        else:
            if old["REQUEST_METHOD"] != "HEAD":
                environ["REQUEST_METHOD"] = "GET"
            environ["wsgi.input"] = io.BytesIO()
        return environ

    def _run(self, environ: WSGIEnvironment, buffered: bool) -> TestResponse:
        if self._cookies is not None:
            self._add_cookies_to_wsgi(environ)
        if self.preserve_context:
            environ["erlen.preserve_context"] = self._new_contexts.append
        app: WSGIApplication = self.application
        if self.validate_wsgi:
            from wsgiref.validate import validator

            app = validator(app)
        captured: list[t.Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
        ) -> t.Any:
            if exc_info is not None and captured:
                raise exc_info[1].with_traceback(exc_info[2])
            captured[:] = [status, headers]
            return lambda data: None

        app_iter = app(environ, start_response)
        if buffered:
            try:
                body: t.Iterable[bytes] = list(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
        else:
            body = app_iter
        status, headers = captured
        response = self.response_wrapper(body, status, headers)
        if not buffered:
            close = getattr(app_iter, "close", None)
            if close is not None:
                response.call_on_close(close)
        response.request = Request(environ)
        if self._cookies is not None:
            self._update_cookies_from_response(
                _request_host(environ),
                environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/"),
                response.headers.getlist("Set-Cookie"),
            )
        for ctx in self._new_contexts:
            ctx.push()
            self._preserved.append(ctx)
        self._new_contexts.clear()
        return response

    def _pop_preserved(self) -> None:
        while self._preserved:
            self._preserved.pop().pop()

    def get(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="GET")``."""
        return self.open(*args, method="GET", **kw)

    def post(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="POST")``."""
        return self.open(*args, method="POST", **kw)

    def put(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="PUT")``."""
        return self.open(*args, method="PUT", **kw)

    def patch(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="PATCH")``."""
        return self.open(*args, method="PATCH", **kw)

    def delete(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="DELETE")``."""
        return self.open(*args, method="DELETE", **kw)

    def head(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="HEAD")``."""
        return self.open(*args, method="HEAD", **kw)

    def options(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="OPTIONS")``."""
        return self.open(*args, method="OPTIONS", **kw)

    def trace(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """``open(..., method="TRACE")``."""
        return self.open(*args, method="TRACE", **kw)

    # -- contexts -----------------------------------------------------------------------------
    def __enter__(self) -> ErlenClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest 'with client:' blocks.")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.preserve_context = False
        self._pop_preserved()

    @contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[SessionMixin]:
        """Open the session the next request would see, let the block change it, and store
        the result in the cookie jar: ``with client.session_transaction() as sess: ...``."""
        if self._cookies is None:
            raise TypeError(
                "Cookies are disabled: session_transaction() needs the client's cookie jar."
                " Create the client with use_cookies=True."
            )
        app = self.application
        kwargs["environ_base"] = {**self.environ_base, **(kwargs.get("environ_base") or {})}
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            sess = app.session_interface.open_session(app, ctx.request)
        if sess is None:
            raise RuntimeError(
                "The session interface did not open a session; check the session configuration."
            )
        yield sess
        resp = app.response_class()
        if not app.session_interface.is_null_session(sess):
            with ctx:
                app.session_interface.save_session(app, sess, resp)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0].lower(),
            ctx.request.path,
            resp.headers.getlist("Set-Cookie"),
        )


def _request_host(environ: WSGIEnvironment) -> str:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
    if host.startswith("["):
        return str(host.partition("]")[0] + "]").lower()
    return str(host.rpartition(":")[0] if ":" in host else host).lower()


class ErlenCliRunner(CliRunner):
    """A click runner for the application's commands: ``app.test_cli_runner().invoke(args=...)``."""

    def __init__(self, app: Erlen, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Invoke ``cli`` (default: ``app.cli``) with an info object that loads this app."""
        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            from .cli import ScriptInfo

            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(cli, args, **kwargs)


#: Flask's names for the same classes.
FlaskClient = ErlenClient
FlaskCliRunner = ErlenCliRunner

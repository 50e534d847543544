"""The request object: a thin wrapper over the WSGI environ, parsed on demand."""

from __future__ import annotations

import functools
import io
import typing as t
from datetime import datetime
from urllib.parse import quote

from .. import http
from ..datastructures import Accept as Accept
from ..datastructures import (
    Authorization,
    CharsetAccept,
    CombinedMultiDict,
    EnvironHeaders,
    ETags,
    FileStorage,
    HeaderSet,
    IfRange,
    ImmutableList,
    ImmutableMultiDict,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
)
from ..exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from ..formparser import (
    FormDataParser,
    _EnctypeHintFiles,
    _memory_message,
    default_stream_factory,
)
from ..globals import _cv_app
from ..urls import decode_multi
from ..user_agent import UserAgent
from ..utils import cached_property
from ..wsgi import (
    _too_large,
    get_content_length,
    get_host,
    get_input_stream,
    read_declared_body,
    read_small_body,
)

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    from ..routing import Rule

_missing: t.Any = object()

_FORM_MIMETYPE = "application/x-www-form-urlencoded"
_MULTIPART_MIMETYPE = "multipart/form-data"


def _latin1_to_text(value: str) -> str:
    """Turn a WSGI "bytes as latin-1" string into text, replacing invalid UTF-8."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "replace")


@functools.lru_cache(maxsize=512)
def _split_blueprint_path(name: str) -> tuple[str, ...]:
    """``"a.b.c"`` -> ``("a.b.c", "a.b", "a")``: a blueprint and its parents, inner first."""
    out = [name]
    while "." in name:
        name = name.rpartition(".")[0]
        out.append(name)
    return tuple(out)


class Request:
    """The incoming request, built on the WSGI environ.

    Every derived value (arguments, form, headers, cookies, JSON, URL parts) is parsed on its
    first access and cached on the instance, so a view pays only for what it reads. The
    object accepts arbitrary attributes, as Flask extensions expect.
    """

    #: The class for ``args``, and for ``form`` when the body is parsed.
    parameter_storage_class: type[MultiDict[str, t.Any]] = ImmutableMultiDict
    #: The class for ``cookies``.
    dict_storage_class: type[MultiDict[str, t.Any]] = ImmutableMultiDict
    #: The class for ``access_route``.
    list_storage_class: type[ImmutableList[t.Any]] = ImmutableList
    #: The class of ``user_agent``.
    user_agent_class: type[UserAgent] = UserAgent
    #: The parser for urlencoded and multipart bodies (see :meth:`make_form_data_parser`).
    form_data_parser_class: type[FormDataParser] = FormDataParser
    #: Hosts accepted in the Host header; ``None`` accepts any (set from ``TRUSTED_HOSTS``).
    trusted_hosts: list[str] | None = None
    #: The JSON module or provider ``get_json`` decodes with (the app sets ``app.json``).
    json_module: t.Any = None

    #: The rule that matched, set by the router.
    url_rule: Rule | None = None
    #: The converted URL variables, set by the router.
    view_args: dict[str, t.Any] | None = None
    #: The routing error (404, 405, redirect) kept so that error handlers can run.
    routing_exception: Exception | None = None

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None
    # Whether the body was read from wsgi.input in one call (read_small_body), so that
    # :attr:`stream` has nothing left. PERF: a flag, not an empty BytesIO made every time.
    _body_read = False

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        self.environ = environ
        self.shallow = shallow
        # PERF: routing needs the method on every request; read it once, eagerly.
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        if populate_request and not shallow:
            environ["erlen.request"] = self

    def __repr__(self) -> str:
        try:
            url = self.url
        except Exception:  # a hostile Host header must not break repr()
            url = "(invalid URL)"
        return f"<{type(self).__name__} {url!r} [{self.method}]>"

    # -- construction helpers -----------------------------------------------------------------
    @classmethod
    def from_values(cls, *args: t.Any, **kwargs: t.Any) -> Request:
        """Build a request from :class:`erlen.testing.BaseEnvironBuilder` arguments."""
        from ..testing import BaseEnvironBuilder

        builder = BaseEnvironBuilder(*args, **kwargs)
        try:
            return builder.get_request(cls)
        finally:
            builder.close()

    @classmethod
    def application(cls, f: t.Callable[[Request], WSGIApplication]) -> WSGIApplication:
        """Decorate ``f(request) -> response`` so that it is a WSGI application."""

        @functools.wraps(f)
        def application(environ: WSGIEnvironment, start_response: t.Any) -> t.Iterable[bytes]:
            request = cls(environ)
            try:
                response = f(request)
            except Exception as e:
                from ..exceptions import HTTPException

                if not isinstance(e, HTTPException):
                    raise
                response = e.get_response(environ)
            try:
                return response(environ, start_response)
            finally:
                request.close()

        return application

    # -- routing (Flask) ----------------------------------------------------------------------
    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or ``None`` when routing failed."""
        rule = self.url_rule
        return rule.endpoint if rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The (dotted) name of the blueprint of the matched endpoint, if any."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        name = self.blueprint
        return list(_split_blueprint_path(name)) if name is not None else []

    # -- the URL ------------------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        """``http`` or ``https`` (the WSGI ``url_scheme``)."""
        return self.environ.get("wsgi.url_scheme", "http")  # type: ignore[no-any-return]

    @property
    def is_secure(self) -> bool:
        """Whether the request came over TLS (https or wss)."""
        return self.scheme in ("https", "wss")

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """The server's ``(name, port)`` from ``SERVER_NAME`` and ``SERVER_PORT``."""
        name = self.environ.get("SERVER_NAME")
        if not name:
            return None
        port = self.environ.get("SERVER_PORT")
        return name, int(port) if port and str(port).isdecimal() else None

    @cached_property
    def host(self) -> str:
        """The host the client asked for, validated (400 for a malformed or untrusted host)."""
        return get_host(self.environ, self.trusted_hosts)

    @cached_property
    def root_path(self) -> str:
        """Where the application is mounted (``SCRIPT_NAME``), without a trailing slash."""
        return _latin1_to_text(self.environ.get("SCRIPT_NAME", "")).rstrip("/")

    @property
    def script_root(self) -> str:
        """Alias of :attr:`root_path`."""
        return self.root_path

    @cached_property
    def path(self) -> str:
        """The path below the application root, always starting with ``/``."""
        return "/" + _latin1_to_text(self.environ.get("PATH_INFO", "")).lstrip("/")

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string, as bytes."""
        qs: str = self.environ.get("QUERY_STRING", "")
        return qs.encode("latin-1")

    @cached_property
    def full_path(self) -> str:
        """The path and the query string, joined by ``?``."""
        return f"{self.path}?{_latin1_to_text(self.environ.get('QUERY_STRING', ''))}"

    @cached_property
    def host_url(self) -> str:
        """``scheme://host/``."""
        return f"{self.scheme}://{self.host}/"

    @cached_property
    def root_url(self) -> str:
        """``scheme://host/root_path/``."""
        return f"{self.scheme}://{self.host}{quote(self.root_path, safe=_PATH_SAFE)}/"

    @property
    def url_root(self) -> str:
        """Alias of :attr:`root_url`."""
        return self.root_url

    @cached_property
    def base_url(self) -> str:
        """The full URL without the query string."""
        path = quote(self.root_path + self.path, safe=_PATH_SAFE)
        return f"{self.scheme}://{self.host}{path}"

    @cached_property
    def url(self) -> str:
        """The full URL, with the query string."""
        qs = self.environ.get("QUERY_STRING", "")
        if not qs:
            return self.base_url
        return f"{self.base_url}?{quote(_latin1_to_text(qs), safe=_QUERY_SAFE)}"

    # -- the client ---------------------------------------------------------------------------
    @property
    def remote_addr(self) -> str | None:
        """The client's address as the server saw it (see ProxyFix behind a proxy)."""
        return self.environ.get("REMOTE_ADDR")

    @property
    def remote_user(self) -> str | None:
        """The user the server authenticated, if it did (``REMOTE_USER``)."""
        return self.environ.get("REMOTE_USER")

    @cached_property
    def access_route(self) -> ImmutableList[str]:
        """The ``X-Forwarded-For`` chain, client first, or just the remote address."""
        forwarded = self.environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return self.list_storage_class([x.strip() for x in forwarded.split(",") if x.strip()])
        if self.remote_addr:
            return self.list_storage_class([self.remote_addr])
        return self.list_storage_class()

    @cached_property
    def user_agent(self) -> UserAgent:
        """The User-Agent header as a :class:`~erlen.user_agent.UserAgent` (not parsed)."""
        return self.user_agent_class(self.environ.get("HTTP_USER_AGENT", ""))

    @cached_property
    def authorization(self) -> Authorization | None:
        """The parsed Authorization header (Basic, Bearer, Digest, ...), or ``None``."""
        return Authorization.from_header(self.environ.get("HTTP_AUTHORIZATION"))

    @property
    def origin(self) -> str | None:
        """The Origin header."""
        return self.environ.get("HTTP_ORIGIN")

    # -- headers ------------------------------------------------------------------------------
    @cached_property
    def headers(self) -> EnvironHeaders:
        """The request headers, read-only and case-insensitive."""
        return EnvironHeaders(self.environ)

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.environ.get("CONTENT_TYPE") or None

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        return http.parse_options_header(self.environ.get("CONTENT_TYPE", ""))

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased (``""`` when absent)."""
        return self._parsed_content_type[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type's parameters, such as ``charset``."""
        return self._parsed_content_type[1]

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length header as an int (400 when it is not a byte count)."""
        return get_content_length(self.environ)

    @property
    def content_encoding(self) -> str | None:
        """The Content-Encoding header."""
        return self.environ.get("HTTP_CONTENT_ENCODING")

    @property
    def content_md5(self) -> str | None:
        """The Content-MD5 header."""
        return self.environ.get("HTTP_CONTENT_MD5")

    @property
    def referrer(self) -> str | None:
        """The Referer header."""
        return self.environ.get("HTTP_REFERER")

    @cached_property
    def date(self) -> datetime | None:
        """The Date header, parsed (``None`` when absent or invalid)."""
        return http.parse_date(self.environ.get("HTTP_DATE"))

    @cached_property
    def max_forwards(self) -> int | None:
        """The Max-Forwards header as an int, or ``None``."""
        value = self.environ.get("HTTP_MAX_FORWARDS", "")
        return int(value) if value.isascii() and value.isdecimal() else None

    @cached_property
    def pragma(self) -> HeaderSet:
        """The Pragma header as a set."""
        return http.parse_set_header(self.environ.get("HTTP_PRAGMA", ""))

    @cached_property
    def cache_control(self) -> RequestCacheControl:
        """The Cache-Control header."""
        return http.parse_cache_control_header(
            self.environ.get("HTTP_CACHE_CONTROL"), None, RequestCacheControl
        )

    @cached_property
    def access_control_request_headers(self) -> HeaderSet | None:
        """The headers a CORS preflight asks about."""
        value = self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
        return http.parse_set_header(value) if value is not None else None

    @property
    def access_control_request_method(self) -> str | None:
        """The method a CORS preflight asks about."""
        return self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")

    # -- negotiation and conditions ------------------------------------------------------------
    @cached_property
    def accept_mimetypes(self) -> MIMEAccept:
        """The Accept header, with q-values."""
        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT"), MIMEAccept)

    @cached_property
    def accept_charsets(self) -> CharsetAccept:
        """The Accept-Charset header."""
        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_CHARSET"), CharsetAccept)

    @cached_property
    def accept_encodings(self) -> Accept:
        """The Accept-Encoding header."""
        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_ENCODING"))

    @cached_property
    def accept_languages(self) -> LanguageAccept:
        """The Accept-Language header (``en`` and ``en-US`` match each other)."""
        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)

    @cached_property
    def if_match(self) -> ETags:
        """The If-Match header."""
        return http.parse_etags(self.environ.get("HTTP_IF_MATCH"))

    @cached_property
    def if_none_match(self) -> ETags:
        """The If-None-Match header."""
        return http.parse_etags(self.environ.get("HTTP_IF_NONE_MATCH"))

    @cached_property
    def if_modified_since(self) -> datetime | None:
        """The If-Modified-Since header."""
        return http.parse_date(self.environ.get("HTTP_IF_MODIFIED_SINCE"))

    @cached_property
    def if_unmodified_since(self) -> datetime | None:
        """The If-Unmodified-Since header."""
        return http.parse_date(self.environ.get("HTTP_IF_UNMODIFIED_SINCE"))

    @cached_property
    def if_range(self) -> IfRange:
        """The If-Range header."""
        return http.parse_if_range_header(self.environ.get("HTTP_IF_RANGE"))

    @cached_property
    def range(self) -> Range | None:
        """The Range header, or ``None`` when absent or malformed."""
        return http.parse_range_header(self.environ.get("HTTP_RANGE"))

    # -- query string and cookies ----------------------------------------------------------------
    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query-string arguments (400 when they are not UTF-8)."""
        return decode_multi(self.environ.get("QUERY_STRING", ""), self.parameter_storage_class)

    @cached_property
    def cookies(self) -> MultiDict[str, str]:
        """The cookies the client sent."""
        return http.parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)

    # -- limits -------------------------------------------------------------------------------
    @property
    def max_content_length(self) -> int | None:
        """The largest body accepted, from ``MAX_CONTENT_LENGTH`` unless set on this request."""
        if self._max_content_length is not None:
            return self._max_content_length
        ctx = _cv_app.get(None)
        return ctx.app.config["MAX_CONTENT_LENGTH"] if ctx is not None else None

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The largest urlencoded body or non-file field, from ``MAX_FORM_MEMORY_SIZE``."""
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        ctx = _cv_app.get(None)
        return ctx.app.config["MAX_FORM_MEMORY_SIZE"] if ctx is not None else 500_000

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:
        """The most form fields accepted, from ``MAX_FORM_PARTS``."""
        if self._max_form_parts is not None:
            return self._max_form_parts
        ctx = _cv_app.get(None)
        return ctx.app.config["MAX_FORM_PARTS"] if ctx is not None else 1_000

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    # -- the body -----------------------------------------------------------------------------
    @property
    def input_stream(self) -> t.IO[bytes]:
        """The raw ``wsgi.input``, with no limit applied; prefer :attr:`stream`."""
        return self.environ["wsgi.input"]  # type: ignore[no-any-return]

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body, limited to Content-Length and ``max_content_length``.

        Without a Content-Length and without ``wsgi.input_terminated`` nothing is read.
        """
        if self.shallow:
            raise RuntimeError(
                "This request was created with shallow=True, which forbids reading the body."
            )
        if self._body_read:
            return io.BytesIO()  # read in one call already: what is left is nothing
        return get_input_stream(self.environ, max_content_length=self.max_content_length)

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> t.Any:
        """Read the body. With ``parse_form_data``, form bodies are parsed first (and are
        then empty here); with ``as_text``, the bytes are decoded as UTF-8."""
        if parse_form_data:
            self._load_form_data()
        data = self.__dict__.get("_cached_data")
        if data is None:
            if "stream" in self.__dict__ or self.shallow or self._body_read:
                data = self.stream.read()
            else:
                data = read_small_body(self.environ, self.max_content_length)
                if data is None:
                    data = self.stream.read()
                else:
                    self._body_read = True
            if cache:
                self._cached_data = data
        if as_text:
            return data.decode("utf-8", "replace")
        return data

    @property
    def data(self) -> bytes:
        """The body as bytes (empty when it was a form, which is parsed into :attr:`form`)."""
        return self.get_data(parse_form_data=True)  # type: ignore[no-any-return]

    @property
    def want_form_data_parsed(self) -> bool:
        """Whether the content type is one the form parser handles."""
        return self.mimetype in (_FORM_MIMETYPE, _MULTIPART_MIMETYPE)

    def make_form_data_parser(self) -> FormDataParser:
        """The parser for this request's body, configured with its limits and storage class."""
        return self.form_data_parser_class(
            self._get_file_stream,
            self.max_form_memory_size,
            self.max_content_length,
            self.parameter_storage_class,
            max_form_parts=self.max_form_parts,
        )

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        """Where an upload's bytes go (override to store uploads elsewhere)."""
        return default_stream_factory(total_content_length, content_type, filename, content_length)

    def _get_stream_for_parsing(self) -> t.IO[bytes]:
        # A body already read by get_data() is parsed from the cached bytes.
        cached = self.__dict__.get("_cached_data")
        if cached is not None:
            return io.BytesIO(cached)
        return self.stream

    def _load_form_data(self) -> None:
        """Parse the body into :attr:`form` and :attr:`files` (once)."""
        if "form" in self.__dict__:
            return
        form: MultiDict[str, str]
        files: MultiDict[str, FileStorage]
        content_type = self.environ.get("CONTENT_TYPE")
        if content_type == _FORM_MIMETYPE and type(self).mimetype is _MIMETYPE:
            # PERF: exactly what browsers send: parsing it would give the same, in ~1 µs.
            mimetype = content_type
        else:
            mimetype = self.mimetype
        small = self._small_urlencoded_form() if mimetype == _FORM_MIMETYPE else None
        if small is not None:
            # PERF: an urlencoded body has no files; :attr:`files` makes its empty dict when
            # it is read.
            self.__dict__["form"] = small
            return
        if not self.shallow and mimetype in (_FORM_MIMETYPE, _MULTIPART_MIMETYPE):
            parser = self.make_form_data_parser()
            _, form, files = parser.parse(
                self._get_stream_for_parsing(),
                mimetype,
                self.content_length,
                self.mimetype_params,
            )
        else:
            form = self.parameter_storage_class()
            files = self.parameter_storage_class()
        self.__dict__["form"] = form
        self.__dict__["files"] = self._files_or_hint(files, form, mimetype)

    def _files_or_hint(
        self, files: MultiDict[str, FileStorage], form: MultiDict[str, str], mimetype: str
    ) -> MultiDict[str, FileStorage]:
        # In debug mode, an empty files of a body that is not multipart explains itself.
        if mimetype != _MULTIPART_MIMETYPE and not files:
            ctx = _cv_app.get(None)
            if ctx is not None and ctx.app.debug:
                return _EnctypeHintFiles(form, mimetype)
        return files

    def _small_urlencoded_form(self) -> MultiDict[str, str] | None:
        """What FormDataParser makes of a small urlencoded body, with the same errors in
        the same order, read without a stream or a parser; ``None`` for a large body, or
        when the parser or the body's source is not the default (parse it then)."""
        # PERF: the parser, its three limits and the LimitedStream cost more than
        # splitting a 60-byte form.
        cls = type(self)
        environ = self.environ
        if (
            self.form_data_parser_class is not FormDataParser
            or (
                cls is not Request
                and (
                    cls.make_form_data_parser is not Request.make_form_data_parser
                    or cls._get_stream_for_parsing is not Request._get_stream_for_parsing
                )
            )
            or self.shallow
            or self._body_read
            or "stream" in self.__dict__
            or "_cached_data" in self.__dict__
            or environ.get("wsgi.input_terminated")
        ):
            return None
        ctx = _cv_app.get(None)
        if (
            cls is Request
            and ctx is not None
            and self._max_content_length is None
            and self._max_form_memory_size is None
            and self._max_form_parts is None
            and "content_length" not in self.__dict__
        ):
            # PERF: what the four properties below would read, read directly (they are
            # this class's own): a Python call fewer for each.
            config = ctx.app.config
            length = get_content_length(environ)
            max_length = config["MAX_CONTENT_LENGTH"]
            limit = config["MAX_FORM_MEMORY_SIZE"]
            max_parts = config["MAX_FORM_PARTS"]
        else:
            length = self.content_length
            max_length = self.max_content_length
            limit = self.max_form_memory_size
            max_parts = self.max_form_parts
        if length is None:
            return self.parameter_storage_class()
        if max_length is not None and length > max_length:
            raise RequestEntityTooLarge(_too_large(max_length))
        if limit is not None and length > limit:
            raise RequestEntityTooLarge(_memory_message(limit, "The form data"))
        data = read_declared_body(environ, length)
        if data is None:
            return None
        self._body_read = True
        return decode_multi(data.decode("latin-1"), self.parameter_storage_class, max_parts)

    @cached_property
    def form(self) -> MultiDict[str, str]:
        """The fields of an urlencoded or multipart body (empty for other bodies).

        Reading it parses the body: 413 past ``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS`` or
        ``MAX_CONTENT_LENGTH``, 400 for a malformed body.
        """
        self._load_form_data()
        return self.__dict__["form"]  # type: ignore[no-any-return]

    @cached_property
    def files(self) -> MultiDict[str, FileStorage]:
        """The uploaded files of a multipart body, as :class:`~erlen.datastructures.FileStorage`.

        Small uploads are kept in memory, larger ones in temporary files that are closed
        (and so deleted) when the request ends.
        """
        self._load_form_data()
        files = self.__dict__.get("files")
        if files is None:  # an urlencoded body read without the parser
            # The debug hint follows the app context files is read in (the parser's path
            # decides when the body is parsed; the two differ only across contexts).
            files = self._files_or_hint(
                self.parameter_storage_class(), self.__dict__["form"], self.mimetype
            )
        return files

    @cached_property
    def values(self) -> CombinedMultiDict[str, str]:
        """``args`` and ``form`` together; for GET only ``args`` (a GET body is not a form)."""
        if self.method == "GET":
            return CombinedMultiDict([self.args])
        return CombinedMultiDict([self.args, self.form])

    # -- JSON ---------------------------------------------------------------------------------
    @property
    def is_json(self) -> bool:
        """Whether the mimetype is ``application/json`` or ``application/*+json``."""
        mt = self.mimetype
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    @property
    def json(self) -> t.Any:
        """The parsed JSON body; see :meth:`get_json` (415 or 400 on a bad body)."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> t.Any:
        """Parse the body as JSON.

        A content type other than JSON gives 415 unless ``force``; a body that does not
        decode gives 400. With ``silent`` both return ``None`` instead. Silent and non-silent
        results are cached separately.
        """
        cached = self.__dict__.get("_cached_json", (_missing, _missing))
        if cache and cached[silent] is not _missing:
            return cached[silent]
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        data = self.get_data(cache=cache)
        loads = self.json_module.loads if self.json_module is not None else _json_loads
        try:
            rv = loads(data)
        except (ValueError, RecursionError) as e:  # RecursionError: absurdly deep nesting
            if not silent:
                return self.on_json_loading_failed(e)
            rv = None
            if cache:
                self._cached_json = (cached[0], rv)
            return rv
        if cache:
            self._cached_json = (rv, rv)
        return rv

    def on_json_loading_failed(self, e: Exception | None) -> t.Any:
        """Raise the 415 (no JSON content type) or 400 (undecodable body) for :meth:`get_json`.

        The decoder's message is shown only in debug mode, so a 400 reveals nothing of the
        parser to clients. Override to return a value or raise something else.
        """
        if e is None:
            raise UnsupportedMediaType(
                "Did not read the body as JSON because the Content-Type is not"
                " 'application/json'. Send that header, or call get_json(force=True)."
            )
        ctx = _cv_app.get(None)
        if ctx is not None and ctx.app.debug:
            raise BadRequest(f"The request body is not valid JSON: {e}")
        raise BadRequest("The request body is not valid JSON.") from e

    # -- environment facts and lifecycle ---------------------------------------------------------
    @property
    def is_multithread(self) -> bool:
        """``wsgi.multithread``."""
        return bool(self.environ.get("wsgi.multithread"))

    @property
    def is_multiprocess(self) -> bool:
        """``wsgi.multiprocess``."""
        return bool(self.environ.get("wsgi.multiprocess"))

    @property
    def is_run_once(self) -> bool:
        """``wsgi.run_once``."""
        return bool(self.environ.get("wsgi.run_once"))

    def close(self) -> None:
        """Close the uploaded files, if the body was parsed."""
        files = self.__dict__.get("files")
        if files:
            for f in files.values():
                f.close()

    def __enter__(self) -> Request:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_PATH_SAFE = "/:@!$&'()*+,;="
_QUERY_SAFE = "/:@!$&'()*+,;=?%"


_MIMETYPE = Request.mimetype  # the property itself, to tell whether a subclass replaced it


def _json_loads(data: bytes) -> t.Any:
    import json

    return json.loads(data)

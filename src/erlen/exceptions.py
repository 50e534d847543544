"""HTTP errors as exceptions: raise one (or call :func:`abort`) and the client gets that status.

Every class carries a ``code`` and a default ``description``; the same names as
``werkzeug.exceptions`` so code written for Flask finds them where it expects. An exception
is also a tiny WSGI application that renders a short HTML page.
"""

from __future__ import annotations

import functools
import typing as t
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from ._status import HTTP_STATUS_CODES

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .wrappers.response import Response

_PHRASES = HTTP_STATUS_CODES
_response_cls: type[Response] | None = None


def _response_class() -> type[Response]:
    """The response class for error pages, imported on first use (the wrappers import this
    module); remembered, since a function-level import costs about a microsecond."""
    global _response_cls
    if _response_cls is None:
        from .wrappers.response import Response

        _response_cls = Response
    return _response_cls


class HTTPException(Exception):
    """The base of every HTTP error; raising one makes the client get its ``code``.

    Pass ``response`` to send a ready-made response instead of the generated HTML page.
    """

    #: The HTTP status code; ``None`` for an exception that is not an HTTP error by itself.
    code: int | None = None
    #: A sentence shown to the client in the error page.
    description: str | None = None

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The reason phrase for :attr:`code` (``"Not Found"``)."""
        return _PHRASES.get(self.code, "Unknown Error")  # type: ignore[arg-type]

    def get_description(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> str:
        """The description as an HTML paragraph, escaped, with line breaks kept."""
        return _paragraph(self.description)

    def get_body(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> str:
        """The HTML page sent as the response body."""
        cls = type(self)
        own = self.__dict__
        if (
            type(cls.description) is str
            and "description" not in own
            and "get_description" not in own
            and cls.get_description is _BASE_GET_DESCRIPTION
            and cls.name is _BASE_NAME
        ):
            # PERF: the class's own page (a plain abort(404)) is the same every time. The
            # page depends on the code and the description alone, and the description is
            # the class's, so the cache holds about one page per class.
            return _class_page(self.code, cls.description)
        return _page(self.code, self.name, self.get_description(environ, scope))

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> list[tuple[str, str]]:
        """The response headers; subclasses add theirs (``Allow``, ``Retry-After``, ...)."""
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(
        self, environ: t.Any = None, scope: dict[str, t.Any] | None = None
    ) -> Response:
        """The response to send: :attr:`response` if one was given, else the HTML error page.

        ``environ`` may be a WSGI environ or a request object.
        """
        if self.response is not None:
            return self.response
        if environ is not None and not isinstance(environ, dict):
            environ = environ.environ
        body = self.get_body(environ, scope)
        if type(self).get_headers is _BASE_GET_HEADERS and "get_headers" not in self.__dict__:
            # PERF: the base class's one header, made by the constructor without the checks
            # a header list given to it goes through.
            return _response_class()(body, self.code, mimetype="text/html")
        return _response_class()(body, self.code, self.get_headers(environ, scope))

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Serve the error as a WSGI application."""
        response = self.get_response(environ)
        return response(environ, start_response)

    def __str__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"{code} {self.name}: {self.description}"

    def __repr__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"<{type(self).__name__} '{code}: {self.name}'>"


_BASE_GET_HEADERS = HTTPException.get_headers
_BASE_GET_DESCRIPTION = HTTPException.get_description
_BASE_NAME = HTTPException.__dict__["name"]


def _paragraph(text: str | None) -> str:
    if text is None:
        return "<p></p>"
    return f"<p>{escape(text).replace(chr(10), '<br>')}</p>"


def _page(code: int | None, name: str, description_html: str) -> str:
    name = escape(name)
    return (
        f"<!doctype html>\n<html lang=en>\n<title>{code} {name}</title>\n"
        f"<h1>{name}</h1>\n{description_html}\n"
    )


@functools.lru_cache(maxsize=128)
def _class_page(code: int | None, description: str) -> str:
    return _page(code, _PHRASES.get(code, "Unknown Error"), _paragraph(description))  # type: ignore[arg-type]


class BadRequest(HTTPException):
    """400: the request is malformed or the server cannot make sense of it."""

    code = 400
    description = "The server could not understand the request sent by your browser."


class BadRequestKeyError(BadRequest, KeyError):
    """400 raised when a key is missing from request data (``request.form["x"]``).

    It is also a :exc:`KeyError`, so ``except KeyError`` keeps working. In debug mode the
    application sets :attr:`show_exception` so the page names the missing key.
    """

    #: Whether the description names the missing key; the app turns it on in debug mode.
    show_exception = False
    _description: str | None = BadRequest.description

    def __init__(self, arg: t.Any = None, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if arg is None:
            KeyError.__init__(self)
        else:
            KeyError.__init__(self, arg)

    @property  # type: ignore[override]
    def description(self) -> str | None:
        """The description, with the missing key added when :attr:`show_exception` is set."""
        if self.show_exception:
            return f"{self._description} KeyError: {KeyError.__str__(self)}"
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        self._description = value

    # str() is KeyError's, so code that prints the error sees the key as usual.
    __str__ = KeyError.__str__


class ClientDisconnected(BadRequest):
    """400 raised when the client goes away before the request body has been read."""


class SecurityError(BadRequest):
    """400 raised when a request is refused on security grounds (a path escaping its root)."""


class BadHost(BadRequest):
    """400 raised when the Host header is malformed or not in ``TRUSTED_HOSTS``."""


class Unauthorized(HTTPException):
    """401: the resource needs credentials the request did not carry (or carried wrong ones).

    ``www_authenticate`` is one challenge or a list of them, each sent as a
    ``WWW-Authenticate`` header (anything whose ``str()`` is a challenge will do).
    """

    code = 401
    description = (
        "You need to be signed in to reach this resource, and the request did not carry"
        " valid credentials."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: t.Any = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and not isinstance(www_authenticate, list | tuple):
            www_authenticate = (www_authenticate,)
        self.www_authenticate = www_authenticate

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> list[tuple[str, str]]:
        """The base headers plus one ``WWW-Authenticate`` per challenge."""
        headers = super().get_headers(environ, scope)
        if self.www_authenticate:
            headers.extend(("WWW-Authenticate", str(c)) for c in self.www_authenticate)
        return headers


class Forbidden(HTTPException):
    """403: the server understood who is asking and refuses anyway."""

    code = 403
    description = "You are not allowed to access this resource."


class NotFound(HTTPException):
    """404: nothing lives at the requested URL."""

    code = 404
    description = (
        "Nothing was found at this address. If you typed it, check the spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    """405: the URL exists but does not accept this method; ``valid_methods`` fills ``Allow``."""

    code = 405
    description = "This URL does not accept the method used by the request."

    def __init__(
        self,
        valid_methods: t.Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.valid_methods = valid_methods

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> list[tuple[str, str]]:
        """The base headers plus ``Allow`` listing the accepted methods."""
        headers = super().get_headers(environ, scope)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    """406: no representation matches the request's ``Accept`` headers."""

    code = 406
    description = "The resource is not available in any format the request says it accepts."


class RequestTimeout(HTTPException):
    """408: the client took too long to send its request."""

    code = 408
    description = "The server gave up waiting for the request to arrive."


class Conflict(HTTPException):
    """409: the request clashes with the current state of the resource."""

    code = 409
    description = "The request conflicts with the current state of the resource."


class Gone(HTTPException):
    """410: the resource existed once and has been removed for good."""

    code = 410
    description = "This resource has been removed permanently and has no new address."


class LengthRequired(HTTPException):
    """411: the request has a body but no ``Content-Length``."""

    code = 411
    description = "A request with a body must say how long it is (Content-Length)."


class PreconditionFailed(HTTPException):
    """412: a conditional header (``If-Match``, ...) did not hold."""

    code = 412
    description = "A condition set by the request's headers is not met."


class RequestEntityTooLarge(HTTPException):
    """413: the request body is larger than the server accepts (``MAX_CONTENT_LENGTH``)."""

    code = 413
    description = "The request body is larger than this server accepts."


class RequestURITooLarge(HTTPException):
    """414: the URL is too long to be handled."""

    code = 414
    description = "The requested URL is longer than this server accepts."


class UnsupportedMediaType(HTTPException):
    """415: the request body is in a format the server does not handle."""

    code = 415
    description = "The request body is in a media type this resource does not handle."


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the requested byte range lies outside the resource.

    Given the resource's ``length``, the response says so in ``Content-Range: bytes */length``.
    """

    code = 416
    description = "The requested range cannot be served from this resource."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.length = length
        self.units = units

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> list[tuple[str, str]]:
        """The base headers plus ``Content-Range`` when the length is known."""
        headers = super().get_headers(environ, scope)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    """417: the server cannot meet the request's ``Expect`` header."""

    code = 417
    description = "The server cannot meet what the Expect header asks for."


class ImATeapot(HTTPException):
    """418: the server is a teapot and will not brew coffee (RFC 2324)."""

    code = 418
    description = "This server is a teapot; it does not brew coffee."


class MisdirectedRequest(HTTPException):
    """421: the request reached a server that cannot answer for this host."""

    code = 421
    description = "This server is not set up to answer requests for the given host."


class UnprocessableEntity(HTTPException):
    """422: the body is well formed but its content cannot be acted on."""

    code = 422
    description = "The request was understood, but its content has errors."


class Locked(HTTPException):
    """423: the resource is locked (WebDAV)."""

    code = 423
    description = "The resource is locked."


class FailedDependency(HTTPException):
    """424: the request relied on another action that failed (WebDAV)."""

    code = 424
    description = "The request depended on another request that failed."


class PreconditionRequired(HTTPException):
    """428: the server wants conditional requests (``If-Match``) for this resource."""

    code = 428
    description = (
        "This resource is only changed by conditional requests; send If-Match or"
        " If-Unmodified-Since."
    )


class _RetryAfter(HTTPException):
    """Adds ``Retry-After``: ``retry_after`` is a datetime or a number of seconds."""

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: datetime | int | None = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: dict[str, t.Any] | None = None
    ) -> list[tuple[str, str]]:
        """The base headers plus ``Retry-After`` when a time was given."""
        headers = super().get_headers(environ, scope)
        retry_after = self.retry_after
        if retry_after is not None:
            if isinstance(retry_after, datetime):
                # A naive datetime is taken to be UTC, as everywhere else in Erlen.
                if retry_after.tzinfo is None:
                    retry_after = retry_after.replace(tzinfo=UTC)
                value = format_datetime(retry_after.astimezone(UTC), usegmt=True)
            else:
                value = str(int(retry_after))
            headers.append(("Retry-After", value))
        return headers


class TooManyRequests(_RetryAfter):
    """429: the client has sent too many requests; ``retry_after`` says when to come back."""

    code = 429
    description = "Too many requests were sent in a short time. Wait a while and try again."


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: one header, or all of them together, is too large."""

    code = 431
    description = "The request's headers are larger than this server accepts."


class UnavailableForLegalReasons(HTTPException):
    """451: the resource is withheld for legal reasons."""

    code = 451
    description = "This resource is not available for legal reasons."


class InternalServerError(HTTPException):
    """500: the server failed while handling the request.

    When an unhandled error turns into a 500, :attr:`original_exception` holds it.
    """

    code = 500
    description = (
        "Something went wrong on the server and the request could not be completed. Please"
        " try again later."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        #: The unhandled exception this error stands for, if any.
        self.original_exception = original_exception
        super().__init__(description, response)


class NotImplemented(HTTPException):  # shadows the builtin: the name Werkzeug users import
    """501: the server does not support what the request asks for."""

    code = 501
    description = "The server does not support the action the request asks for."


class BadGateway(HTTPException):
    """502: an upstream server sent an invalid answer."""

    code = 502
    description = "A server this one relies on sent an invalid answer."


class ServiceUnavailable(_RetryAfter):
    """503: the server cannot answer right now; ``retry_after`` says when to try again."""

    code = 503
    description = (
        "The service is unavailable for the moment (overloaded or under maintenance)."
        " Try again later."
    )


class GatewayTimeout(HTTPException):
    """504: an upstream server did not answer in time."""

    code = 504
    description = "A server this one relies on did not answer in time."


class HTTPVersionNotSupported(HTTPException):
    """505: the request uses an HTTP version the server does not speak."""

    code = 505
    description = "The server does not support the HTTP version the request uses."


#: The exception class raised for each status code (the base class where several share one).
default_exceptions: dict[int, type[HTTPException]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        RequestTimeout,
        Conflict,
        Gone,
        LengthRequired,
        PreconditionFailed,
        RequestEntityTooLarge,
        RequestURITooLarge,
        UnsupportedMediaType,
        RequestedRangeNotSatisfiable,
        ExpectationFailed,
        ImATeapot,
        MisdirectedRequest,
        UnprocessableEntity,
        Locked,
        FailedDependency,
        PreconditionRequired,
        TooManyRequests,
        RequestHeaderFieldsTooLarge,
        UnavailableForLegalReasons,
        InternalServerError,
        NotImplemented,
        BadGateway,
        ServiceUnavailable,
        GatewayTimeout,
        HTTPVersionNotSupported,
    )
}


class Aborter:
    """Raise the HTTP error for a status code: ``aborter(404)``.

    ``mapping`` replaces :data:`default_exceptions`; ``extra`` adds to it. Called with a
    response object instead of a code, it raises an :class:`HTTPException` carrying it.
    """

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra is not None:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        """Raise the exception registered for ``code`` with the given arguments."""
        if not isinstance(code, int):
            raise HTTPException(response=code)
        cls = self.mapping.get(code)
        if cls is None:
            raise LookupError(
                f"no exception for {code!r}; pass one of the registered codes or add a class"
                " for it through Aborter(extra={code: cls})."
            )
        raise cls(*args, **kwargs)


_aborter = Aborter()


def abort(status: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error for ``status`` (or one wrapping a response object)."""
    _aborter(status, *args, **kwargs)

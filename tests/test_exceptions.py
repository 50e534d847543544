"""HTTP exceptions: codes, names, pages, extra headers, ``abort`` and the WSGI response."""

from __future__ import annotations

import html
import typing as t
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import exceptions as ex

ALL_CLASSES: list[tuple[type[ex.HTTPException], int, str]] = [
    (ex.BadRequest, 400, "Bad Request"),
    (ex.BadRequestKeyError, 400, "Bad Request"),
    (ex.ClientDisconnected, 400, "Bad Request"),
    (ex.SecurityError, 400, "Bad Request"),
    (ex.BadHost, 400, "Bad Request"),
    (ex.Unauthorized, 401, "Unauthorized"),
    (ex.Forbidden, 403, "Forbidden"),
    (ex.NotFound, 404, "Not Found"),
    (ex.MethodNotAllowed, 405, "Method Not Allowed"),
    (ex.NotAcceptable, 406, "Not Acceptable"),
    (ex.RequestTimeout, 408, "Request Timeout"),
    (ex.Conflict, 409, "Conflict"),
    (ex.Gone, 410, "Gone"),
    (ex.LengthRequired, 411, "Length Required"),
    (ex.PreconditionFailed, 412, "Precondition Failed"),
    (ex.RequestEntityTooLarge, 413, "Request Entity Too Large"),
    (ex.RequestURITooLarge, 414, "Request URI Too Large"),
    (ex.UnsupportedMediaType, 415, "Unsupported Media Type"),
    (ex.RequestedRangeNotSatisfiable, 416, "Requested Range Not Satisfiable"),
    (ex.ExpectationFailed, 417, "Expectation Failed"),
    (ex.ImATeapot, 418, "I'm a teapot"),
    (ex.MisdirectedRequest, 421, "Misdirected Request"),
    (ex.UnprocessableEntity, 422, "Unprocessable Entity"),
    (ex.Locked, 423, "Locked"),
    (ex.FailedDependency, 424, "Failed Dependency"),
    (ex.PreconditionRequired, 428, "Precondition Required"),
    (ex.TooManyRequests, 429, "Too Many Requests"),
    (ex.RequestHeaderFieldsTooLarge, 431, "Request Header Fields Too Large"),
    (ex.UnavailableForLegalReasons, 451, "Unavailable For Legal Reasons"),
    (ex.InternalServerError, 500, "Internal Server Error"),
    (ex.NotImplemented, 501, "Not Implemented"),
    (ex.BadGateway, 502, "Bad Gateway"),
    (ex.ServiceUnavailable, 503, "Service Unavailable"),
    (ex.GatewayTimeout, 504, "Gateway Timeout"),
    (ex.HTTPVersionNotSupported, 505, "HTTP Version Not Supported"),
]

HTML_HEADER = ("Content-Type", "text/html; charset=utf-8")


@pytest.mark.parametrize(("cls", "code", "name"), ALL_CLASSES)
def test_code_name_and_page(cls: type[ex.HTTPException], code: int, name: str) -> None:
    e = cls()
    assert isinstance(e, ex.HTTPException)
    assert e.code == code
    assert e.name == name
    assert isinstance(e.description, str)
    assert e.description
    assert e.response is None
    assert e.get_headers() == [HTML_HEADER]
    escaped = html.escape(name)
    assert e.get_body() == (
        f"<!doctype html>\n<html lang=en>\n<title>{code} {escaped}</title>\n"
        f"<h1>{escaped}</h1>\n<p>{html.escape(e.description)}</p>\n"
    )
    assert repr(e) == f"<{cls.__name__} '{code}: {name}'>"
    if cls is not ex.BadRequestKeyError:
        assert str(e) == f"{code} {name}: {e.description}"


@pytest.mark.parametrize(("cls", "code", "name"), ALL_CLASSES)
def test_get_response_is_the_page_with_its_headers(
    cls: type[ex.HTTPException], code: int, name: str
) -> None:
    # The base class's headers are made by the constructor directly (PERF); the answer is
    # the one the header list would give.
    from erlen.wrappers import Response

    e = cls()
    rv = e.get_response()
    general = Response(e.get_body(), code, e.get_headers())
    assert (rv.status, rv.headers.to_wsgi_list(), rv.get_data()) == (
        general.status,
        general.headers.to_wsgi_list(),
        general.get_data(),
    )


def test_every_part_of_the_page_can_still_be_changed() -> None:
    # A class's own page is kept once made (PERF); each way of changing it still shows.
    class Gone(ex.NotFound):
        description = "Gone for good."

    class Named(ex.NotFound):
        @property
        def name(self) -> str:
            return "Nowhere <here>"

    class Described(ex.NotFound):
        def get_description(self, environ: t.Any = None, scope: t.Any = None) -> str:
            return "<p>custom</p>"

    class Headed(ex.NotFound):
        def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[t.Any]:
            return [("Content-Type", "text/plain"), ("X-Why", "test")]

    plain = ex.NotFound().get_body()
    assert ex.NotFound().get_body() == plain
    assert "Gone for good." in Gone().get_body()
    assert "Gone for good." not in ex.NotFound().get_body()
    assert "<h1>Nowhere &lt;here&gt;</h1>" in Named().get_body()
    assert "<p>custom</p>" in Described().get_body()
    assert "<p>Not here &amp; not there</p>" in ex.NotFound("Not here & not there").get_body()
    e = ex.NotFound()
    e.code = 410
    assert "<title>410 Gone</title>" in e.get_body()
    e = ex.NotFound()
    e.description = "Set after."
    assert "Set after." in e.get_body()
    assert ex.NotFound().get_body() == plain
    rv = Headed().get_response()
    assert rv.headers.to_wsgi_list()[:2] == [("Content-Type", "text/plain"), ("X-Why", "test")]

    class Teapot(ex.HTTPException):
        description = "Short and stout."

        @property
        def code(self) -> int:  # type: ignore[override]
            return 418

    assert "<title>418 I&#x27;m a teapot</title>" in Teapot().get_body()
    e = ex.NotFound()
    e.get_description = lambda environ=None, scope=None: "<p>on the instance</p>"  # type: ignore[method-assign]
    assert "<p>on the instance</p>" in e.get_body()
    e = ex.NotFound()
    e.get_headers = lambda environ=None, scope=None: [("Content-Type", "text/plain")]  # type: ignore[method-assign]
    assert e.get_response().headers["Content-Type"] == "text/plain"


@pytest.mark.parametrize(("cls", "code", "name"), ALL_CLASSES)
def test_default_exceptions_holds_the_base_class(
    cls: type[ex.HTTPException], code: int, name: str
) -> None:
    base = ex.default_exceptions[code]
    assert issubclass(cls, base)
    assert base.code == code


def test_default_exceptions_has_only_base_classes() -> None:
    assert ex.default_exceptions[400] is ex.BadRequest
    assert len(ex.default_exceptions) == len({code for _, code, _ in ALL_CLASSES})
    assert all(code == cls.code for code, cls in ex.default_exceptions.items())


def test_not_found_page_exactly() -> None:
    e = ex.NotFound("No such page.")
    assert e.get_body() == (
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
        "<h1>Not Found</h1>\n<p>No such page.</p>\n"
    )
    assert str(e) == "404 Not Found: No such page."
    assert repr(e) == "<NotFound '404: Not Found'>"


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("a \"quoted\" & 'single'", "<p>a &quot;quoted&quot; &amp; &#x27;single&#x27;</p>"),
        ("line one\nline two", "<p>line one<br>line two</p>"),
        ("header\r\nInjected: yes", "<p>header\r<br>Injected: yes</p>"),
        ("", "<p></p>"),
        ("ünïcödé ✓", "<p>ünïcödé ✓</p>"),
    ],
)
def test_description_is_escaped(description: str, expected: str) -> None:
    e = ex.BadRequest(description)
    assert e.description == description
    assert e.get_description() == expected
    assert e.get_body().endswith(f"<h1>Bad Request</h1>\n{expected}\n")


@given(st.text())
def test_description_round_trips_through_escaping(text: str) -> None:
    rendered = ex.Forbidden(text).get_description()
    assert rendered.startswith("<p>")
    assert rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert "<" not in inner.replace("<br>", "")
    assert html.unescape(inner.replace("<br>", "\n")) == text


def test_description_none_gives_empty_paragraph() -> None:
    e: ex.HTTPException = ex.NotFound()
    e.description = None
    assert e.get_description() == "<p></p>"
    assert str(e) == "404 Not Found: None"


def test_instance_description_does_not_change_the_class() -> None:
    default = ex.NotFound.description
    e = ex.NotFound("custom")
    assert e.description == "custom"
    assert ex.NotFound.description == default
    assert ex.NotFound().description == default


def test_code_none_is_an_unknown_error() -> None:
    e = ex.HTTPException("odd")
    assert e.code is None
    assert e.name == "Unknown Error"
    assert str(e) == "??? Unknown Error: odd"
    assert repr(e) == "<HTTPException '???: Unknown Error'>"


def test_unlisted_code_uses_python_phrase_or_unknown() -> None:
    class Teapot2(ex.HTTPException):
        code = 425

    class Weird(ex.HTTPException):
        code = 599

    assert Teapot2().name == "Too Early"
    assert Weird().name == "Unknown Error"
    assert "<title>599 Unknown Error</title>" in Weird().get_body()


def test_subclass_name_is_escaped_in_the_page() -> None:
    class Odd(ex.HTTPException):
        code = 499

        @property
        def name(self) -> str:
            return "<b>Odd</b>"

    body = Odd().get_body()
    assert "<b>" not in body
    assert "<h1>&lt;b&gt;Odd&lt;/b&gt;</h1>" in body


# -- 401 -------------------------------------------------------------------------------------------


class _Challenge:
    def __str__(self) -> str:
        return 'Basic realm="erlen"'


@pytest.mark.parametrize(
    ("www_authenticate", "expected"),
    [
        (None, []),
        ([], []),
        ('Bearer realm="api"', ['Bearer realm="api"']),
        (_Challenge(), ['Basic realm="erlen"']),
        (["Basic", 'Bearer error="invalid_token"'], ["Basic", 'Bearer error="invalid_token"']),
        (("Digest a=1",), ["Digest a=1"]),
    ],
)
def test_unauthorized_www_authenticate(www_authenticate: t.Any, expected: list[str]) -> None:
    e = ex.Unauthorized(www_authenticate=www_authenticate)
    assert e.get_headers() == [HTML_HEADER] + [("WWW-Authenticate", v) for v in expected]


def test_unauthorized_positional_arguments() -> None:
    e = ex.Unauthorized("sign in", None, "Basic")
    assert e.description == "sign in"
    assert e.www_authenticate == ("Basic",)


# -- 405 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_methods", "allow"),
    [
        (["GET", "HEAD"], "GET, HEAD"),
        (("POST",), "POST"),
        ({"PUT"}, "PUT"),
        (None, None),
        ([], None),
    ],
)
def test_method_not_allowed_allow_header(valid_methods: t.Any, allow: str | None) -> None:
    headers = ex.MethodNotAllowed(valid_methods).get_headers()
    if allow is None:
        assert headers == [HTML_HEADER]
    else:
        assert headers == [HTML_HEADER, ("Allow", allow)]


def test_method_not_allowed_keeps_description() -> None:
    e = ex.MethodNotAllowed(["GET"], "use GET")
    assert e.valid_methods == ["GET"]
    assert e.description == "use GET"


# -- 416 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "content_range"),
    [
        ({"length": 1234}, "bytes */1234"),
        ({"length": 0}, "bytes */0"),
        ({"length": 10, "units": "items"}, "items */10"),
        ({}, None),
    ],
)
def test_range_not_satisfiable_content_range(
    kwargs: dict[str, t.Any], content_range: str | None
) -> None:
    headers = ex.RequestedRangeNotSatisfiable(**kwargs).get_headers()
    if content_range is None:
        assert headers == [HTML_HEADER]
    else:
        assert headers == [HTML_HEADER, ("Content-Range", content_range)]


# -- Retry-After -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [ex.TooManyRequests, ex.ServiceUnavailable])
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (120, "120"),
        (0, "0"),
        (datetime(2025, 3, 4, 5, 6, 7), "Tue, 04 Mar 2025 05:06:07 GMT"),
        (datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC), "Tue, 04 Mar 2025 05:06:07 GMT"),
        (
            datetime(2025, 3, 4, 7, 6, 7, tzinfo=timezone(timedelta(hours=2))),
            "Tue, 04 Mar 2025 05:06:07 GMT",
        ),
        (None, None),
    ],
)
def test_retry_after(
    cls: type[ex.TooManyRequests | ex.ServiceUnavailable],
    retry_after: datetime | int | None,
    expected: str | None,
) -> None:
    e = cls(retry_after=retry_after)
    assert e.retry_after == retry_after
    if expected is None:
        assert e.get_headers() == [HTML_HEADER]
    else:
        assert e.get_headers() == [HTML_HEADER, ("Retry-After", expected)]


def test_retry_after_refuses_text() -> None:
    # A string could carry CR/LF into the header; only numbers and datetimes are accepted.
    e = ex.ServiceUnavailable(retry_after="1\r\nX-Evil: 1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        e.get_headers()


# -- 500 -------------------------------------------------------------------------------------------


def test_internal_server_error_original_exception() -> None:
    assert ex.InternalServerError().original_exception is None
    cause = ZeroDivisionError("boom")
    e = ex.InternalServerError(original_exception=cause)
    assert e.original_exception is cause
    assert e.description == ex.InternalServerError.description
    assert "boom" not in e.get_body()


# -- BadRequestKeyError ----------------------------------------------------------------------------


def test_bad_request_key_error_is_a_key_error() -> None:
    with pytest.raises(KeyError) as info:
        raise ex.BadRequestKeyError("name")
    e = info.value
    assert isinstance(e, ex.BadRequest)
    assert e.args[0] == "name"
    assert str(e) == "'name'"
    assert e.code == 400


def test_bad_request_key_error_without_key() -> None:
    e = ex.BadRequestKeyError()
    assert e.args == ()
    assert str(e) == ""


def test_bad_request_key_error_hides_key_by_default() -> None:
    e = ex.BadRequestKeyError("secret_field")
    assert e.description == ex.BadRequest.description
    assert "secret_field" not in e.get_body()


def test_bad_request_key_error_show_exception_on_instance() -> None:
    e = ex.BadRequestKeyError("x")
    e.show_exception = True
    assert e.description == f"{ex.BadRequest.description} KeyError: 'x'"
    assert "KeyError: &#x27;x&#x27;" in e.get_body()
    assert ex.BadRequestKeyError("y").show_exception is False


def test_bad_request_key_error_show_exception_on_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex.BadRequestKeyError, "show_exception", True)
    assert ex.BadRequestKeyError("<k>").description == (
        f"{ex.BadRequest.description} KeyError: '<k>'"
    )
    assert "&lt;k&gt;" in ex.BadRequestKeyError("<k>").get_body()


def test_bad_request_key_error_custom_description() -> None:
    e = ex.BadRequestKeyError("x", "Missing field x.")
    assert e.description == "Missing field x."
    e.show_exception = True
    assert e.description == "Missing field x. KeyError: 'x'"
    e.description = "changed"
    assert e.description == "changed KeyError: 'x'"


# -- Aborter and abort ----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "cls"), sorted(ex.default_exceptions.items()))
def test_abort_raises_the_class_for_each_code(code: int, cls: type[ex.HTTPException]) -> None:
    with pytest.raises(cls) as info:
        ex.abort(code)
    assert type(info.value) is cls


def test_abort_passes_arguments() -> None:
    with pytest.raises(ex.NotFound) as info:
        ex.abort(404, "gone fishing")
    assert info.value.description == "gone fishing"
    with pytest.raises(ex.MethodNotAllowed) as info2:
        ex.abort(405, valid_methods=["GET"])
    assert ("Allow", "GET") in info2.value.get_headers()


@pytest.mark.parametrize("code", [999, 200, 302, -1, 0])
def test_abort_unknown_code(code: int) -> None:
    with pytest.raises(LookupError, match=f"no exception for {code}"):
        ex.abort(code)


def test_abort_with_a_response_object() -> None:
    response = object()
    with pytest.raises(ex.HTTPException) as info:
        ex.abort(response)  # type: ignore[arg-type]
    assert type(info.value) is ex.HTTPException
    assert info.value.response is response
    assert info.value.get_response() is response


def test_aborter_mapping_and_extra() -> None:
    class Custom(ex.HTTPException):
        code = 499

    aborter = ex.Aborter(extra={499: Custom})
    with pytest.raises(Custom):
        aborter(499)
    with pytest.raises(ex.NotFound):
        aborter(404)
    assert 499 not in ex.default_exceptions

    only = ex.Aborter(mapping={499: Custom})
    with pytest.raises(LookupError):
        only(404)
    with pytest.raises(Custom):
        only(499)


def test_aborter_copies_its_mapping() -> None:
    mapping: dict[int, type[ex.HTTPException]] = {404: ex.NotFound}
    aborter = ex.Aborter(mapping)
    mapping[410] = ex.Gone
    with pytest.raises(LookupError):
        aborter(410)


# -- responses -------------------------------------------------------------------------------------


class _FakeResponse:
    def __init__(self) -> None:
        self.calls: list[t.Any] = []

    def __call__(self, environ: t.Any, start_response: t.Any) -> list[bytes]:
        self.calls.append(environ)
        start_response("418 I'M A TEAPOT", [])
        return [b"tea"]


def test_call_with_a_given_response_uses_it() -> None:
    fake = _FakeResponse()
    e = ex.ImATeapot(response=fake)  # type: ignore[arg-type]
    environ: dict[str, t.Any] = {"REQUEST_METHOD": "GET"}
    statuses: list[str] = []

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        statuses.append(status)

    body = e(environ, start_response)
    assert list(body) == [b"tea"]
    assert fake.calls == [environ]
    assert statuses == ["418 I'M A TEAPOT"]


def _environ() -> dict[str, t.Any]:
    import io
    import sys

    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/missing",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _run(app: t.Any) -> tuple[str, list[tuple[str, str]], bytes]:
    from wsgiref.validate import validator

    captured: list[t.Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        captured[:] = [status, headers]
        return lambda data: None

    app_iter: t.Any = validator(app)(_environ(), start_response)
    try:
        body = b"".join(app_iter)
    finally:
        app_iter.close()
    return captured[0], captured[1], body


@pytest.mark.parametrize(("cls", "code", "name"), ALL_CLASSES)
def test_wsgi_call_serves_the_page(cls: type[ex.HTTPException], code: int, name: str) -> None:
    e = cls()
    status, headers, body = _run(e)
    assert status.startswith(f"{code} ")
    assert ("Content-Type", "text/html; charset=utf-8") in headers
    assert body == e.get_body().encode()


def test_get_response_carries_extra_headers() -> None:
    response = ex.MethodNotAllowed(["GET", "HEAD"]).get_response()
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.get_data() == ex.MethodNotAllowed().get_body().encode()

    status, headers, _ = _run(ex.TooManyRequests(retry_after=30))
    assert status.startswith("429 ")
    assert ("Retry-After", "30") in headers


def test_get_response_accepts_a_request_like_object() -> None:
    class FakeRequest:
        environ = _environ()

    response = ex.Gone().get_response(FakeRequest())
    assert response.status_code == 410


def test_get_response_escapes_hostile_description() -> None:
    _, _, body = _run(ex.NotFound("<script>alert('x')</script>"))
    assert b"<script>" not in body
    assert b"&lt;script&gt;" in body

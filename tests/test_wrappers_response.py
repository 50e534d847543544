"""The response object: status, headers, cookies, bodies, and what reaches WSGI."""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest

from erlen import Erlen, Response

from .conftest import call_wsgi, raw_environ


def run(resp: Response, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    return call_wsgi(resp, raw_environ(REQUEST_METHOD=method))


def test_defaults() -> None:
    resp = Response()
    assert resp.status_code == 200
    assert resp.status == "200 OK"
    assert resp.mimetype == "text/html"
    assert resp.content_type == "text/html; charset=utf-8"
    assert resp.data == b""


@pytest.mark.parametrize(
    ("status", "code", "line"),
    [
        (201, 201, "201 CREATED"),
        ("404 NOT FOUND", 404, "404 NOT FOUND"),
        ("299 Custom Thing", 299, "299 Custom Thing"),
        (HTTPStatus.NO_CONTENT, 204, "204 NO CONTENT"),
        ("418", 418, "418 I'M A TEAPOT"),
        (999, 999, "999 UNKNOWN"),
    ],
)
def test_status_forms(status: t.Any, code: int, line: str) -> None:
    resp = Response(status=status)
    assert resp.status_code == code
    assert resp.status.upper() == line.upper()


@pytest.mark.parametrize("bad", ["", "abc", "OK 200", None.__class__])
def test_bad_status(bad: t.Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        Response(status=bad)


def test_status_code_setter_updates_status() -> None:
    resp = Response()
    resp.status_code = 404
    assert resp.status == "404 NOT FOUND"


@pytest.mark.parametrize(
    ("mimetype", "content_type"),
    [
        ("text/plain", "text/plain; charset=utf-8"),
        ("application/json", "application/json"),
        ("application/xml", "application/xml; charset=utf-8"),
        ("image/png", "image/png"),
    ],
)
def test_charset_added_for_text_types(mimetype: str, content_type: str) -> None:
    assert Response("x", mimetype=mimetype).content_type == content_type


def test_explicit_content_type_is_kept() -> None:
    resp = Response("x", content_type="text/csv; charset=latin-1")
    assert resp.content_type == "text/csv; charset=latin-1"
    assert resp.mimetype == "text/csv"
    assert resp.mimetype_params == {"charset": "latin-1"}


def test_content_length_set_for_sequences() -> None:
    _status, headers, body = run(Response("héllo"))
    assert dict(headers)["Content-Length"] == str(len("héllo".encode()))
    assert body == "héllo".encode()


def test_streamed_body_has_no_content_length() -> None:
    def gen() -> t.Iterator[str]:
        yield "a"
        yield "b"

    resp = Response(gen())
    assert resp.is_streamed
    _status, headers, body = run(resp)
    assert "Content-Length" not in dict(headers)
    assert body == b"ab"


@pytest.mark.parametrize(("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304)])
def test_no_body_for_head_204_304(method: str, status: int) -> None:
    resp = Response("content", status=status)
    _status, headers, body = run(resp, method)
    assert body == b""
    if status == 204:
        assert "Content-Length" not in dict(headers)
    if status == 304:  # RFC 9110 8.6: it may tell the length the 200 would have had
        assert dict(headers)["Content-Length"] == "7"


def test_no_body_for_1xx() -> None:
    _status, _headers, body = run(Response("x", status=103))
    assert body == b""


def test_set_data_and_get_data() -> None:
    resp = Response()
    resp.set_data("text")
    assert resp.get_data() == b"text"
    assert resp.get_data(as_text=True) == "text"
    assert resp.content_length == 4
    resp.data = b"bytes"
    assert resp.data == b"bytes"


def test_call_on_close_runs_when_iterable_closed() -> None:
    closed: list[bool] = []
    resp = Response("x")
    resp.call_on_close(lambda: closed.append(True))
    run(resp)
    assert closed == [True]


def test_context_manager_closes() -> None:
    closed: list[bool] = []
    with Response("x") as resp:
        resp.call_on_close(lambda: closed.append(True))
    assert closed == [True]


def test_location_stays_relative() -> None:
    resp = Response(status=302, headers={"Location": "/next"})
    _status, headers, _body = run(resp)
    assert dict(headers)["Location"] == "/next"


def test_header_injection_refused() -> None:
    resp = Response()
    with pytest.raises(ValueError, match="newline"):
        resp.headers["X-Evil"] = "a\r\nSet-Cookie: x=1"
    with pytest.raises(ValueError, match="newline"):
        Response(headers={"X-Evil": "a\nb"})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["k=v", "Path=/"]),
        ({"max_age": 60}, ["Max-Age=60", "Expires="]),
        ({"max_age": timedelta(minutes=1)}, ["Max-Age=60"]),
        ({"domain": "example.test"}, ["Domain=example.test"]),
        ({"secure": True, "httponly": True}, ["Secure", "HttpOnly"]),
        ({"samesite": "Lax"}, ["SameSite=Lax"]),
        ({"samesite": "strict"}, ["SameSite=Strict"]),
        ({"partitioned": True}, ["Partitioned", "Secure"]),
        ({"path": "/sub"}, ["Path=/sub"]),
        ({"expires": datetime(2030, 1, 1, tzinfo=UTC)}, ["Expires=Tue, 01 Jan 2030"]),
    ],
)
def test_set_cookie_flags(kwargs: dict[str, t.Any], expected: list[str]) -> None:
    resp = Response()
    resp.set_cookie("k", "v", **kwargs)
    header = resp.headers["Set-Cookie"]
    for part in expected:
        assert part in header


def test_set_cookie_bad_samesite() -> None:
    with pytest.raises(ValueError, match="SameSite"):
        Response().set_cookie("k", "v", samesite="Sometimes")


def test_delete_cookie_keeps_flags() -> None:
    resp = Response()
    resp.delete_cookie("k", path="/p", domain="d.test", secure=True, samesite="None")
    header = resp.headers["Set-Cookie"]
    for part in (
        "k=",
        "Max-Age=0",
        "Expires=Thu, 01 Jan 1970",
        "Path=/p",
        "Secure",
        "SameSite=None",
    ):
        assert part in header


def test_cookie_size_warning(app: Erlen) -> None:
    with app.app_context():
        with pytest.warns(UserWarning, match="4093"):
            Response().set_cookie("big", "x" * 5000)
        app.config["MAX_COOKIE_SIZE"] = 0
        Response().set_cookie("big", "x" * 5000)  # 0 disables the check


def test_header_properties() -> None:
    resp = Response()
    resp.content_language.add("en")
    resp.vary.add("Cookie")
    resp.vary.add("Accept")
    resp.allow.update(["GET", "POST"])
    resp.cache_control.max_age = 60
    resp.cache_control.public = True
    resp.expires = datetime(2030, 1, 1, tzinfo=UTC)
    resp.last_modified = datetime(2020, 1, 1, tzinfo=UTC)
    resp.age = timedelta(seconds=5)
    resp.retry_after = 120
    resp.content_location = "/here"
    assert resp.headers["Vary"] == "Cookie, Accept"
    assert resp.headers["Allow"] == "GET, POST"
    assert "max-age=60" in resp.headers["Cache-Control"]
    assert "public" in resp.headers["Cache-Control"]
    assert resp.headers["Expires"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert resp.last_modified == datetime(2020, 1, 1, tzinfo=UTC)
    assert resp.headers["Age"] == "5"
    assert resp.headers["Retry-After"] == "120"
    assert resp.content_location == "/here"
    resp.expires = None
    assert "Expires" not in resp.headers


def test_mimetype_params_write_back() -> None:
    resp = Response(mimetype="text/plain")
    resp.mimetype_params["charset"] = "latin-1"
    assert resp.headers["Content-Type"] == "text/plain; charset=latin-1"


def test_headers_list_or_dict_in_constructor() -> None:
    resp = Response(headers=[("X-A", "1"), ("X-A", "2")])
    assert resp.headers.getlist("X-A") == ["1", "2"]


def test_force_type_from_wsgi_app() -> None:
    def wsgi(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-W", "1")])
        return [b"made"]

    resp = Response.force_type(wsgi, raw_environ())
    assert (resp.status_code, resp.data, resp.headers["X-W"]) == (201, b"made", "1")


def test_stream_writes() -> None:
    resp = Response()
    resp.stream.write("a")
    resp.stream.write(b"b")
    assert resp.data == b"ab"


def test_json_property() -> None:
    resp = Response('{"a": 1}', mimetype="application/json")
    assert resp.is_json
    assert resp.json == {"a": 1}
    assert Response("x").get_json(silent=True) is None


def test_bytes_body_is_not_copied() -> None:
    body = b"payload"
    resp = Response(body)
    assert resp.response == [body]
    assert resp.is_sequence


def test_www_authenticate_writes_back() -> None:
    resp = Response()
    assert "WWW-Authenticate" not in resp.headers
    challenge = resp.www_authenticate
    assert challenge.type == "basic"
    challenge.realm = "api"
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="api"'
    resp.www_authenticate.parameters["charset"] = "UTF-8"
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="api", charset="UTF-8"'
    resp.headers.add("WWW-Authenticate", 'Bearer realm="other"')
    resp.www_authenticate.realm = "changed"
    assert resp.headers.getlist("WWW-Authenticate") == [
        'Basic realm="changed", charset="UTF-8"',
        'Bearer realm="other"',
    ]
    resp.www_authenticate.type = "digest"
    assert resp.headers.getlist("WWW-Authenticate")[0].startswith("Digest ")


@pytest.mark.parametrize("status", [101, 204, 304])
def test_no_content_type_without_content(status: int) -> None:
    _status, headers, body = run(Response("", status=status))
    assert body == b""
    assert "Content-Type" not in dict(headers)


def test_a_view_returning_204_passes_the_wsgi_validator(app: Erlen, client: t.Any) -> None:
    app.add_url_rule("/gone", "gone", lambda: ("", 204), methods=["DELETE"])
    rv = client.delete("/gone")  # the suite's client runs every request through wsgiref.validate
    assert rv.status_code == 204
    assert "Content-Type" not in rv.headers

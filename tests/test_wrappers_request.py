"""The request object: URL parts, headers, arguments, bodies, JSON and bad input."""

from __future__ import annotations

import io
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import Erlen, Request, request
from erlen.datastructures import ImmutableMultiDict
from erlen.exceptions import (
    BadRequest,
    BadRequestKeyError,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from .conftest import call_wsgi, raw_environ


def make(*args: t.Any, **kwargs: t.Any) -> Request:
    return Request.from_values(*args, **kwargs)


def test_url_attributes() -> None:
    req = make(
        "/sub/p%20a?x=1&y=%C3%A9",
        base_url="https://example.test:8443/root/",
        headers={"X-Test": "v"},
    )
    assert req.method == "GET"
    assert req.scheme == "https"
    assert req.is_secure
    assert req.host == "example.test:8443"
    assert req.root_path == "/root"
    assert req.script_root == "/root"
    assert req.path == "/sub/p a"
    assert req.full_path == "/sub/p a?x=1&y=%C3%A9"  # the decoded path, as in Flask
    assert req.query_string == b"x=1&y=%C3%A9"
    assert req.url == "https://example.test:8443/root/sub/p%20a?x=1&y=%C3%A9"
    assert req.base_url == "https://example.test:8443/root/sub/p%20a"
    assert req.url_root == req.root_url == "https://example.test:8443/root/"
    assert req.host_url == "https://example.test:8443/"
    assert req.server == ("example.test", 8443)
    assert req.args["y"] == "é"


def test_default_port_is_dropped_from_host() -> None:
    assert make("/", base_url="http://h.test:80/").host == "h.test"
    assert make("/", base_url="https://h.test:443/").host == "h.test"


def test_args_are_immutable_multidict() -> None:
    req = make("/?a=1&a=2&b=")
    assert isinstance(req.args, ImmutableMultiDict)
    assert req.args.getlist("a") == ["1", "2"]
    assert req.args["b"] == ""
    assert req.args.get("a", type=int) == 1
    with pytest.raises(TypeError):
        req.args["c"] = "x"


def test_missing_key_is_bad_request_key_error() -> None:
    req = make("/")
    with pytest.raises(BadRequestKeyError) as info:
        req.args["nope"]
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, BadRequest)
    assert info.value.code == 400


def test_headers_case_insensitive() -> None:
    req = make("/", headers={"X-Custom": "a", "Content-Type": "text/plain"})
    assert req.headers["x-custom"] == "a"
    assert req.headers["X-CUSTOM"] == "a"
    assert req.headers["content-type"] == "text/plain"
    assert req.content_type == "text/plain"
    assert req.mimetype == "text/plain"
    assert req.headers.get("missing") is None


def test_client_attributes() -> None:
    req = make(
        "/",
        environ_base={"REMOTE_ADDR": "10.0.0.1", "REMOTE_USER": "u"},
        headers={
            "User-Agent": "TestAgent/1.0",
            "X-Forwarded-For": "1.1.1.1, 2.2.2.2",
            "Origin": "https://o.test",
            "Referer": "https://r.test/",
        },
    )
    assert req.remote_addr == "10.0.0.1"
    assert req.remote_user == "u"
    assert req.user_agent.string == "TestAgent/1.0"
    assert list(req.access_route) == ["1.1.1.1", "2.2.2.2"]
    assert req.origin == "https://o.test"
    assert req.referrer == "https://r.test/"


def test_authorization_basic() -> None:
    req = make("/", auth=("ada", "s3cret:x"))
    assert req.authorization is not None
    assert req.authorization.type == "basic"
    assert req.authorization.username == "ada"
    assert req.authorization.password == "s3cret:x"


def test_accept_negotiation() -> None:
    req = make(
        "/",
        headers={
            "Accept": "text/html;q=0.9, application/json",
            "Accept-Language": "en-US, de;q=0.5",
        },
    )
    assert req.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )
    assert req.accept_mimetypes.accept_json
    assert req.accept_languages.best_match(["en", "de"]) == "en"


def test_conditional_headers() -> None:
    req = make(
        "/",
        headers={
            "If-None-Match": '"a", W/"b"',
            "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT",
            "Range": "bytes=0-9",
        },
    )
    assert "a" in req.if_none_match
    assert req.if_modified_since is not None
    assert req.if_modified_since.year == 1994
    assert req.range is not None
    assert req.range.ranges == [(0, 10)]


def test_values_excludes_form_on_get() -> None:
    get = make("/?a=1", method="GET", data={"b": "2"})
    assert "b" not in get.values
    post = make("/?a=1", method="POST", data={"b": "2"})
    assert post.values["a"] == "1"
    assert post.values["b"] == "2"


def test_urlencoded_form() -> None:
    req = make("/", method="POST", data={"name": "ada", "tags": ["x", "y"]})
    assert req.form["name"] == "ada"
    assert req.form.getlist("tags") == ["x", "y"]
    assert not req.files


def test_get_data_and_stream() -> None:
    req = make("/", method="POST", data=b"raw body", content_type="application/octet-stream")
    assert req.get_data() == b"raw body"
    assert req.data == b"raw body"
    assert req.get_data(as_text=True) == "raw body"
    fresh = make("/", method="POST", data=b"streamed")
    assert fresh.stream.read(100) == b"streamed"


def test_cookies() -> None:
    req = make("/", headers={"Cookie": 'a=1; b="x y"; =nameless; a=2'})
    assert req.cookies["a"] == "1"
    assert req.cookies.getlist("a") == ["1", "2"]
    assert req.cookies["b"] == "x y"
    assert "" not in req.cookies


def test_json() -> None:
    req = make("/", method="POST", json={"a": [1, 2]})
    assert req.is_json
    assert req.json == {"a": [1, 2]}
    assert req.get_json() is req.get_json()


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/vnd.api+json", "application/json; charset=utf-8"],
)
def test_is_json(content_type: str) -> None:
    assert make("/", content_type=content_type).is_json


def test_json_wrong_content_type_is_415(app: Erlen) -> None:
    with app.test_request_context("/", method="POST", data="{}", content_type="text/plain"):
        with pytest.raises(UnsupportedMediaType) as info:
            request.get_json()
        assert info.value.code == 415
        assert request.get_json(silent=True) is None
        assert request.get_json(force=True) == {}


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\x00", b'"\xc3\x28"', b"[" * 100_000, b""],
)
def test_bad_json_is_400_and_silent_is_none(app: Erlen, body: bytes) -> None:
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        assert request.get_json(silent=True) is None
        with pytest.raises(BadRequest) as info:
            request.get_json()
        assert info.value.code == 400


def test_bad_json_message_hidden_unless_debug(app: Erlen) -> None:
    app.add_url_rule("/", "v", lambda: str(request.get_json()), methods=["POST"])
    client = app.test_client()
    rv = client.post("/", data="{oops", content_type="application/json")
    assert rv.status_code == 400
    assert b"Expecting" not in rv.data
    app.debug = True
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    rv = client.post("/", data="{oops", content_type="application/json")
    assert b"Expecting" in rv.data


def test_json_cache_separate_for_silent(app: Erlen) -> None:
    with app.test_request_context("/", method="POST", data="{x", content_type="application/json"):
        assert request.get_json(silent=True) is None
        with pytest.raises(BadRequest):
            request.get_json()


def test_on_json_loading_failed_override(app: Erlen) -> None:
    class MyRequest(Request):
        def on_json_loading_failed(self, e: Exception | None) -> t.Any:
            return {"fallback": True}

    app.request_class = MyRequest
    with app.test_request_context("/", method="POST", data="{x", content_type="application/json"):
        assert request.get_json() == {"fallback": True}


def test_max_content_length_per_request(app: Erlen) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    with app.test_request_context("/", method="POST", data=b"x" * 11):
        assert request.max_content_length == 10
        with pytest.raises(RequestEntityTooLarge):
            request.get_data()
    with app.test_request_context("/", method="POST", data=b"x" * 11):
        request.max_content_length = 100
        assert request.get_data() == b"x" * 11


def test_body_without_length_is_not_read() -> None:
    environ = raw_environ(REQUEST_METHOD="POST", **{"wsgi.input": io.BytesIO(b"secret")})
    assert Request(environ).get_data() == b""
    environ["wsgi.input"] = io.BytesIO(b"secret")
    environ["wsgi.input_terminated"] = True
    assert Request(environ).get_data() == b"secret"


def test_form_memory_limit(app: Erlen) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 10
    with (
        app.test_request_context("/", method="POST", data={"a": "x" * 50}),
        pytest.raises(RequestEntityTooLarge),
    ):
        request.form  # noqa: B018


def test_form_parts_limit(app: Erlen) -> None:
    app.config["MAX_FORM_PARTS"] = 3
    with (
        app.test_request_context(
            "/",
            method="POST",
            data="a=1&b=2&c=3&d=4",
            content_type="application/x-www-form-urlencoded",
        ),
        pytest.raises(RequestEntityTooLarge),
    ):
        request.form  # noqa: B018


def test_invalid_utf8_in_form_is_400(app: Erlen) -> None:
    with (
        app.test_request_context(
            "/", method="POST", data=b"a=%ff%fe", content_type="application/x-www-form-urlencoded"
        ),
        pytest.raises(BadRequest),
    ):
        request.form  # noqa: B018


def test_close_and_context_manager() -> None:
    with make("/", method="POST", data={"a": "1"}) as req:
        assert req.form["a"] == "1"


def test_request_application_decorator() -> None:
    @Request.application
    def app(req: Request) -> t.Any:
        from erlen import Response

        return Response(f"hi {req.args['n']}", mimetype="text/plain")

    status, _headers, body = call_wsgi(app, raw_environ(QUERY_STRING="n=x"))
    assert (status, body) == ("200 OK", b"hi x")


def test_endpoint_and_view_args(app: Erlen) -> None:
    @app.route("/u/<int:uid>")
    def user(uid: int) -> str:
        assert request.url_rule is not None
        return f"{request.endpoint} {request.view_args} {request.blueprint} {request.blueprints}"

    assert app.test_client().get("/u/3").text == "user {'uid': 3} None []"


def test_lazy_parsing_does_nothing_until_asked() -> None:
    req = make("/?a=1", headers={"Cookie": "x=1"})
    assert "args" not in req.__dict__
    assert "cookies" not in req.__dict__
    req.args  # noqa: B018
    assert "args" in req.__dict__


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=5))
def test_query_round_trip(params: dict[str, str]) -> None:
    req = make("/", query_string=params)
    assert req.args.to_dict() == params


def test_debug_files_key_error_names_the_missing_enctype(app: Erlen) -> None:
    from erlen.formparser import DebugFilesKeyError

    app.add_url_rule("/", "v", lambda: str(request.files["upload"].filename), methods=["POST"])
    app.debug = True
    client = app.test_client()
    with pytest.raises(DebugFilesKeyError, match='enctype="multipart/form-data"') as info:
        client.post("/", data={"upload": "photo.jpg"})
    assert "'upload'" in str(info.value)
    assert isinstance(info.value, KeyError)
    # A key the form does not hold either is the ordinary missing-key error.
    with pytest.raises(BadRequestKeyError):
        client.post("/", data={"other": "1"})


def test_files_key_error_is_a_plain_400_outside_debug(app: Erlen) -> None:
    app.add_url_rule("/", "v", lambda: str(request.files["upload"].filename), methods=["POST"])
    rv = app.test_client().post("/", data={"upload": "photo.jpg"})
    assert rv.status_code == 400
    assert b"enctype" not in rv.data


def test_debug_files_check_leaves_real_uploads_alone(app: Erlen) -> None:
    app.debug = True
    app.add_url_rule("/", "v", lambda: str(request.files["upload"].filename), methods=["POST"])
    rv = app.test_client().post("/", data={"upload": (io.BytesIO(b"data"), "a.txt")})
    assert rv.text == "a.txt"


def test_max_content_length_applies_to_a_stream_without_length(app: Erlen) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 5
    environ = raw_environ(
        REQUEST_METHOD="POST",
        **{"wsgi.input": io.BytesIO(b"x" * 6), "wsgi.input_terminated": True},
    )
    with app.request_context(environ), pytest.raises(RequestEntityTooLarge):
        request.get_data()
    environ["wsgi.input"] = io.BytesIO(b"x" * 5)
    with app.request_context(environ):
        assert request.get_data() == b"xxxxx"


def test_json_success_is_cached_for_both_modes(app: Erlen) -> None:
    with app.test_request_context("/", method="POST", json={"a": 1}):
        first = request.get_json()
        assert request.get_json(silent=True) is first
        assert request.get_json(cache=False) == first


def test_stream_after_get_data_is_empty_and_data_stays_cached() -> None:
    request = Request.from_values(data=b'{"a": 1}', content_type="application/json")
    assert request.get_data() == b'{"a": 1}'
    assert request.stream.read() == b""
    assert request.get_json() == {"a": 1}
    assert request.get_data() == b'{"a": 1}'


def test_get_data_after_reading_the_stream_reads_what_is_left() -> None:
    request = Request.from_values(data=b"abcdef")
    assert request.stream.read(2) == b"ab"
    assert request.get_data() == b"cdef"

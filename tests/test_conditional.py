"""Conditional and partial responses: ETags, 304, 412, 206 and 416 (RFC 9110, 13 and 14)."""

from __future__ import annotations

import io
import typing as t
from datetime import UTC, datetime, timedelta
from wsgiref.util import FileWrapper

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import Erlen, Response, request
from erlen.exceptions import RequestedRangeNotSatisfiable
from erlen.http import http_date
from erlen.wrappers._conditional import ByteRange, accept_ranges_value

from .conftest import call_wsgi, raw_environ

BODY = b"0123456789"
LAST_MODIFIED = datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)
LM_TEXT = http_date(LAST_MODIFIED)  # "Sun, 09 Sep 2001 01:46:40 GMT"


def make(
    body: t.Any = BODY, etag: str | None = "abc", weak: bool = False, status: int = 200
) -> Response:
    resp = Response(body, status=status, mimetype="text/plain")
    if etag is not None:
        resp.set_etag(etag, weak)
    resp.last_modified = LAST_MODIFIED
    return resp


def conditional(
    resp: Response,
    method: str = "GET",
    accept_ranges: bool | str = False,
    complete_length: int | None = None,
    **headers: str,
) -> Response:
    environ = raw_environ(REQUEST_METHOD=method, **{f"HTTP_{k}": v for k, v in headers.items()})
    assert resp.make_conditional(environ, accept_ranges, complete_length) is resp
    return resp


# -- ETags -----------------------------------------------------------------------------------


def test_set_and_get_etag() -> None:
    resp = Response()
    assert resp.get_etag() == (None, None)
    resp.set_etag("v1")
    assert resp.headers["ETag"] == '"v1"'
    assert resp.get_etag() == ("v1", False)
    resp.set_etag("v2", weak=True)
    assert resp.headers["ETag"] == 'W/"v2"'
    assert resp.get_etag() == ("v2", True)


def test_set_etag_refuses_quotes_and_newlines() -> None:
    resp = Response()
    with pytest.raises(ValueError, match="entity tag"):
        resp.set_etag('a"b')
    with pytest.raises(ValueError, match="header injection"):
        resp.set_etag("a\r\nSet-Cookie: x=1")


def test_add_etag() -> None:
    resp = Response(b"x")
    resp.add_etag()
    # The SHA-1 of b"x", which is what Werkzeug 3.1 writes too.
    assert resp.headers["ETag"] == '"11f6ad8ec52a2984abaafd7c3b516503785c2072"'
    resp.add_etag(weak=True)  # there is one already: kept
    assert resp.get_etag() == ("11f6ad8ec52a2984abaafd7c3b516503785c2072", False)
    resp.add_etag(overwrite=True, weak=True)
    assert resp.headers["ETag"] == 'W/"11f6ad8ec52a2984abaafd7c3b516503785c2072"'


def test_add_etag_buffers_a_stream() -> None:
    resp = Response(iter([b"a", b"b"]))
    resp.add_etag()
    assert resp.get_data() == b"ab"
    assert resp.get_etag()[0] is not None


# -- 304 and 412 -------------------------------------------------------------------------------


def test_no_conditions_sets_date_only() -> None:
    resp = conditional(make())
    assert resp.status_code == 200
    assert resp.date is not None
    assert "Accept-Ranges" not in resp.headers
    assert resp.data == BODY


def test_existing_date_is_kept() -> None:
    resp = make()
    resp.headers["Date"] = LM_TEXT
    conditional(resp)
    assert resp.headers["Date"] == LM_TEXT


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"IF_NONE_MATCH": '"abc"'}, 304),
        ({"IF_NONE_MATCH": 'W/"abc"'}, 304),  # If-None-Match compares weakly
        ({"IF_NONE_MATCH": '"x", "abc"'}, 304),
        ({"IF_NONE_MATCH": "*"}, 304),
        ({"IF_NONE_MATCH": '"other"'}, 200),
        ({"IF_NONE_MATCH": "garbage, ,"}, 200),
        # If-None-Match wins over If-Modified-Since (RFC 9110, 13.1.3).
        ({"IF_NONE_MATCH": '"other"', "IF_MODIFIED_SINCE": LM_TEXT}, 200),
        ({"IF_MODIFIED_SINCE": LM_TEXT}, 304),
        ({"IF_MODIFIED_SINCE": http_date(LAST_MODIFIED + timedelta(days=1))}, 304),
        ({"IF_MODIFIED_SINCE": http_date(LAST_MODIFIED - timedelta(seconds=1))}, 200),
        # A date in the future, or one that is not a date, is ignored.
        ({"IF_MODIFIED_SINCE": http_date(datetime.now(UTC) + timedelta(days=2))}, 200),
        ({"IF_MODIFIED_SINCE": "yesterday"}, 200),
        ({"IF_MODIFIED_SINCE": "Sun, 99 Nov 1994 08:49:37 GMT"}, 200),
        ({"IF_MATCH": '"abc"'}, 200),
        ({"IF_MATCH": '"x", "abc"'}, 200),
        ({"IF_MATCH": "*"}, 200),
        ({"IF_MATCH": '"other"'}, 412),
        ({"IF_MATCH": 'W/"abc"'}, 412),  # If-Match compares strongly
        ({"IF_MATCH": "not a tag list"}, 412),
        # If-Match is decided before If-None-Match.
        ({"IF_MATCH": '"other"', "IF_NONE_MATCH": '"abc"'}, 412),
        ({"IF_UNMODIFIED_SINCE": LM_TEXT}, 200),
        ({"IF_UNMODIFIED_SINCE": http_date(LAST_MODIFIED - timedelta(seconds=1))}, 412),
        ({"IF_UNMODIFIED_SINCE": "not a date"}, 200),
        # With If-Match present, If-Unmodified-Since is not looked at.
        ({"IF_MATCH": '"abc"', "IF_UNMODIFIED_SINCE": "Sun, 06 Nov 1994 08:49:37 GMT"}, 200),
    ],
)
def test_preconditions(headers: dict[str, t.Any], code: int) -> None:
    resp = conditional(make(), **headers)
    assert resp.status_code == code


def test_weak_etag_fails_if_match_but_passes_if_none_match() -> None:
    assert conditional(make(weak=True), IF_MATCH='"abc"').status_code == 412
    assert conditional(make(weak=True), IF_NONE_MATCH='"abc"').status_code == 304


def test_no_etag_and_no_date() -> None:
    resp = Response(BODY)
    assert conditional(resp, IF_NONE_MATCH='"abc"').status_code == 200
    assert conditional(Response(BODY), IF_MATCH='"abc"').status_code == 412
    assert conditional(Response(BODY), IF_MODIFIED_SINCE=LM_TEXT).status_code == 200
    assert conditional(Response(BODY), IF_UNMODIFIED_SINCE=LM_TEXT).status_code == 200


def test_304_keeps_validators_and_drops_body_headers() -> None:
    resp = make()
    resp.headers["Cache-Control"] = "max-age=60"
    resp.headers["Content-Disposition"] = "inline"
    conditional(resp, accept_ranges=True, IF_NONE_MATCH='"abc"')
    assert resp.status_code == 304
    for kept in ("ETag", "Last-Modified", "Cache-Control", "Date", "Accept-Ranges"):
        assert kept in resp.headers
    for dropped in ("Content-Type", "Content-Length", "Content-Disposition"):
        assert dropped not in resp.headers
    status, _headers, body = call_wsgi(resp, raw_environ())
    assert status.startswith("304")
    assert body == b""


def test_412_has_an_empty_body_and_closes_the_old_one() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> t.Iterator[bytes]:
            return iter([BODY])

        def close(self) -> None:
            closed.append(True)

    resp = make(Body())
    conditional(resp, IF_MATCH='"nope"')
    assert resp.status_code == 412
    assert resp.headers["Content-Length"] == "0"
    assert call_wsgi(resp, raw_environ())[2] == b""
    assert closed == [True]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_unsafe_methods_are_left_alone(method: str) -> None:
    resp = conditional(make(), method, True, None, IF_MATCH='"x"', RANGE="bytes=0-1")
    assert resp.status_code == 200
    assert "Date" not in resp.headers
    assert "Accept-Ranges" not in resp.headers


@pytest.mark.parametrize("status", [201, 204])
def test_other_2xx_statuses_are_conditional(status: int) -> None:
    assert conditional(make(status=status), IF_NONE_MATCH='"abc"').status_code == 304


@pytest.mark.parametrize("status", [301, 404, 500])
def test_non_2xx_ignores_conditions(status: int) -> None:
    resp = conditional(make(status=status), accept_ranges=True, IF_NONE_MATCH="*")
    assert resp.status_code == status
    assert resp.headers["Accept-Ranges"] == "bytes"


def test_head_gets_304() -> None:
    assert conditional(make(), "HEAD", IF_NONE_MATCH='"abc"').status_code == 304


def test_request_object_accepted(app: Erlen) -> None:
    @app.route("/")
    def index() -> Response:
        return make().make_conditional(request)

    client = app.test_client()
    assert client.get("/", headers={"If-None-Match": '"abc"'}).status_code == 304
    rv = client.get("/", headers={"If-Modified-Since": LM_TEXT})
    assert rv.status_code == 304
    assert rv.data == b""
    assert client.get("/").data == BODY


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="request or its WSGI environ"):
        make().make_conditional("not an environ")
    with pytest.raises(TypeError, match="accept_ranges"):
        make().make_conditional(raw_environ(), accept_ranges=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="accept_ranges"):
        make().make_conditional(raw_environ(), accept_ranges="  ")


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "bytes"), (False, None), (None, None), ("none", "none")]
)
def test_accept_ranges_value(value: t.Any, expected: str | None) -> None:
    assert accept_ranges_value(value) == expected


# -- ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "content_range", "body"),
    [
        ("bytes=0-3", "bytes 0-3/10", b"0123"),
        ("bytes=2-2", "bytes 2-2/10", b"2"),
        ("bytes=7-", "bytes 7-9/10", b"789"),
        ("bytes=-3", "bytes 7-9/10", b"789"),
        ("bytes=-30", "bytes 0-9/10", BODY),
        ("bytes=7-100", "bytes 7-9/10", b"789"),
        ("BYTES = 1-2", "bytes 1-2/10", b"12"),
    ],
)
def test_single_range(header: str, content_range: str, body: bytes) -> None:
    resp = conditional(make(), accept_ranges=True, RANGE=header)
    assert resp.status_code == 206
    assert resp.headers["Content-Range"] == content_range
    assert resp.headers["Content-Length"] == str(len(body))
    assert resp.headers["Accept-Ranges"] == "bytes"
    status, _headers, sent = call_wsgi(resp, raw_environ())
    assert status.startswith("206")
    assert sent == body


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=20-30", "bytes=x", "bytes=5-1", "bytes="])
def test_unsatisfiable_or_malformed_range_is_416(header: str) -> None:
    with pytest.raises(RequestedRangeNotSatisfiable) as info:
        conditional(make(), accept_ranges=True, RANGE=header)
    assert info.value.length == 10
    assert ("Content-Range", "bytes */10") in info.value.get_headers()


def test_416_through_the_app(app: Erlen) -> None:
    @app.route("/")
    def index() -> Response:
        return make().make_conditional(request, accept_ranges=True)

    rv = app.test_client().get("/", headers={"Range": "bytes=50-60"})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == "bytes */10"


def test_several_ranges_get_the_whole_body() -> None:
    resp = conditional(make(), accept_ranges=True, RANGE="bytes=0-1,5-6")
    assert resp.status_code == 200
    assert resp.data == BODY
    assert "Content-Range" not in resp.headers


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({"accept_ranges": False}, {"RANGE": "bytes=0-1"}),  # ranges not offered
        ({"accept_ranges": True}, {"RANGE": "items=0-1"}),  # unknown unit: ignored
        ({"accept_ranges": True}, {"RANGE": "bytes=0-1", "IF_RANGE": '"stale"'}),
        ({"accept_ranges": True}, {"RANGE": "bytes=0-1", "IF_RANGE": 'W/"abc"'}),
        (
            {"accept_ranges": True},
            {"RANGE": "bytes=0-1", "IF_RANGE": "Mon, 01 Jan 2001 00:00:00 GMT"},
        ),
        ({"accept_ranges": True}, {"RANGE": "bytes=0-1", "IF_RANGE": "nonsense"}),
        ({"accept_ranges": True, "complete_length": 0}, {"RANGE": "bytes=0-1"}),
    ],
)
def test_range_ignored(kwargs: dict[str, t.Any], headers: dict[str, t.Any]) -> None:
    resp = conditional(make(), **kwargs, **headers)
    assert resp.status_code == 200
    assert resp.data == BODY


@pytest.mark.parametrize("if_range", ['"abc"', LM_TEXT])
def test_if_range_matching(if_range: str) -> None:
    resp = conditional(make(), accept_ranges=True, RANGE="bytes=0-1", IF_RANGE=if_range)
    assert resp.status_code == 206
    assert resp.data == b"01"


def test_weak_etag_never_validates_if_range() -> None:
    resp = conditional(make(weak=True), accept_ranges=True, RANGE="bytes=0-1", IF_RANGE='"abc"')
    assert resp.status_code == 200


def test_not_modified_wins_over_range() -> None:
    # RFC 9110, 13.2.2: If-None-Match is evaluated before Range.
    resp = conditional(make(), accept_ranges=True, RANGE="bytes=0-1", IF_NONE_MATCH='"abc"')
    assert resp.status_code == 304


def test_head_ignores_range() -> None:
    resp = conditional(make(), "HEAD", accept_ranges=True, RANGE="bytes=0-1")
    assert resp.status_code == 200


def test_custom_accept_ranges_unit() -> None:
    resp = conditional(make(), accept_ranges="bytes", RANGE="bytes=1-1")
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.data == b"1"


def test_streamed_body_needs_complete_length() -> None:
    resp = conditional(make(iter([b"01234", b"56789"])), accept_ranges=True, RANGE="bytes=3-6")
    assert resp.status_code == 200  # the length is unknown: the range cannot be cut
    resp = conditional(
        make(iter([b"01234", "56789"])), accept_ranges=True, complete_length=10, RANGE="bytes=3-6"
    )
    assert resp.status_code == 206
    assert call_wsgi(resp, raw_environ())[2] == b"3456"


def test_file_wrapper_body_is_seeked() -> None:
    file = io.BytesIO(BODY * 10_000)
    resp = make(FileWrapper(file, 1024))
    resp.direct_passthrough = True
    conditional(resp, accept_ranges=True, complete_length=100_000, RANGE="bytes=99990-")
    assert resp.headers["Content-Range"] == "bytes 99990-99999/100000"
    assert call_wsgi(resp, raw_environ())[2] == BODY
    assert file.closed


def test_byte_range_on_a_short_file_stops() -> None:
    assert list(ByteRange(io.BytesIO(b"abc"), 1, 10)) == [b"bc"]
    assert b"".join(ByteRange([b"ab", b"cd", b"ef"], 1, 4)) == b"bcde"
    assert b"".join(ByteRange([b"ab", b"cd"], 0, 10)) == b"abcd"
    ByteRange([b"x"], 0, 1).close()  # a source without close()


class _Unseekable(io.BytesIO):
    def seekable(self) -> bool:
        return False


def test_unseekable_file_is_read_through() -> None:
    assert b"".join(ByteRange(_Unseekable(BODY), 8, 2)) == b"89"


@given(
    st.binary(min_size=1, max_size=64),
    st.integers(0, 80),
    st.one_of(st.none(), st.integers(0, 80)),
    st.integers(1, 9),
)
def test_ranges_match_slicing(body: bytes, first: int, last: int | None, chunk: int) -> None:
    """Whatever the body's chunking, a 206 carries exactly the slice it announces."""
    if last is not None and last < first:
        first, last = last, first
    header = f"bytes={first}-{'' if last is None else last}"
    chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    resp = make(iter(chunks))
    try:
        conditional(resp, accept_ranges=True, complete_length=len(body), RANGE=header)
    except RequestedRangeNotSatisfiable:
        assert first >= len(body)
        return
    stop = len(body) if last is None else min(last + 1, len(body))
    sent = call_wsgi(resp, raw_environ())[2]
    assert sent == body[first:stop]
    assert resp.headers["Content-Range"] == f"bytes {first}-{stop - 1}/{len(body)}"


@given(st.text(), st.text(), st.text(), st.text(), st.text(), st.text())
def test_any_conditional_headers_give_a_defined_outcome(
    inm: str, ims: str, im: str, ius: str, rng: str, if_range: str
) -> None:
    environ = raw_environ(
        HTTP_IF_NONE_MATCH=inm,
        HTTP_IF_MODIFIED_SINCE=ims,
        HTTP_IF_MATCH=im,
        HTTP_IF_UNMODIFIED_SINCE=ius,
        HTTP_RANGE=rng,
        HTTP_IF_RANGE=if_range,
    )
    resp = make()
    try:
        resp.make_conditional(environ, accept_ranges=True)
    except RequestedRangeNotSatisfiable:
        return
    assert resp.status_code in (200, 206, 304, 412)


_tag_piece = st.sampled_from(['"a"', 'W/"a"', 'w/"b"', '"a,b"', "*", "a", ",", " ", '"', "W/"])


@given(st.lists(_tag_piece, max_size=8).map("".join), st.sampled_from(["a", "b", "a,b", "c"]))
def test_the_cached_if_none_match_agrees_with_parse_etags(value: str, etag: str) -> None:
    from erlen.http import parse_etags
    from erlen.wrappers._conditional import _none_match_tags

    tags = parse_etags(value)
    star, listed = _none_match_tags(value)
    assert star == tags.star_tag
    assert (star or etag in listed) == (tags.star_tag or tags.contains_weak(etag))
    long_value = value + " " * 300  # past the cached length: parsed every time
    assert _none_match_tags(long_value) == (star, listed)

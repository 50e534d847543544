"""erlen.http: tables of header values, and properties over arbitrary input."""

from __future__ import annotations

import time
import typing as t
import warnings
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import http
from erlen.datastructures import (
    Accept,
    CharsetAccept,
    ContentRange,
    ETags,
    HeaderSet,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
)

# -- quoting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "allow_token", "expected"),
    [
        ("token", True, "token"),
        ("utf-8", True, "utf-8"),
        ("token", False, '"token"'),
        ("two words", True, '"two words"'),
        ('say "hi"', True, '"say \\"hi\\""'),
        ("back\\slash", True, '"back\\\\slash"'),
        ("", True, '""'),
        ("a/b", True, '"a/b"'),
        (42, True, "42"),
    ],
)
def test_quote_header_value(value: t.Any, allow_token: bool, expected: str) -> None:
    assert http.quote_header_value(value, allow_token) == expected


@pytest.mark.parametrize(
    ("value", "is_filename", "expected"),
    [
        ('"quoted"', False, "quoted"),
        ('"a\\"b"', False, 'a"b'),
        ('"a\\\\b"', False, "a\\b"),
        ("bare", False, "bare"),
        ('"', False, '"'),
        ('"\\\\server\\share"', True, "\\\\server\\share"),
        ('"\\\\server\\share"', False, "\\server" + "share"),
    ],
)
def test_unquote_header_value(value: str, is_filename: bool, expected: str) -> None:
    assert http.unquote_header_value(value, is_filename) == expected


@given(st.text())
def test_quote_unquote_round_trip(value: str) -> None:
    assert http.unquote_header_value(http.quote_header_value(value, allow_token=False)) == value


# -- lists, dicts, options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b,c", ["a", "b", "c"]),
        ('a, "b, c", d', ["a", "b, c", "d"]),
        ('"esc\\"aped", x', ['esc"aped', "x"]),
        (" , ,a,, ", ["a"]),
        ("", []),
        ('"unterminated, x', ['"unterminated', "x"]),
    ],
)
def test_parse_list_header(value: str, expected: list[str]) -> None:
    assert http.parse_list_header(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a=1, b=2", {"a": "1", "b": "2"}),
        ('realm="x, y", flag', {"realm": "x, y", "flag": None}),
        ("=orphan, k=v", {"k": "v"}),
        ("title*=UTF-8''%e2%82%ac, title=plain", {"title": "€"}),
        ("title=plain, title*=UTF-8''%e2%82%ac", {"title": "€"}),
        ("t*=bogus, x=1", {"t*": "bogus", "x": "1"}),
    ],
)
def test_parse_dict_header(value: str, expected: dict[str, str | None]) -> None:
    assert http.parse_dict_header(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", {})),
        ("", ("", {})),
        ("text/html", ("text/html", {})),
        ("  text/html  ", ("text/html", {})),
        ('text/html; charset="utf-8"', ("text/html", {"charset": "utf-8"})),
        ("text/csv; Charset=latin-1", ("text/csv", {"charset": "latin-1"})),
        (
            'form-data; name="a;b"; filename="x.txt"',
            ("form-data", {"name": "a;b", "filename": "x.txt"}),
        ),
        ("attachment; filename*=UTF-8''%e2%82%ac.txt", ("attachment", {"filename": "€.txt"})),
        (
            "attachment; filename*=UTF-8''%e2%82%ac.txt; filename=fallback.txt",
            ("attachment", {"filename": "€.txt"}),
        ),
        ("attachment; filename*=iso-8859-1'en'%e9", ("attachment", {"filename": "é"})),
        ("attachment; filename*=koi8-r''%e9", ("attachment", {})),
        ('x; title*0="abc"; title*1=def', ("x", {"title": "abcdef"})),
        ("x; title*0*=UTF-8''%e2%82; title*1*=%ac", ("x", {"title": "€"})),
        ("x; title*0=a; title*2=c", ("x", {"title": "a"})),
        ("x; title*=UTF-8''%41; title*0=z", ("x", {"title": "A"})),
        ("x; flag; =v; k=v", ("x", {"k": "v"})),
        ("x; n*junk=1", ("x", {})),
        ('x; filename="\\\\srv\\share"', ("x", {"filename": "\\\\srv\\share"})),
    ],
)
def test_parse_options_header(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert http.parse_options_header(value) == expected


@pytest.mark.parametrize(
    ("header", "options", "expected"),
    [
        ("text/plain", {"charset": "utf-8"}, "text/plain; charset=utf-8"),
        ("attachment", {"filename": "a b.txt"}, 'attachment; filename="a b.txt"'),
        ("attachment", {"filename": "€.txt"}, "attachment; filename*=UTF-8''%E2%82%AC.txt"),
        ("attachment", {"filename*": "UTF-8''x"}, "attachment; filename*=UTF-8''x"),
        ("x", {"skip": None, "n": 3}, "x; n=3"),
        (None, {"a": "1"}, "a=1"),
    ],
)
def test_dump_options_header(header: str | None, options: dict[str, t.Any], expected: str) -> None:
    assert http.dump_options_header(header, options) == expected


@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True), st.text(max_size=20), max_size=4
    )
)
def test_options_round_trip(options: dict[str, str]) -> None:
    assert http.parse_options_header(http.dump_options_header("x/y", options)) == ("x/y", options)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "b c"], 'a, "b c"'),
        ({"max-age": 60, "public": None}, "max-age=60, public"),
        ({"no-cache": "Set-Cookie, X"}, 'no-cache="Set-Cookie, X"'),
    ],
)
def test_dump_header(value: t.Any, expected: str) -> None:
    assert http.dump_header(value) == expected


def test_parse_set_header_and_write_back() -> None:
    seen: list[str] = []
    hs = http.parse_set_header("Accept, cookie", lambda s: seen.append(s.to_header()))
    assert isinstance(hs, HeaderSet)
    assert "Cookie" in hs
    hs.add("COOKIE")
    assert seen == []
    hs.add("Origin")
    assert seen == ["Accept, cookie, Origin"]
    assert not http.parse_set_header(None)


# -- Cache-Control and Accept --------------------------------------------------------------------


def test_parse_cache_control_request() -> None:
    cc = http.parse_cache_control_header("Max-Age=10, no-cache, max-stale, min-fresh=x")
    assert isinstance(cc, RequestCacheControl)
    assert cc.provided
    assert (cc.max_age, cc.no_cache, cc.max_stale, cc.min_fresh) == (10, True, True, None)
    assert not http.parse_cache_control_header(None).provided


def test_parse_cache_control_response_on_update() -> None:
    written: list[str] = []
    cc = http.parse_cache_control_header(
        'private="Set-Cookie"', lambda c: written.append(c.to_header()), ResponseCacheControl
    )
    assert cc.private == "Set-Cookie"
    cc.max_age = 5
    assert written[-1] == 'private="Set-Cookie", max-age=5'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html, application/json;q=0.5", [("text/html", 1.0), ("application/json", 0.5)]),
        ("a;q=0.2, b, c;q=0.9", [("b", 1.0), ("c", 0.9), ("a", 0.2)]),
        ("a;q=2, b;q=x, c;q=nan, d;q=-1, e", [("e", 1.0)]),
        ("text/html;level=1;q=0.5", [("text/html;level=1", 0.5)]),
        ('text/html;x="a b"', [('text/html;x="a b"', 1.0)]),
        (" , ;q=1, a", [("a", 1.0)]),
    ],
)
def test_parse_accept_header(value: str, expected: list[tuple[str, float]]) -> None:
    assert list(http.parse_accept_header(value)) == expected


def test_parse_accept_header_classes() -> None:
    assert isinstance(http.parse_accept_header("a", MIMEAccept), MIMEAccept)
    assert isinstance(http.parse_accept_header(None, LanguageAccept), LanguageAccept)
    assert isinstance(http.parse_accept_header("utf-8", CharsetAccept), CharsetAccept)
    assert not http.parse_accept_header(None).provided
    assert http.parse_accept_header("").provided is False


# -- entity tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "strong", "weak", "star"),
    [
        ('"a", W/"b"', {"a"}, {"b"}, False),
        ("*", set(), set(), True),
        ('"a", *', set(), set(), True),
        ('bare, w/"c"', {"bare"}, {"c"}, False),
        ('"with, comma"', {"with, comma"}, set(), False),
        ('W/, "", x"y', {""}, set(), False),
        (None, set(), set(), False),
    ],
)
def test_parse_etags(value: str | None, strong: set[str], weak: set[str], star: bool) -> None:
    etags = http.parse_etags(value)
    assert etags.as_set() == strong
    assert etags.as_set(include_weak=True) == strong | weak
    assert etags.star_tag is star


@pytest.mark.parametrize(
    ("etag", "weak", "expected"), [("abc", False, '"abc"'), ("abc", True, 'W/"abc"')]
)
def test_quote_etag(etag: str, weak: bool, expected: str) -> None:
    assert http.quote_etag(etag, weak) == expected
    assert http.unquote_etag(expected) == (etag, weak)


def test_quote_etag_refuses_quotes() -> None:
    with pytest.raises(ValueError, match="entity tag"):
        http.quote_etag('a"b')


def test_unquote_etag_edges() -> None:
    assert http.unquote_etag(None) == (None, False)
    assert http.unquote_etag(" bare ") == ("bare", False)


def test_generate_etag() -> None:
    assert http.generate_etag(b"x") == http.generate_etag(b"x")
    assert http.generate_etag(b"x") != http.generate_etag(b"y")
    assert len(http.generate_etag(b"")) == 40


@given(st.sets(st.text(alphabet=st.characters(blacklist_characters='",'), max_size=8), max_size=4))
def test_etags_round_trip(tags: set[str]) -> None:
    etags = ETags(tags, ["weak"])
    parsed = http.parse_etags(etags.to_header())
    assert parsed.as_set() == tags
    assert parsed.is_weak("weak")


@pytest.mark.parametrize(
    ("value", "etag", "when"),
    [
        (None, None, None),
        ('"abc"', "abc", None),
        ("Sun, 06 Nov 1994 08:49:37 GMT", None, datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ('W/"weak"', 'W/"weak"', None),
    ],
)
def test_parse_if_range_header(value: str | None, etag: str | None, when: datetime | None) -> None:
    if_range = http.parse_if_range_header(value)
    assert (if_range.etag, if_range.date) == (etag, when)


# -- ranges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes=0-9", [(0, 10)]),
        ("bytes=0-0,-500, 1000-", [(0, 1), (-500, None), (1000, None)]),
        ("Bytes = 5-5", [(5, 6)]),
        ("bytes=1-2,,3-4", [(1, 3), (3, 5)]),
        ("bytes=9-0", None),
        ("bytes=-0", None),
        ("bytes=-", None),
        ("bytes=a-1", None),
        ("bytes=1-b", None),
        ("bytes=1", None),
        ("bytes=", None),
        ("bytes", None),
        ("by tes=0-1", None),
        ("bytes=" + "9" * 40 + "-", None),
        ("bytes=١-٢", None),
        (None, None),
    ],
)
def test_parse_range_header(
    value: str | None, expected: list[tuple[int, int | None]] | None
) -> None:
    rng = http.parse_range_header(value)
    if expected is None:
        assert rng is None
    else:
        assert rng is not None
        assert rng.ranges == expected


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=4))
def test_range_round_trip(pairs: list[tuple[int, int]]) -> None:
    ranges: list[tuple[int, int | None]] = [(min(a, b), max(a, b) + 1) for a, b in pairs]
    header = Range("bytes", ranges).to_header()
    parsed = http.parse_range_header(header)
    assert parsed is not None
    assert parsed.ranges == ranges


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 0-499/1234", ("bytes", 0, 500, 1234)),
        ("bytes 0-499/*", ("bytes", 0, 500, None)),
        ("bytes */1234", ("bytes", None, None, 1234)),
        ("Bytes 1-1/2", ("bytes", 1, 2, 2)),
        ("bytes */*", None),
        ("bytes 5-1/10", None),
        ("bytes 0-10/10", None),
        ("bytes 0-1/x", None),
        ("bytes 0-1", None),
        ("bytes 1/2", None),
        ("bytes", None),
        ("by,tes 0-1/2", None),
        ("", None),
    ],
)
def test_parse_content_range_header(
    value: str, expected: tuple[str, int | None, int | None, int | None] | None
) -> None:
    rng = http.parse_content_range_header(value)
    if expected is None:
        assert rng is None
    else:
        assert rng is not None
        assert (rng.units, rng.start, rng.stop, rng.length) == expected
        assert http.parse_content_range_header(rng.to_header()) is not None


def test_parse_content_range_header_on_update() -> None:
    seen: list[str] = []
    rng = http.parse_content_range_header("bytes 0-1/5", lambda r: seen.append(r.to_header()))
    assert isinstance(rng, ContentRange)
    rng.stop = 5
    assert seen == ["bytes 0-4/5"]


# -- conditional requests ------------------------------------------------------------------------

_LM = datetime(2020, 1, 1, 12, 0, 0, tzinfo=UTC)
_LM_HEADER = "Wed, 01 Jan 2020 12:00:00 GMT"


@pytest.mark.parametrize(
    ("kwargs", "modified"),
    [
        ({}, True),
        ({"http_if_none_match": '"abc"', "etag": "abc"}, False),
        ({"http_if_none_match": 'W/"abc"', "etag": '"abc"'}, False),
        ({"http_if_none_match": '"other"', "etag": "abc"}, True),
        ({"http_if_none_match": '"abc"'}, True),
        ({"http_if_none_match": "*"}, False),
        (
            {
                "http_if_none_match": '"x"',
                "etag": "abc",
                "http_if_modified_since": _LM_HEADER,
                "last_modified": _LM,
            },
            True,
        ),
        ({"http_if_modified_since": _LM_HEADER, "last_modified": _LM}, False),
        ({"http_if_modified_since": _LM_HEADER, "last_modified": _LM_HEADER}, False),
        (
            {
                "http_if_modified_since": _LM_HEADER,
                "last_modified": datetime(2020, 1, 1, 12, 0, 0, 500),
            },
            False,
        ),
        ({"http_if_modified_since": _LM_HEADER, "last_modified": _LM + timedelta(seconds=1)}, True),
        ({"http_if_modified_since": "garbage", "last_modified": _LM}, True),
        ({"http_if_none_match": '"abc"', "data": b"x"}, True),
        (
            {
                "http_range": "bytes=0-1",
                "http_if_range": '"abc"',
                "etag": "abc",
                "ignore_if_range": False,
            },
            False,
        ),
        (
            {
                "http_range": "bytes=0-1",
                "http_if_range": '"old"',
                "etag": "abc",
                "ignore_if_range": False,
            },
            True,
        ),
        (
            {
                "http_range": "bytes=0-1",
                "http_if_range": 'W/"abc"',
                "etag": "abc",
                "ignore_if_range": False,
            },
            True,
        ),
        (
            {
                "http_range": "bytes=0-1",
                "http_if_range": _LM_HEADER,
                "last_modified": _LM,
                "ignore_if_range": False,
            },
            False,
        ),
        ({"http_range": "bytes=0-1", "http_if_range": _LM_HEADER, "ignore_if_range": False}, True),
        (
            {
                "http_range": "bytes=0-1",
                "ignore_if_range": False,
                "http_if_none_match": '"abc"',
                "etag": "abc",
            },
            False,
        ),
    ],
)
def test_is_resource_modified(kwargs: dict[str, t.Any], modified: bool) -> None:
    assert http.is_resource_modified(**kwargs) is modified


def test_is_resource_modified_data_etag() -> None:
    tag = http.generate_etag(b"body")
    assert not http.is_resource_modified(http_if_none_match=f'"{tag}"', data=b"body")
    with pytest.raises(TypeError, match="etag"):
        http.is_resource_modified(etag="a", data=b"b")


# -- dates and ages ------------------------------------------------------------------------------

_EPOCH_1994 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", _EPOCH_1994),
        ("  Sun, 06 Nov 1994 08:49:37 GMT ", _EPOCH_1994),
        ("Sunday, 06-Nov-94 08:49:37 GMT", _EPOCH_1994),
        ("Sun Nov  6 08:49:37 1994", _EPOCH_1994),
        ("Sun, 06 Nov 1994 09:49:37 +0100", _EPOCH_1994),
        ("Sun, 06 Nov 1994 08:49:37 -0000", _EPOCH_1994),
        ("Sun, 31 Feb 1994 08:49:37 GMT", None),
        ("Sun, 06 Xyz 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 1994 08:49:99 GMT", None),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    rv = http.parse_date(value)
    assert rv == expected
    if rv is not None:
        assert rv.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            datetime(1994, 11, 6, 9, 49, 37, tzinfo=timezone(timedelta(hours=1))),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        (date(2030, 1, 1), "Tue, 01 Jan 2030 00:00:00 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784111777.5, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (time.gmtime(784111777), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (datetime(5, 1, 1, tzinfo=UTC), "Sat, 01 Jan 0005 00:00:00 GMT"),
    ],
)
def test_http_date(value: t.Any, expected: str) -> None:
    assert http.http_date(value) == expected


def test_http_date_now() -> None:
    now = http.parse_date(http.http_date())
    assert now is not None
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)))
def test_date_round_trip(value: datetime) -> None:
    assert http.parse_date(http.http_date(value)) == value.replace(microsecond=0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60", timedelta(seconds=60)),
        (" 0 ", timedelta(0)),
        ("-1", None),
        ("1.5", None),
        ("x", None),
        ("9" * 25, None),
        ("", None),
        (None, None),
    ],
)
def test_parse_age(value: str | None, expected: timedelta | None) -> None:
    assert http.parse_age(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (5, "5"), (timedelta(minutes=1, microseconds=5), "60")],
)
def test_dump_age(value: t.Any, expected: str | None) -> None:
    assert http.dump_age(value) == expected


def test_dump_age_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        http.dump_age(-1)


@given(st.integers(0, 10**9))
def test_age_round_trip(seconds: int) -> None:
    assert http.parse_age(http.dump_age(seconds)) == timedelta(seconds=seconds)


# -- cookies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=1; b=2", [("a", "1"), ("b", "2")]),
        ('a=1; b="x y"; =nameless; a=2', [("a", "1"), ("a", "2"), ("b", "x y")]),
        ("  spaced  =  v  ;;", [("spaced", "v")]),
        ("flag; k=v", [("flag", ""), ("k", "v")]),
        ("k=a=b", [("k", "a=b")]),
        ('k="\\073\\"\\\\"', [("k", ';"\\')]),
        ('k="\\303\\251"', [("k", "é")]),
        ('k="\\377"', [("k", "\ufffd")]),
        ('k="', [("k", '"')]),
        ("k=caf\xc3\xa9", [("k", "café")]),
        ("k=café", [("k", "café")]),  # latin-1 that is not UTF-8: kept
        ("k=\u20ac", [("k", "\u20ac")]),
        (b"k=caf\xc3\xa9; j=\xff", [("k", "café"), ("j", "\ufffd")]),
        ("", []),
        (None, []),
    ],
)
def test_parse_cookie(header: str | bytes | None, expected: list[tuple[str, str]]) -> None:
    assert list(http.parse_cookie(header).items(multi=True)) == expected


def test_parse_cookie_class() -> None:
    class Mine(MultiDict[str, str]):
        pass

    assert isinstance(http.parse_cookie("a=1", cls=Mine), Mine)
    assert isinstance(http.parse_cookie(None, cls=Mine), Mine)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "k=v; Path=/"),
        ({"path": None}, "k=v"),
        ({"value": "a b"}, 'k="a b"; Path=/'),
        ({"value": 'q"\\;,'}, 'k="q\\"\\\\\\073\\054"; Path=/'),
        ({"value": "é"}, 'k="\\303\\251"; Path=/'),
        ({"value": b"bytes"}, "k=bytes; Path=/"),
        ({"value": ""}, "k=; Path=/"),
        (
            {"max_age": 0, "expires": 0},
            "k=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
        ),
        ({"max_age": timedelta(hours=1), "sync_expires": False}, "k=v; Max-Age=3600; Path=/"),
        (
            {"expires": "Thu, 01 Jan 1970 00:00:00 GMT", "path": None},
            "k=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ),
        (
            {"expires": datetime(2030, 1, 1), "path": None},
            "k=v; Expires=Tue, 01 Jan 2030 00:00:00 GMT",
        ),
        ({"domain": "example.test"}, "k=v; Domain=example.test; Path=/"),
        ({"domain": "bücher.test"}, "k=v; Domain=xn--bcher-kva.test; Path=/"),
        ({"path": "/a b/ü"}, "k=v; Path=/a%20b/%C3%BC"),
        ({"secure": True, "httponly": True}, "k=v; Secure; HttpOnly; Path=/"),
        ({"samesite": "lax"}, "k=v; Path=/; SameSite=Lax"),
        ({"samesite": "NONE", "secure": True}, "k=v; Secure; Path=/; SameSite=None"),
        ({"partitioned": True}, "k=v; Secure; Path=/; Partitioned"),
    ],
)
def test_dump_cookie(kwargs: dict[str, t.Any], expected: str) -> None:
    kwargs.setdefault("value", "v")
    assert http.dump_cookie("k", **kwargs) == expected


def test_dump_cookie_max_age_sets_expires() -> None:
    header = http.dump_cookie("k", "v", max_age=60)
    expires = http.parse_date(header.split("Expires=")[1].split(";")[0])
    assert expires is not None
    assert 50 < (expires - datetime.now(UTC)).total_seconds() <= 61


@pytest.mark.parametrize(
    ("key", "kwargs", "match"),
    [
        ("", {}, "token"),
        ("a b", {}, "token"),
        ("a;b", {}, "token"),
        ("a=b", {}, "token"),
        ("a\r\nb", {}, "token"),
        ("é", {}, "token"),
        ("k", {"path": "/;Domain=evil"}, "header injection"),
        ("k", {"path": "/\r\nX: y"}, "header injection"),
        ("k", {"domain": "a.test;x"}, "header injection"),
        ("k", {"expires": "x\ny"}, "header injection"),
        ("k", {"samesite": "Sometimes"}, "SameSite"),
        ("__Secure-id", {}, "__Secure-"),
        ("__Host-id", {}, "__Host-"),
        ("__host-id", {"secure": True, "path": "/sub"}, "__Host-"),
        ("__Host-id", {"secure": True, "domain": "a.test"}, "__Host-"),
    ],
)
def test_dump_cookie_refuses(key: str, kwargs: dict[str, t.Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        http.dump_cookie(key, "v", **kwargs)


def test_dump_cookie_prefixes_accepted() -> None:
    assert http.dump_cookie("__Secure-id", "v", secure=True).startswith("__Secure-id=v")
    assert http.dump_cookie("__Host-id", "v", partitioned=True).startswith("__Host-id=v")


def test_dump_cookie_size_warning() -> None:
    with pytest.warns(UserWarning, match="4093"):
        http.dump_cookie("big", "x" * 5000)
    with pytest.warns(UserWarning, match="10 bytes"):
        http.dump_cookie("k", "x" * 10, max_size=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        http.dump_cookie("big", "x" * 5000, max_size=0)
        http.dump_cookie("k", "x" * 4000)


_cookie_names = st.from_regex(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,12}", fullmatch=True)


@given(_cookie_names, st.text(max_size=40))
def test_cookie_round_trip(key: str, value: str) -> None:
    header = http.dump_cookie(key, value, path=None, max_size=0)
    assert http.parse_cookie(header).get(key) == value
    # And through a WSGI string, as a server hands it over (bytes as latin-1).
    wsgi = header.encode("utf-8").decode("latin-1")
    assert http.parse_cookie(wsgi).get(key) == value


# -- any input gives a value or a defined error --------------------------------------------------

_headerish = st.one_of(
    st.text(),
    st.text(alphabet='abcW/*"\\=;,- 0123456789q.', max_size=40),
)


@given(_headerish)
def test_parsers_never_raise(value: str) -> None:
    http.parse_list_header(value)
    http.parse_dict_header(value)
    http.parse_options_header(value)
    http.parse_set_header(value)
    http.parse_cache_control_header(value, None, ResponseCacheControl).to_header()
    for cls in (Accept, MIMEAccept, LanguageAccept, CharsetAccept):
        accept = http.parse_accept_header(value, cls)
        accept.best_match(["text/html", "en-US", "utf-8", value])
        accept.to_header()
    http.parse_etags(value).to_header()
    http.parse_if_range_header(value)
    http.parse_range_header(value)
    http.parse_content_range_header(value)
    http.parse_date(value)
    http.parse_age(value)
    http.parse_cookie(value)
    http.unquote_etag(value)
    http.unquote_header_value(value)
    http.is_resource_modified(
        http_range=value,
        http_if_range=value,
        http_if_none_match=value,
        http_if_modified_since=value,
        etag="abc",
        last_modified=_LM,
        ignore_if_range=False,
    )


@given(st.binary())
def test_parse_cookie_bytes_never_raises(value: bytes) -> None:
    assert isinstance(http.parse_cookie(value), MultiDict)


@given(st.text(max_size=30), st.text(max_size=30))
def test_dump_cookie_value_or_value_error(key: str, value: str) -> None:
    try:
        header = http.dump_cookie(key, value, max_size=0)
    except ValueError:
        return
    assert "\r" not in header
    assert "\n" not in header
    assert http.parse_cookie(header).get(key) == value


def test_status_codes() -> None:
    assert http.HTTP_STATUS_CODES[404] == "Not Found"
    assert http.HTTP_STATUS_CODES[418] == "I'm a teapot"
    assert http.HTTP_STATUS_CODES[413] == "Request Entity Too Large"


def test_http_date_of_now_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Date of a response is formatted once per second; a new second gives a new text.
    clock = [784111777.25]
    monkeypatch.setattr("erlen.http.time.time", lambda: clock[0])
    assert http.http_date() == "Sun, 06 Nov 1994 08:49:37 GMT"
    clock[0] += 0.5
    assert http.http_date() == "Sun, 06 Nov 1994 08:49:37 GMT"
    clock[0] += 1
    assert http.http_date() == "Sun, 06 Nov 1994 08:49:38 GMT"


@pytest.mark.parametrize("timestamp", [784111777, 784111777.9, 0, 0.0])
def test_http_date_of_a_number_is_that_second(timestamp: float) -> None:
    expected = datetime.fromtimestamp(int(timestamp), UTC)
    assert http.parse_date(http.http_date(timestamp)) == expected

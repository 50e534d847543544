"""Properties over arbitrary input for every header parser in erlen.http and the header
datastructures: any byte string gives a value or a defined error, never another exception,
and what the ``dump_*`` side writes parses back to the same value."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from erlen import http
from erlen.datastructures import (
    Accept,
    Authorization,
    CharsetAccept,
    ContentRange,
    ETags,
    HeaderSet,
    IfRange,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    WWWAuthenticate,
)
from erlen.wrappers import Request

from .conftest import raw_environ


def wsgi_string(raw: bytes) -> str:
    """A header as a WSGI server hands it over: its bytes decoded as latin-1 (PEP 3333)."""
    return raw.decode("latin-1")


# Bytes that matter to header grammars, mixed with anything at all.
_header_bytes = st.one_of(
    st.binary(max_size=80),
    st.lists(
        st.sampled_from(
            [
                b'"',
                b"\\",
                b",",
                b";",
                b"=",
                b" ",
                b"\t",
                b"W/",
                b"*",
                b"-",
                b"/",
                b"q=",
                b"0",
                b"9",
                b".",
                b"bytes",
                b"GMT",
                b"Basic ",
                b"Bearer ",
                b"\xff",
                b"\xc3\xa9",
                b"\x00",
                b"\r\n",
                b"a",
                b"__Host-",
                b"%",
                b"'",
            ]
        ),
        max_size=30,
    ).map(b"".join),
)

_LM = datetime(2020, 1, 1, tzinfo=UTC)


@given(_header_bytes)
def test_every_parser_gives_a_value_for_any_bytes(raw: bytes) -> None:
    value = wsgi_string(raw)
    assert isinstance(http.parse_list_header(value), list)
    assert isinstance(http.parse_dict_header(value), dict)
    mimetype, params = http.parse_options_header(value)
    assert isinstance(mimetype, str)
    assert isinstance(params, dict)
    assert isinstance(http.parse_set_header(value), HeaderSet)
    assert isinstance(http.parse_cache_control_header(value), RequestCacheControl)
    cc = http.parse_cache_control_header(value, None, ResponseCacheControl)
    assert isinstance(cc.to_header(), str)
    for cls in (Accept, MIMEAccept, LanguageAccept, CharsetAccept):
        accept = http.parse_accept_header(value, cls)
        assert isinstance(accept, cls)
        accept.best_match(["text/html", "en-US", "en", "utf-8"])
        assert isinstance(accept.to_header(), str)
    assert isinstance(http.parse_etags(value), ETags)
    assert isinstance(http.parse_if_range_header(value), IfRange)
    assert isinstance(http.parse_range_header(value), Range | None)
    assert isinstance(http.parse_content_range_header(value), ContentRange | None)
    assert isinstance(http.parse_date(value), datetime | None)
    http.parse_age(value)
    assert isinstance(http.parse_cookie(value), MultiDict)
    assert isinstance(http.parse_cookie(raw), MultiDict)
    http.unquote_etag(value)
    assert isinstance(http.unquote_header_value(value), str)
    assert isinstance(http.parse_csp_header(value), dict)
    assert isinstance(Authorization.from_header(value), Authorization | None)
    assert isinstance(WWWAuthenticate.from_header(value), WWWAuthenticate | None)
    assert isinstance(
        http.is_resource_modified(
            http_range=value,
            http_if_range=value,
            http_if_none_match=value,
            http_if_modified_since=value,
            etag="abc",
            last_modified=_LM,
            ignore_if_range=False,
        ),
        bool,
    )


@given(_header_bytes)
def test_request_header_properties_never_fail(raw: bytes) -> None:
    """The same through the request object, as a view sees hostile headers."""
    value = wsgi_string(raw)
    names = [
        "ACCEPT",
        "ACCEPT_CHARSET",
        "ACCEPT_ENCODING",
        "ACCEPT_LANGUAGE",
        "AUTHORIZATION",
        "CACHE_CONTROL",
        "COOKIE",
        "DATE",
        "IF_MATCH",
        "IF_NONE_MATCH",
        "IF_MODIFIED_SINCE",
        "IF_UNMODIFIED_SINCE",
        "IF_RANGE",
        "RANGE",
        "PRAGMA",
        "MAX_FORWARDS",
    ]
    req = Request(raw_environ(CONTENT_TYPE=value, **{f"HTTP_{n}": value for n in names}))
    req.accept_mimetypes.best_match(["text/html", "application/json"])
    req.accept_languages.best_match(["en", "en-US"])
    _ = (req.accept_charsets, req.accept_encodings, req.authorization, req.cache_control)
    _ = (req.cookies, req.date, req.if_match, req.if_none_match, req.if_modified_since)
    _ = (req.if_unmodified_since, req.if_range, req.range, req.pragma, req.max_forwards)
    _ = (req.mimetype, req.mimetype_params)


# -- round trips ------------------------------------------------------------------------------

_tokens = st.from_regex(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,10}", fullmatch=True)
_texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@given(st.lists(_texts.filter(lambda s: s.strip() == s and s), max_size=5))
def test_list_header_round_trip(items: list[str]) -> None:
    assert http.parse_list_header(http.dump_header(items)) == items


@given(st.dictionaries(_tokens, st.one_of(st.none(), _texts), max_size=5))
def test_dict_header_round_trip(mapping: dict[str, str | None]) -> None:
    assert http.parse_dict_header(http.dump_header(mapping)) == mapping


@given(st.dictionaries(_tokens.map(str.lower), st.one_of(st.none(), _tokens), max_size=5))
def test_cache_control_round_trip(directives: dict[str, str | None]) -> None:
    cc = ResponseCacheControl(directives)
    parsed = http.parse_cache_control_header(cc.to_header(), None, ResponseCacheControl)
    assert dict(parsed) == directives


@given(st.integers(0, 10**9), st.integers(1, 10**6), st.integers(0, 10**6))
def test_content_range_round_trip(start: int, size: int, extra: int) -> None:
    header = ContentRange("bytes", start, start + size, start + size + extra).to_header()
    parsed = http.parse_content_range_header(header)
    assert parsed is not None
    assert (parsed.units, parsed.start, parsed.stop, parsed.length) == (
        "bytes",
        start,
        start + size,
        start + size + extra,
    )


@given(
    st.one_of(
        st.text(
            st.characters(blacklist_characters='"', blacklist_categories=("Cs", "Cc")),
            min_size=1,
            max_size=10,
        )
    )
)
def test_if_range_etag_round_trip(tag: str) -> None:
    parsed = http.parse_if_range_header(IfRange(etag=tag).to_header())
    if parsed.date is None:  # a tag that happens to read as a date is a date
        assert parsed.etag == tag


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)))
def test_if_range_date_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=0, tzinfo=UTC)
    assert http.parse_if_range_header(IfRange(date=when).to_header()).date == when


@given(
    _tokens.filter(lambda s: s.lower() != "basic"),
    st.dictionaries(_tokens.map(str.lower), _texts, min_size=1, max_size=4),
)
def test_www_authenticate_round_trip(scheme: str, params: dict[str, str]) -> None:
    challenge = WWWAuthenticate(scheme, params)
    parsed = WWWAuthenticate.from_header(challenge.to_header())
    assert parsed == challenge


@given(st.from_regex(r"[A-Za-z0-9\-._~+/]{1,30}={0,2}", fullmatch=True))
def test_bearer_round_trip(token: str) -> None:
    auth = Authorization.from_header(f"Bearer {token}")
    assert auth is not None
    assert (auth.type, auth.token) == ("bearer", token)
    assert Authorization.from_header(auth.to_header()) == auth


@given(
    st.dictionaries(
        _tokens.map(str.lower),
        st.lists(_tokens, min_size=1, max_size=3).map(" ".join),
        min_size=1,
        max_size=4,
    )
)
def test_csp_round_trip(policy: dict[str, str]) -> None:
    assert http.parse_csp_header(http.dump_csp_header(policy)) == policy


def test_csp_header_table() -> None:
    assert http.parse_csp_header("default-src 'self'; img-src *; ; upgrade-insecure-requests") == {
        "default-src": "'self'",
        "img-src": "*",
        "upgrade-insecure-requests": "",
    }
    assert http.dump_csp_header({"default-src": "'self'", "sandbox": ""}) == (
        "default-src 'self'; sandbox"
    )
    assert http.parse_csp_header(None) == {}


def test_entity_and_hop_by_hop_headers() -> None:
    headers: list[tuple[str, str]] = [
        ("Content-Type", "text/plain"),
        ("Expires", "0"),
        ("Content-Location", "/x"),
        ("Connection", "close"),
        ("Keep-Alive", "5"),
        ("ETag", '"a"'),
    ]
    kept = list(headers)
    http.remove_entity_headers(kept)
    assert kept == [
        ("Expires", "0"),
        ("Content-Location", "/x"),
        ("Connection", "close"),
        ("Keep-Alive", "5"),
        ("ETag", '"a"'),
    ]
    http.remove_entity_headers(kept, allowed=())
    assert ("Expires", "0") not in kept
    http.remove_hop_by_hop_headers(kept)
    assert kept == [("ETag", '"a"')]
    assert http.is_entity_header("content-length")
    assert not http.is_entity_header("ETag")
    assert http.is_hop_by_hop_header("Transfer-Encoding")
    assert not http.is_hop_by_hop_header("Host")

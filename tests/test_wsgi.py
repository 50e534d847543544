"""Host validation, Content-Length and the bounded input stream."""

from __future__ import annotations

import io
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen.exceptions import (
    BadHost,
    BadRequest,
    ClientDisconnected,
    HTTPException,
    RequestEntityTooLarge,
    SecurityError,
)
from erlen.wsgi import (
    LimitedStream,
    get_content_length,
    get_host,
    get_input_stream,
    host_is_trusted,
    read_small_body,
)

from .conftest import raw_environ


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"HTTP_HOST": "example.test"}, "example.test"),
        ({"HTTP_HOST": "example.test:80"}, "example.test"),
        ({"HTTP_HOST": "example.test:8080"}, "example.test:8080"),
        ({"HTTP_HOST": "example.test:443", "wsgi.url_scheme": "https"}, "example.test"),
        ({"HTTP_HOST": "[::1]:80"}, "[::1]"),
        ({"HTTP_HOST": "[::1]"}, "[::1]"),
        ({"HTTP_HOST": "", "SERVER_NAME": "srv", "SERVER_PORT": "8000"}, "srv:8000"),
        ({"HTTP_HOST": "", "SERVER_NAME": "srv", "SERVER_PORT": "80"}, "srv"),
        ({"HTTP_HOST": "example.test:"}, "example.test"),  # RFC 3986 allows an empty port
        ({"HTTP_HOST": "[::1]:"}, "[::1]"),
        ({"HTTP_HOST": "example.test:65535"}, "example.test:65535"),
        ({"HTTP_HOST": "example.test:0"}, "example.test:0"),
        ({"HTTP_HOST": "a" * 253}, "a" * 253),
        ({"HTTP_HOST": "a" * 253 + ":8080"}, "a" * 253 + ":8080"),
        ({"HTTP_HOST": "[2001:db8::7]:8443"}, "[2001:db8::7]:8443"),
        ({"HTTP_HOST": "[::ffff:192.0.2.1]"}, "[::ffff:192.0.2.1]"),
        ({"HTTP_HOST": "[v1.fe80::a]:8080"}, "[v1.fe80::a]:8080"),  # RFC 3986 IPvFuture
        ({"HTTP_HOST": "a" * 253 + "."}, "a" * 253 + "."),  # the root's dot is not counted
        ({"HTTP_HOST": "", "SERVER_NAME": "::1", "SERVER_PORT": "5000"}, "[::1]:5000"),
        ({"HTTP_HOST": "", "SERVER_NAME": "::1", "SERVER_PORT": "80"}, "[::1]"),
        ({"HTTP_HOST": "", "SERVER_NAME": "[::1]", "SERVER_PORT": "8000"}, "[::1]:8000"),
        ({"HTTP_HOST": "", "SERVER_NAME": "", "SERVER_PORT": "8080"}, ""),  # no name at all
    ],
)
def test_get_host(overrides: dict[str, str], expected: str) -> None:
    assert get_host(raw_environ(**overrides)) == expected


@pytest.mark.parametrize(
    "host",
    [
        "evil.test\r\nX: y",
        "a b",
        "a/b",
        "user@host",
        "h\x00",
        "caf\xe9.test",
        "<script>",
        "example.test:99999x",  # a port that is not a number
        "example.test:65536",  # a number no port can be
        "example.test:123456",
        "example.test:+80",
        "example.test:-1",
        "example.test:\u0668\u0660",  # Arabic-Indic digits, decimal to str.isdecimal
        "example.test:80:80",
        "a:b:c",
        ":8080",  # no name
        "a" * 254,
        "a" * 100_000,
        "a[b].test",
        "a]b",
        "[]",
        "[::1",
        "[::1]x",
        "[::1]:65536",
        "[[::1]]",
        "[example.test]",  # brackets hold an IP address, not a name
        "[1.2.3.4]",
        "[a]",
        "[::1::2]",
        "[fe80::1%25eth0]",  # a zone id cannot be sent in a Host header (RFC 6874 is dead)
        "a" * 254 + ".",
    ],
)
def test_get_host_rejects_hostile_values(host: str) -> None:
    with pytest.raises(BadHost):
        get_host(raw_environ(HTTP_HOST=host))


def test_server_name_fallback_is_checked_too() -> None:
    with pytest.raises(BadHost, match="SERVER_NAME and SERVER_PORT"):
        get_host(raw_environ(HTTP_HOST="", SERVER_NAME="srv", SERVER_PORT="99999"))
    assert get_host(raw_environ(HTTP_HOST="", SERVER_NAME="", SERVER_PORT="")) == ""
    with pytest.raises(BadHost, match="The Host header"):
        get_host(raw_environ(HTTP_HOST="a b"))


def test_bad_host_message_does_not_echo_a_huge_header() -> None:
    with pytest.raises(BadHost) as caught:
        get_host(raw_environ(HTTP_HOST="a" * 100_000))
    message = str(caught.value.description)
    assert len(message) < 300
    assert "100000 characters" in message
    with pytest.raises(SecurityError) as refused:
        get_host(raw_environ(HTTP_HOST="b" * 200), ["good.test"])
    assert "200 characters" in str(refused.value.description)


@pytest.mark.parametrize(
    ("host", "trusted", "ok"),
    [
        ("a.test", ["a.test"], True),
        ("A.TEST:8000", ["a.test"], True),
        ("b.a.test", [".a.test"], True),
        ("a.test", [".a.test"], True),
        ("evila.test", [".a.test"], False),
        ("b.a.test", ["a.test"], False),
        ("[::1]:5000", ["[::1]"], True),
        ("", ["a.test"], False),
        ("a.test", "a.test", True),
    ],
)
def test_host_is_trusted(host: str, trusted: list[str], ok: bool) -> None:
    assert host_is_trusted(host, trusted) is ok


def test_untrusted_host_is_security_error() -> None:
    with pytest.raises(SecurityError):
        get_host(raw_environ(HTTP_HOST="evil.test"), ["good.test"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("0", 0), ("12", 12), ("007", 7)],
)
def test_content_length(value: str | None, expected: int | None) -> None:
    environ = raw_environ()
    if value is not None:
        environ["CONTENT_LENGTH"] = value
    assert get_content_length(environ) == expected


@pytest.mark.parametrize("value", ["-1", "+1", "1.0", "abc", " 1", "1 ", "١٢", "0x10"])
def test_bad_content_length(value: str) -> None:
    with pytest.raises(BadRequest, match="Content-Length"):
        get_content_length(raw_environ(CONTENT_LENGTH=value))


def test_chunked_has_no_length() -> None:
    environ = raw_environ(CONTENT_LENGTH="5", HTTP_TRANSFER_ENCODING="chunked")
    assert get_content_length(environ) is None


def test_input_stream_limits() -> None:
    environ = raw_environ(CONTENT_LENGTH="3", **{"wsgi.input": io.BytesIO(b"abcdef")})
    assert get_input_stream(environ).read() == b"abc"
    with pytest.raises(RequestEntityTooLarge):
        get_input_stream(raw_environ(CONTENT_LENGTH="10"), max_content_length=5)
    unterminated = raw_environ(**{"wsgi.input": io.BytesIO(b"data")})
    assert get_input_stream(unterminated).read() == b""
    assert get_input_stream(unterminated, safe_fallback=False).read() == b"data"


def test_terminated_stream_respects_maximum() -> None:
    environ = raw_environ(**{"wsgi.input": io.BytesIO(b"x" * 10), "wsgi.input_terminated": True})
    with pytest.raises(RequestEntityTooLarge):
        get_input_stream(environ, max_content_length=5).read()
    environ["wsgi.input"] = io.BytesIO(b"x" * 4)
    assert get_input_stream(environ, max_content_length=5).read() == b"x" * 4
    environ["wsgi.input"] = io.BytesIO(b"raw")
    assert get_input_stream(environ).read() == b"raw"


def test_limited_stream_disconnect() -> None:
    stream = LimitedStream(io.BytesIO(b"ab"), 5)
    with pytest.raises(ClientDisconnected):
        stream.read()


def test_limited_stream_api() -> None:
    stream = LimitedStream(io.BytesIO(b"line1\nline2\nrest"), 12)
    assert stream.readable()
    assert stream.readline() == b"line1\n"
    assert stream.tell() == 6
    assert stream.read(100) == b"line2\n"
    assert stream.is_exhausted
    assert stream.read(1) == b""


@given(st.binary(max_size=200), st.integers(min_value=0, max_value=300))
def test_limited_stream_never_reads_past_limit(data: bytes, limit: int) -> None:
    source = io.BytesIO(data + b"TRAILING")
    stream = LimitedStream(source, min(limit, len(data)))
    out = stream.read()
    assert out == data[: min(limit, len(data))]
    assert source.tell() == len(out)


def _read_outcome(read: t.Callable[[], bytes | None]) -> tuple[str, t.Any]:
    try:
        return ("data", read())
    except HTTPException as e:
        return ("error", type(e))


@pytest.mark.parametrize(
    ("overrides", "limit"),
    [
        ({"CONTENT_LENGTH": "5"}, None),
        ({"CONTENT_LENGTH": "3"}, None),  # less than was sent: only that much
        ({"CONTENT_LENGTH": "9"}, None),  # more than was sent: the client went away
        ({"CONTENT_LENGTH": "0"}, None),
        ({}, None),  # no length: nothing is read
        ({"CONTENT_LENGTH": "5"}, 4),  # over the limit
        ({"CONTENT_LENGTH": "5"}, 5),
        ({"CONTENT_LENGTH": "-1"}, None),
        ({"CONTENT_LENGTH": "5", "HTTP_TRANSFER_ENCODING": "chunked"}, None),
    ],
)
def test_read_small_body_reads_what_the_stream_would(
    overrides: dict[str, str], limit: int | None
) -> None:
    def environ() -> dict[str, t.Any]:
        return raw_environ(**{"wsgi.input": io.BytesIO(b"hello"), **overrides})

    fast = _read_outcome(lambda: read_small_body(environ(), limit))
    slow = _read_outcome(lambda: get_input_stream(environ(), max_content_length=limit).read())
    assert fast == slow


@pytest.mark.parametrize(
    "overrides",
    [{"CONTENT_LENGTH": str(64 * 1024 + 1)}, {"wsgi.input_terminated": True}],
)
def test_read_small_body_leaves_large_and_terminated_bodies_to_the_stream(
    overrides: dict[str, t.Any],
) -> None:
    assert read_small_body(raw_environ(**overrides), None) is None

"""The response's typed header properties: each reads the header through erlen.http and
writes it back, and a bad value is refused rather than sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from erlen import Response
from erlen.datastructures import ContentRange, WWWAuthenticate


def test_date_properties() -> None:
    resp = Response()
    when = datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)
    for name in ("date", "expires", "last_modified"):
        setattr(resp, name, when)
        assert getattr(resp, name) == when
        setattr(resp, name, 0)
        assert getattr(resp, name) == datetime(1970, 1, 1, tzinfo=UTC)
        setattr(resp, name, "not a date")
        assert getattr(resp, name) is None
        setattr(resp, name, None)
    assert "Expires" not in resp.headers


def test_retry_after() -> None:
    resp = Response()
    assert resp.retry_after is None
    resp.retry_after = 120
    assert resp.headers["Retry-After"] == "120"
    assert resp.retry_after is not None
    assert 100 < (resp.retry_after - datetime.now(UTC)).total_seconds() <= 120
    when = datetime(2030, 1, 1, tzinfo=UTC)
    resp.retry_after = when
    assert resp.headers["Retry-After"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert resp.retry_after == when
    resp.retry_after = None
    assert "Retry-After" not in resp.headers


def test_age() -> None:
    resp = Response()
    assert resp.age is None
    resp.age = timedelta(minutes=2)
    assert resp.headers["Age"] == "120"
    assert resp.age == timedelta(seconds=120)
    resp.age = None
    assert "Age" not in resp.headers
    with pytest.raises(ValueError, match="negative"):
        resp.age = -1


def test_cache_control_writes_back() -> None:
    resp = Response()
    resp.cache_control.max_age = 60
    resp.cache_control.public = True
    assert resp.headers["Cache-Control"] == "max-age=60, public"
    resp.cache_control.public = False
    resp.cache_control.max_age = None
    assert "Cache-Control" not in resp.headers


def test_content_range_property() -> None:
    resp = Response()
    rng = resp.content_range
    assert not rng
    rng.set(0, 10, 100)
    assert resp.headers["Content-Range"] == "bytes 0-9/100"
    resp.content_range.stop = 20
    assert resp.headers["Content-Range"] == "bytes 0-19/100"
    resp.content_range = ContentRange("bytes", None, None, 5)
    assert resp.headers["Content-Range"] == "bytes */5"
    resp.content_range = "bytes 1-1/2"
    assert resp.content_range.start == 1
    resp.content_range = None
    assert "Content-Range" not in resp.headers


def test_www_authenticate_setter() -> None:
    resp = Response()
    resp.www_authenticate = WWWAuthenticate("basic", {"realm": "a"})
    assert resp.headers.getlist("WWW-Authenticate") == ['Basic realm="a"']
    resp.www_authenticate = [WWWAuthenticate("basic"), WWWAuthenticate("bearer", {"scope": "x"})]
    assert resp.headers.getlist("WWW-Authenticate") == ["Basic", 'Bearer scope="x"']
    assert resp.www_authenticate.type == "basic"
    resp.www_authenticate = None
    assert "WWW-Authenticate" not in resp.headers


def test_set_properties_and_credentials() -> None:
    resp = Response()
    resp.vary.add("Cookie")
    resp.vary.add("accept-encoding")
    assert resp.headers["Vary"] == "Cookie, accept-encoding"
    resp.allow = ["GET", "HEAD"]
    assert resp.headers["Allow"] == "GET, HEAD"
    assert "get" in resp.allow
    resp.allow = None
    assert "Allow" not in resp.headers
    assert resp.access_control_allow_credentials is False
    resp.access_control_allow_credentials = True
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.access_control_allow_credentials is True
    resp.access_control_allow_credentials = False
    assert "Access-Control-Allow-Credentials" not in resp.headers


def test_plain_header_properties() -> None:
    resp = Response()
    resp.content_security_policy = "default-src 'self'"
    assert resp.headers["Content-Security-Policy"] == "default-src 'self'"
    del resp.content_security_policy
    assert resp.content_security_policy is None
    resp.access_control_max_age = 600
    assert resp.headers["Access-Control-Max-Age"] == "600"
    with pytest.raises(ValueError, match="header injection"):
        resp.content_location = "/x\r\nSet-Cookie: a=b"

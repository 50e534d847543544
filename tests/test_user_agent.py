"""The user agent object keeps the raw string."""

from __future__ import annotations

from erlen.user_agent import UserAgent


def test_user_agent() -> None:
    ua = UserAgent("Mozilla/5.0 Test")
    assert ua.string == "Mozilla/5.0 Test"
    assert str(ua) == "Mozilla/5.0 Test"
    assert bool(ua)
    assert not UserAgent("")
    assert ua.to_header() == "Mozilla/5.0 Test"

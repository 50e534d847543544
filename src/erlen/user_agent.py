"""The User-Agent header as an object (not parsed: parsing user agents is a losing game)."""

from __future__ import annotations


class UserAgent:
    """The raw User-Agent string. Subclass it (``Request.user_agent_class``) to parse it."""

    platform: str | None = None
    browser: str | None = None
    version: str | None = None
    language: str | None = None

    def __init__(self, string: str) -> None:
        self.string = string

    def to_header(self) -> str:
        """The header value."""
        return self.string

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        return bool(self.string)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.string!r}>"

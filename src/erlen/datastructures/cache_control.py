"""Cache-Control directives of requests and responses (RFC 9111, 5.2)."""

from __future__ import annotations

import typing as t

from .structures import CallbackDict

if t.TYPE_CHECKING:
    pass


class _Flag:
    """A directive without a value (``no-store``): ``True`` when present."""

    def __init__(self, directive: str) -> None:
        self.directive = directive

    def __get__(self, obj: _CacheControl | None, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        return self.directive in obj

    def __set__(self, obj: _CacheControl, value: bool | None) -> None:
        if value:
            obj[self.directive] = None
        else:
            obj.pop(self.directive, None)

    def __delete__(self, obj: _CacheControl) -> None:
        obj.pop(self.directive, None)


class _Seconds:
    """A directive with a number of seconds (``max-age=60``); ``None`` when absent or not a
    number. With ``bare``, the directive alone (``max-stale``) reads as that value."""

    def __init__(self, directive: str, bare: t.Any = None) -> None:
        self.directive = directive
        self.bare = bare

    def __get__(self, obj: _CacheControl | None, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        if self.directive not in obj:
            return None
        value = obj[self.directive]
        if value is None:
            return self.bare
        value = value.strip()
        return int(value) if value.isascii() and value.isdecimal() else None

    def __set__(self, obj: _CacheControl, value: int | bool | None) -> None:
        if value is None or value is False:
            obj.pop(self.directive, None)
        elif value is True:
            obj[self.directive] = None
        else:
            obj[self.directive] = str(int(value))

    def __delete__(self, obj: _CacheControl) -> None:
        obj.pop(self.directive, None)


class _FieldList:
    """``no-cache`` and ``private`` on responses: ``True`` alone, or a quoted list of field
    names (``no-cache="Set-Cookie"``) returned as a string; ``None`` when absent."""

    def __init__(self, directive: str) -> None:
        self.directive = directive

    def __get__(self, obj: _CacheControl | None, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        if self.directive not in obj:
            return None
        value = obj[self.directive]
        return True if value is None else value

    def __set__(self, obj: _CacheControl, value: str | bool | None) -> None:
        if value is None or value is False:
            obj.pop(self.directive, None)
        elif value is True:
            obj[self.directive] = None
        else:
            obj[self.directive] = str(value)

    def __delete__(self, obj: _CacheControl) -> None:
        obj.pop(self.directive, None)


# RFC 9111 (5.2.2.4, 5.2.2.7) recommends the quoted form for these field-name lists.
_QUOTED_DIRECTIVES = frozenset({"no-cache", "private"})


class _CacheControl(CallbackDict[str, str | None]):
    """Cache-Control directives (lower-case names, ``None`` for a directive without a
    value), also readable and settable as attributes; every change calls ``on_update``."""

    def __init__(
        self,
        values: t.Mapping[str, str | None] | t.Iterable[tuple[str, str | None]] | None = (),
        on_update: t.Callable[[t.Self], None] | None = None,
    ) -> None:
        super().__init__(values or (), on_update)
        self.provided = values is not None

    def to_header(self) -> str:
        """The header value, such as ``max-age=60, public``."""
        return ", ".join(
            key
            if value is None
            else f"{key}={http.quote_header_value(value, key not in _QUOTED_DIRECTIVES)}"
            for key, value in self.items()
        )

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"

    no_store: bool = t.cast(bool, _Flag("no-store"))
    no_transform: bool = t.cast(bool, _Flag("no-transform"))
    max_age: int | None = t.cast("int | None", _Seconds("max-age"))
    stale_if_error: int | None = t.cast("int | None", _Seconds("stale-if-error"))


class RequestCacheControl(_CacheControl):
    """The Cache-Control header of a request (RFC 9111, 5.2.1)."""

    no_cache: bool = t.cast(bool, _Flag("no-cache"))
    only_if_cached: bool = t.cast(bool, _Flag("only-if-cached"))
    min_fresh: int | None = t.cast("int | None", _Seconds("min-fresh"))
    #: ``True`` for ``max-stale`` without a value (any staleness), else the seconds.
    max_stale: int | bool | None = t.cast("int | bool | None", _Seconds("max-stale", True))


class ResponseCacheControl(_CacheControl):
    """The Cache-Control header of a response (RFC 9111, 5.2.2, plus RFC 5861 and 8246)."""

    no_cache: str | bool | None = t.cast("str | bool | None", _FieldList("no-cache"))
    private: str | bool | None = t.cast("str | bool | None", _FieldList("private"))
    public: bool = t.cast(bool, _Flag("public"))
    must_revalidate: bool = t.cast(bool, _Flag("must-revalidate"))
    must_understand: bool = t.cast(bool, _Flag("must-understand"))
    proxy_revalidate: bool = t.cast(bool, _Flag("proxy-revalidate"))
    immutable: bool = t.cast(bool, _Flag("immutable"))
    s_maxage: int | None = t.cast("int | None", _Seconds("s-maxage"))
    stale_while_revalidate: int | None = t.cast("int | None", _Seconds("stale-while-revalidate"))


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

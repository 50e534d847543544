"""Conditional and partial requests: ETags, If-Range, Range and Content-Range
(RFC 9110, 13 and 14)."""

from __future__ import annotations

import collections.abc as cabc
import typing as t

if t.TYPE_CHECKING:
    pass


class ETags(cabc.Collection[str]):
    """A parsed If-Match / If-None-Match header: strong and weak tags, or ``*``.

    ``etag in etags`` is the strong comparison (``*`` matches everything);
    :meth:`contains_weak` the weak one that If-None-Match uses (RFC 9110, 8.8.3.2).
    """

    def __init__(
        self,
        strong_etags: t.Iterable[str] | None = None,
        weak_etags: t.Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        # Dicts: ordered (for to_header) with set-speed lookups.
        self._strong = dict.fromkeys(strong_etags or ()) if not star_tag else {}
        self._weak = dict.fromkeys(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        """The strong tags (and the weak ones with ``include_weak``) as a set."""
        rv = set(self._strong)
        if include_weak:
            rv.update(self._weak)
        return rv

    def is_weak(self, etag: str) -> bool:
        """Whether ``etag`` is listed as a weak tag."""
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        """Whether ``etag`` is listed as a strong tag."""
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: ``etag`` is listed, weak or strong (or the header is ``*``)."""
        return self.is_weak(etag) or self.contains(etag)

    def contains(self, etag: str) -> bool:
        """Strong comparison: ``etag`` is a listed strong tag (or the header is ``*``)."""
        return self.star_tag or etag in self._strong

    def contains_raw(self, etag: str) -> bool:
        """Like :meth:`contains` for a quoted tag; ``W/"x"`` uses the weak comparison."""
        value, weak = http.unquote_etag(etag)
        return self.contains_weak(value) if weak else self.contains(value)

    def to_header(self) -> str:
        """The header value."""
        if self.star_tag:
            return "*"
        return ", ".join(
            [f'"{tag}"' for tag in self._strong] + [f'W/"{tag}"' for tag in self._weak]
        )

    def __call__(
        self, etag: str | None = None, data: bytes | None = None, include_weak: bool = False
    ) -> bool:
        """Whether ``etag`` (or the tag of ``data``) matches."""
        if etag is None:
            if data is None:
                raise TypeError("Pass an 'etag' or 'data'.")
            etag = http.generate_etag(data)
        if include_weak and etag in self._weak:
            return True
        return self.contains(etag)

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __len__(self) -> int:
        return len(self._strong)

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._strong)

    def __contains__(self, etag: object) -> bool:
        return isinstance(etag, str) and self.contains(etag)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class IfRange:
    """A parsed If-Range header: an entity tag or a date (or neither)."""

    def __init__(self, etag: str | None = None, date: t.Any = None) -> None:
        self.etag = etag
        self.date = date

    def to_header(self) -> str:
        """The header value (``""`` when empty)."""
        if self.date is not None:
            return http.http_date(self.date)
        if self.etag is not None:
            return http.quote_etag(self.etag)
        return ""

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class Range:
    """A parsed Range header: a unit and ``(start, stop)`` pairs, ``stop`` exclusive.

    ``(-500, None)`` is the last 500 bytes, ``(100, None)`` everything from byte 100.
    """

    def __init__(self, units: str, ranges: t.Sequence[tuple[int, int | None]]) -> None:
        self.units = units
        self.ranges = list(ranges)
        for start, stop in self.ranges:
            if start is None or (stop is not None and (start < 0 or start >= stop)):
                raise ValueError(f"{(start, stop)} is not a valid range.")

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """The ``(start, stop)`` to send for a resource of ``length`` units, or ``None`` when
        the range is not satisfiable, the unit is not bytes, or several ranges are asked."""
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if stop is None:
            if start < 0:
                start = max(0, length + start)
            stop = length
        elif start >= length:
            return None
        stop = min(stop, length)
        if start >= stop:
            return None
        return start, stop

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """The Content-Range for a resource of ``length``, or ``None``."""
        rng = self.range_for_length(length)
        if rng is None:
            return None
        return ContentRange(self.units, rng[0], rng[1], length)

    def to_header(self) -> str:
        """The header value."""
        parts = []
        for start, stop in self.ranges:
            if stop is None:
                parts.append(f"{start}-" if start >= 0 else str(start))
            else:
                parts.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(parts)}"

    def to_content_range_header(self, length: int | None) -> str | None:
        """The Content-Range header value for ``length``, or ``None``."""
        rng = self.range_for_length(length)
        if rng is None:
            return None
        return f"{self.units} {rng[0]}-{rng[1] - 1}/{length}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class _UpdatingAttribute:
    """An attribute whose assignment calls the owner's ``on_update``."""

    def __set_name__(self, owner: type[t.Any], name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: t.Any, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        return getattr(obj, self.slot)

    def __set__(self, obj: t.Any, value: t.Any) -> None:
        setattr(obj, self.slot, value)
        on_update = obj.on_update
        if on_update is not None:
            on_update(obj)


class ContentRange:
    """A Content-Range header: unit, ``start``, ``stop`` (exclusive) and ``length``.

    Changing an attribute calls ``on_update`` so that a response rewrites its header.
    """

    units: str | None = t.cast("str | None", _UpdatingAttribute())
    start: int | None = t.cast("int | None", _UpdatingAttribute())
    stop: int | None = t.cast("int | None", _UpdatingAttribute())
    length: int | None = t.cast("int | None", _UpdatingAttribute())

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: t.Callable[[ContentRange], None] | None = None,
    ) -> None:
        self.on_update = None
        self.set(start, stop, length, units)
        self.on_update = on_update

    def set(
        self,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        units: str | None = "bytes",
    ) -> None:
        """Set every part at once (one ``on_update`` call)."""
        on_update, self.on_update = self.on_update, None
        self.units, self.start, self.stop, self.length = units, start, stop, length
        self.on_update = on_update
        if on_update is not None:
            on_update(self)

    def unset(self) -> None:
        """Clear it (the response then drops the header)."""
        self.set(None, None, None, None)

    def to_header(self) -> str:
        """The header value (``""`` when unset)."""
        if self.units is None:
            return ""
        length = "*" if self.length is None else str(self.length)
        if self.start is None or self.stop is None:
            return f"{self.units} */{length}"
        return f"{self.units} {self.start}-{self.stop - 1}/{length}"

    def __bool__(self) -> bool:
        return self.units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

"""``HeaderSet``: a comma-separated header (Vary, Allow) as an ordered, case-insensitive set."""

from __future__ import annotations

import collections.abc as cabc
import typing as t

if t.TYPE_CHECKING:
    pass


class HeaderSet(cabc.MutableSet[str]):
    """A comma-separated header as a case-insensitive set that keeps order and casing
    (Vary, Allow, Content-Language). Every change calls ``on_update(self)``."""

    def __init__(
        self,
        headers: t.Iterable[str] | None = None,
        on_update: t.Callable[[HeaderSet], None] | None = None,
    ) -> None:
        self._headers: list[str] = []
        self._set: set[str] = set()
        for header in headers or ():
            if header.lower() not in self._set:
                self._headers.append(header)
                self._set.add(header.lower())
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def add(self, header: str) -> None:
        """Add ``header`` unless it is there already."""
        self.update((header,))

    def update(self, iterable: t.Iterable[str]) -> None:
        """Add several headers (one ``on_update`` call)."""
        changed = False
        for header in iterable:
            key = header.lower()
            if key not in self._set:
                self._headers.append(header)
                self._set.add(key)
                changed = True
        if changed:
            self._changed()

    def remove(self, header: str) -> None:
        """Remove ``header`` (``KeyError`` when it is not there)."""
        key = header.lower()
        if key not in self._set:
            raise KeyError(header)
        self._set.discard(key)
        self._headers = [h for h in self._headers if h.lower() != key]
        self._changed()

    def discard(self, header: str) -> None:
        """Remove ``header`` if it is there."""
        if header.lower() in self._set:
            self.remove(header)

    def clear(self) -> None:
        """Remove everything."""
        self._set.clear()
        self._headers.clear()
        self._changed()

    def find(self, header: str) -> int:
        """The index of ``header``, or -1."""
        key = header.lower()
        for index, item in enumerate(self._headers):
            if item.lower() == key:
                return index
        return -1

    def index(self, header: str) -> int:
        """The index of ``header`` (``IndexError`` when it is not there)."""
        index = self.find(header)
        if index < 0:
            raise IndexError(header)
        return index

    def as_set(self, preserve_casing: bool = False) -> set[str]:
        """A plain set, lower-cased unless ``preserve_casing``."""
        return set(self._headers) if preserve_casing else set(self._set)

    def to_header(self) -> str:
        """The header value, such as ``Cookie, Accept``."""
        return ", ".join(http.quote_header_value(h) for h in self._headers)

    def __getitem__(self, index: int) -> str:
        return self._headers[index]

    def __setitem__(self, index: int, value: str) -> None:
        old = self._headers[index]
        self._set.discard(old.lower())
        self._headers[index] = value
        self._set.add(value.lower())
        self._changed()

    def __delitem__(self, index: int) -> None:
        old = self._headers.pop(index)
        self._set.discard(old.lower())
        self._changed()

    def __contains__(self, header: object) -> bool:
        return isinstance(header, str) and header.lower() in self._set

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __bool__(self) -> bool:
        return bool(self._headers)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._headers!r})"


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

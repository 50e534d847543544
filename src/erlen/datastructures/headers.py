"""``Headers``, the ordered, case-insensitive header list of requests and responses, and
``EnvironHeaders``, a read-only view of the headers in a WSGI environ."""

from __future__ import annotations

import collections.abc as cabc
import re
import typing as t

from ..exceptions import BadRequestKeyError
from .structures import _convert, _convert_all, _immutable_error, _missing, iter_multi_items

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

T = t.TypeVar("T")


def _header_name(name: object) -> str:
    if type(name) is not str:
        if not isinstance(name, str):
            raise TypeError(f"Header names must be str, not {type(name).__name__}.")
        name = str(name)
    if "\n" in name or "\r" in name or "\0" in name or ":" in name:
        raise ValueError(
            f"header names may not contain CR/LF, NUL or ':' (header injection): {name!r}"
        )
    return name


# A lookup compares lengths before lower-casing a name (PERF: most names
# that differ differ in length, and lower() makes a new string). That is exact for an ASCII
# key: the one character whose lower case is longer, U+0130, lower-cases to non-ASCII. A
# non-ASCII key (n = -1) compares every name.


# Searches for what a header name or value must not contain.
_bad_name_char = re.compile(r"[\r\n\0:]").search
_bad_value_char = re.compile(r"[\r\n\0]").search


def _header_value(name: str, value: object) -> str:
    # PERF: the one check on the way in; three substring scans of a short string.
    if type(value) is not str:
        value = str(value)
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(
            "header values may not contain CR/LF (header injection): the value of"
            f" {name!r} has a newline or NUL character"
        )
    return value


def _with_options(value: object, options: dict[str, t.Any]) -> object:
    if not options:
        return value
    return http.dump_options_header(
        str(value), {k.replace("_", "-"): v for k, v in options.items()}
    )


_HeadersInput = t.Union[
    "Headers",
    t.Mapping[str, t.Any],
    t.Iterable[tuple[str, t.Any]],
]


class Headers:
    """Case-insensitive, ordered HTTP headers, kept as a plain list of ``(name, value)``.

    Names and values are ``str``; a value with CR, LF or NUL raises ``ValueError`` (header
    injection). ``headers[name]`` is the first value (a missing name raises
    :exc:`~erlen.exceptions.BadRequestKeyError`); ``getlist`` gives them all. Iterating
    yields the ``(name, value)`` tuples.
    """

    _list: list[tuple[str, str]]

    def __init__(self, defaults: _HeadersInput | None = None) -> None:
        if defaults is None:
            self._list = []
        elif isinstance(defaults, Headers):
            # Already checked when they were added (or they came from the server).
            self._list = list(defaults._list)
        elif type(defaults) is list:
            # PERF: a list of str pairs (error pages, most callers) is checked inline.
            self._list = lst = []
            for item in defaults:
                key, value = item
                if (
                    type(key) is str
                    and type(value) is str
                    and _bad_name_char(key) is None
                    and _bad_value_char(value) is None
                ):
                    lst.append((key, value))
                else:
                    self.add(key, value)
        else:
            self._list = []
            self.extend(defaults)

    # -- reading ----------------------------------------------------------------------------
    @t.overload
    def __getitem__(self, key: str) -> str: ...
    @t.overload
    def __getitem__(self, key: int) -> tuple[str, str]: ...
    @t.overload
    def __getitem__(self, key: slice) -> Headers: ...

    def __getitem__(self, key: str | int | slice) -> str | tuple[str, str] | Headers:
        if isinstance(key, str):
            ikey = key.lower()
            n = len(ikey) if ikey.isascii() else -1  # see the note at the top
            for name, value in self._list:
                if (len(name) == n or n < 0) and name.lower() == ikey:
                    return value
            raise BadRequestKeyError(key)
        if isinstance(key, slice):
            rv = Headers()
            rv._list = self._list[key]
            return rv
        return self._list[key]

    @t.overload
    def get(self, key: str) -> str | None: ...
    @t.overload
    def get(self, key: str, default: str) -> str: ...
    @t.overload
    def get(self, key: str, default: T) -> str | T: ...
    @t.overload
    def get(self, key: str, *, type: t.Callable[[str], T]) -> T | None: ...
    @t.overload
    def get(self, key: str, default: T, type: t.Callable[[str], T]) -> T: ...

    def get(
        self, key: str, default: t.Any = None, type: t.Callable[[str], t.Any] | None = None
    ) -> t.Any:
        """The first value of ``key``, converted by ``type`` when given; ``default`` when
        missing or when the conversion raises ``ValueError`` or ``TypeError``."""
        ikey = key.lower()
        n = len(ikey) if ikey.isascii() else -1  # see the note at the top
        for name, value in self._list:
            if (len(name) == n or n < 0) and name.lower() == ikey:
                return _convert(value, type, default)
        return default

    @t.overload
    def getlist(self, key: str) -> list[str]: ...
    @t.overload
    def getlist(self, key: str, type: t.Callable[[str], T]) -> list[T]: ...

    def getlist(self, key: str, type: t.Callable[[str], t.Any] | None = None) -> list[t.Any]:
        """Every value of ``key``, in order; with ``type``, those that convert."""
        ikey = key.lower()
        if type is None:
            return [v for k, v in self._list if k.lower() == ikey]
        return _convert_all((v for k, v in self._list if k.lower() == ikey), type)

    get_all = getlist

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        ikey = key.lower()
        n = len(ikey) if ikey.isascii() else -1  # see the note at the top
        # PERF: a plain loop; any() over a generator costs a frame per header. Comparing
        # lengths first spares a lower() (a new string) for most names that differ.
        for name, _ in self._list:  # noqa: SIM110
            if (len(name) == n or n < 0) and name.lower() == ikey:
                return True
        return False

    def __iter__(self) -> t.Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __bool__(self) -> bool:
        return bool(self._list)

    def items(self, lower: bool = False) -> t.Iterator[tuple[str, str]]:
        """The ``(name, value)`` pairs; names lower-cased with ``lower``."""
        if lower:
            return ((k.lower(), v) for k, v in self._list)
        return iter(self._list)

    def keys(self, lower: bool = False) -> t.Iterator[str]:
        """The names, repeated as often as they occur."""
        return (k.lower() if lower else k for k, _ in self._list)

    def values(self) -> t.Iterator[str]:
        """The values."""
        return (v for _, v in self._list)

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """The header list for ``start_response``."""
        # A copy: servers (wsgiref among them) append their own headers to the list given.
        return list(self._list)

    def copy(self) -> Headers:
        """A copy (of the same class)."""
        return self.__class__(self)

    def __copy__(self) -> Headers:
        return self.copy()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented

        # Order between different names carries no meaning; order within a name does.
        # sorted() is stable, so it keeps the latter and erases the former.
        def key(item: tuple[str, str]) -> str:
            return item[0]

        mine = sorted(((k.lower(), v) for k, v in self._list), key=key)
        theirs = sorted(((k.lower(), v) for k, v in other._list), key=key)
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    def __str__(self) -> str:
        """The headers as an HTTP header block."""
        return "".join(f"{k}: {v}\r\n" for k, v in self._list) + "\r\n"

    # -- writing ----------------------------------------------------------------------------
    def add(self, key: str, value: t.Any, **options: t.Any) -> None:
        """Append a header; keyword arguments become parameters
        (``add("Content-Disposition", "attachment", filename="a.txt")``)."""
        key = _header_name(key)
        self._list.append((key, _header_value(key, _with_options(value, options))))

    add_header = add

    def set(self, key: str, value: t.Any, **options: t.Any) -> None:
        """Replace every ``key`` header by one with ``value`` (where the first one was)."""
        key = _header_name(key)
        value = _header_value(key, _with_options(value, options))
        ikey = key.lower()
        n = len(ikey) if ikey.isascii() else -1  # see the note at the top
        lst = self._list
        for i, (name, _) in enumerate(lst):
            if (len(name) == n or n < 0) and name.lower() == ikey:
                lst[i] = (key, value)
                rest = lst[i + 1 :]
                if rest:
                    lst[i + 1 :] = [item for item in rest if item[0].lower() != ikey]
                return
        lst.append((key, value))

    def setlist(self, key: str, values: t.Iterable[t.Any]) -> None:
        """Replace every ``key`` header by these values; an empty list removes them.

        Every value is checked before any is set, so a refused one changes nothing."""
        key = _header_name(key)
        checked = [_header_value(key, value) for value in values]
        if not checked:
            self.remove(key)
            return
        self.set(key, checked[0])
        self._list.extend((key, value) for value in checked[1:])

    def setdefault(self, key: str, default: t.Any) -> str:
        """The first value of ``key``, first adding it with ``default`` when missing."""
        value = self.get(key)
        if value is not None:
            return value
        self.add(key, default)
        return self._list[-1][1]

    def setlistdefault(self, key: str, default: t.Iterable[t.Any]) -> list[str]:
        """Every value of ``key``, first adding ``default`` when there is none."""
        if key not in self:
            self.setlist(key, default)
        return self.getlist(key)

    def extend(self, *args: _HeadersInput, **kwargs: t.Any) -> None:
        """Add headers from a mapping, pairs or ``Headers``, keeping those already there."""
        if len(args) > 1:
            raise TypeError(f"extend expected at most 1 argument, got {len(args)}")
        for source in (*args, kwargs):
            for key, value in iter_multi_items(source):
                self.add(key, value)

    def update(self, *args: _HeadersInput, **kwargs: t.Any) -> None:
        """Set headers from a mapping, pairs or ``Headers``, replacing those with the same
        names; repeated names (or list values) give several headers."""
        if len(args) > 1:
            raise TypeError(f"update expected at most 1 argument, got {len(args)}")
        grouped: dict[str, tuple[str, list[t.Any]]] = {}
        for source in (*args, kwargs):
            for key, value in iter_multi_items(source):
                entry = grouped.get(key.lower())
                if entry is None:
                    grouped[key.lower()] = (key, [value])
                else:
                    entry[1].append(value)
        for key, values in grouped.values():
            self.setlist(key, values)

    def __ior__(self, other: _HeadersInput) -> t.Self:
        self.update(other)
        return self

    def __or__(self, other: _HeadersInput) -> Headers:
        if not isinstance(other, Headers | cabc.Mapping | list | tuple):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    @t.overload
    def __setitem__(self, key: str, value: t.Any) -> None: ...
    @t.overload
    def __setitem__(self, key: int, value: tuple[str, t.Any]) -> None: ...
    @t.overload
    def __setitem__(self, key: slice, value: t.Iterable[tuple[str, t.Any]]) -> None: ...

    def __setitem__(self, key: str | int | slice, value: t.Any) -> None:
        if isinstance(key, str):
            self.set(key, value)
        elif isinstance(key, slice):
            items = []
            for name, item in value:
                name = _header_name(name)
                items.append((name, _header_value(name, item)))
            self._list[key] = items
        else:
            name = _header_name(value[0])
            self._list[key] = (name, _header_value(name, value[1]))

    def __delitem__(self, key: str | int | slice) -> None:
        if isinstance(key, str):
            ikey = key.lower()
            self._list[:] = [item for item in self._list if item[0].lower() != ikey]
        else:
            del self._list[key]

    def remove(self, key: str) -> None:
        """Remove every ``key`` header (nothing happens when there is none)."""
        del self[key]

    @t.overload
    def pop(self) -> tuple[str, str]: ...
    @t.overload
    def pop(self, key: int) -> tuple[str, str]: ...
    @t.overload
    def pop(self, key: str) -> str: ...
    @t.overload
    def pop(self, key: str, default: str) -> str: ...
    @t.overload
    def pop(self, key: str, default: T) -> str | T: ...

    def pop(self, key: str | int | None = None, default: t.Any = _missing) -> t.Any:
        """Remove every ``key`` header and return the first value (``default`` when there
        is none); with no key or an index, remove and return one ``(name, value)`` pair."""
        if key is None:
            return self._list.pop()
        if isinstance(key, int):
            return self._list.pop(key)
        value = self.get(key, _missing)
        if value is _missing:
            if default is _missing:
                raise BadRequestKeyError(key)
            return default
        self.remove(key)
        return value

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last ``(name, value)`` pair."""
        return self._list.pop()

    def clear(self) -> None:
        """Remove every header."""
        del self._list[:]


def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
        return key
    return f"HTTP_{key}"


class EnvironHeaders(Headers):
    """The request headers as a read-only, case-insensitive view over a WSGI environ
    (the ``HTTP_*`` keys plus ``CONTENT_TYPE`` and ``CONTENT_LENGTH``).

    Values are read straight from the environ, without copying it; ``copy()`` gives a
    mutable :class:`Headers`.
    """

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ

    @property
    def _list(self) -> list[tuple[str, str]]:
        return list(self.__iter__())

    @_list.setter
    def _list(self, value: t.Any) -> None:
        _immutable_error(self)

    def _lookup(self, key: str) -> str | None:
        # PERF: a header read is one dict lookup, not a scan of the environ.
        env_key = _environ_key(key)
        value = self.environ.get(env_key)
        if value is not None and (env_key[0] == "H" or value):
            return t.cast(str, value)
        return None

    def __getitem__(self, key: str | int | slice) -> t.Any:
        if isinstance(key, str):
            value = self._lookup(key)
            if value is None:
                raise BadRequestKeyError(key)
            return value
        return Headers(list(self))[key]

    def get(
        self, key: str, default: t.Any = None, type: t.Callable[[str], t.Any] | None = None
    ) -> t.Any:
        """The value of ``key`` (servers join repeated headers with ``", "``)."""
        value = self._lookup(key)
        if value is None:
            return default
        return _convert(value, type, default)

    def getlist(self, key: str, type: t.Callable[[str], t.Any] | None = None) -> list[t.Any]:
        """``[value]`` or ``[]`` (the server has already joined repeated headers)."""
        value = self.get(key, _missing, type)
        return [] if value is _missing else [value]

    get_all = getlist

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __iter__(self) -> t.Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_"):
                if key != "HTTP_CONTENT_TYPE" and key != "HTTP_CONTENT_LENGTH":
                    yield key[5:].replace("_", "-").title(), value
            elif (key == "CONTENT_TYPE" or key == "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").title(), value

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def copy(self) -> Headers:
        """A mutable copy."""
        return Headers(list(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    add = add_header = set = setlist = setdefault = setlistdefault = _immutable_error
    extend = update = remove = pop = popitem = clear = _immutable_error
    __setitem__ = __delitem__ = __ior__ = _immutable_error


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

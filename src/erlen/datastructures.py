"""The containers requests and responses are made of: multi-value dicts, headers, uploads,
and the parsed forms of structured headers (Accept, ETags, Range, Cache-Control, ...).

Parsing and serialising the header syntax lives in :mod:`erlen.http`; the classes here hold
the parsed values and answer questions about them (``accept.best_match``, ``etags.contains``,
``range.range_for_length``). The names match ``werkzeug.datastructures``.
"""

from __future__ import annotations

import base64
import codecs
import collections.abc as cabc
import copy as _copy
import os
import re
import shutil
import typing as t
from io import BytesIO

from .exceptions import BadRequestKeyError

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

K = t.TypeVar("K")
V = t.TypeVar("V")
T = t.TypeVar("T")

_missing: t.Any = object()


def _immutable_error(self: object, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    raise TypeError(f"'{type(self).__name__}' objects are immutable")


def iter_multi_items(
    mapping: MultiDict[K, V] | t.Mapping[K, V | list[V] | tuple[V, ...]] | t.Iterable[tuple[K, V]],
) -> t.Iterator[tuple[K, V]]:
    """Yield ``(key, value)`` pairs from a MultiDict, a mapping or an iterable of pairs.

    In a plain mapping a list or tuple value stands for several values of the same key.
    """
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, cabc.Mapping):
        for key, value in mapping.items():
            if isinstance(value, list | tuple):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


# -- immutable basics ----------------------------------------------------------------------------


class ImmutableList(list[V]):
    """A list that refuses changes (and so can be hashed)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (list(self),)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _immutable_error
    append = extend = insert = pop = remove = clear = _immutable_error
    reverse = sort = _immutable_error


class ImmutableDict(dict[K, V]):
    """A dict that refuses changes; ``copy()`` gives a plain, mutable dict."""

    @classmethod
    def fromkeys(cls, keys: t.Iterable[t.Any], value: t.Any = None) -> t.Any:
        """Build one from ``keys``, each mapped to ``value``."""
        return cls(dict.fromkeys(keys, value))

    def copy(self) -> dict[K, V]:
        """A mutable copy."""
        return dict(self)

    def __copy__(self) -> t.Self:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (dict(self),)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    __setitem__ = __delitem__ = __ior__ = _immutable_error
    clear = pop = popitem = setdefault = update = _immutable_error


class CallbackDict(dict[K, V]):
    """A dict that calls ``on_update(self)`` after every change (sessions use it to notice
    writes)."""

    def __init__(
        self,
        initial: t.Mapping[K, V] | t.Iterable[tuple[K, V]] | None = None,
        on_update: t.Callable[[t.Any], None] | None = None,
    ) -> None:
        if initial is None:
            super().__init__()
        else:
            super().__init__(initial)
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: K) -> None:
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other: t.Any) -> t.Self:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        """Remove every item."""
        super().clear()
        self._changed()

    def pop(self, key: K, default: t.Any = _missing) -> t.Any:
        """Remove ``key`` and return its value (or ``default``)."""
        present = dict.__contains__(self, key)
        rv = super().pop(key) if default is _missing else super().pop(key, default)
        if present:
            self._changed()
        return rv

    def popitem(self) -> tuple[K, V]:
        """Remove and return the last item."""
        rv = super().popitem()
        self._changed()
        return rv

    def setdefault(self, key: K, default: t.Any = None) -> t.Any:
        """The value of ``key``, first setting it to ``default`` when missing."""
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        dict.__setitem__(self, key, default)
        self._changed()
        return default

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Update from a mapping or pairs, then notify once."""
        super().update(*args, **kwargs)
        self._changed()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


# -- multi-value dicts ---------------------------------------------------------------------------


class MultiDict(dict[K, list[V]]):
    """A dict holding several values per key, as query strings and forms do.

    ``md[key]`` and ``md.get(key)`` give the first value, ``md.getlist(key)`` all of them.
    A missing key raises :exc:`~erlen.exceptions.BadRequestKeyError` (a 400 that is also a
    ``KeyError``). ``dict(md)`` gives the first values; ``md.to_dict(flat=False)`` the lists.
    """

    def __init__(
        self,
        mapping: MultiDict[K, V]
        | t.Mapping[K, V | list[V] | tuple[V, ...]]
        | t.Iterable[tuple[K, V]]
        | None = None,
    ) -> None:
        # dict.__new__ has made the empty dict; dict methods are called directly so that
        # immutable subclasses share this __init__.
        if mapping is None:
            return
        # PERF: a list of pairs (what args and cookies are built from) is tested first, as
        # the ABC isinstance checks below cost more than grouping two pairs.
        if type(mapping) is not list:
            if isinstance(mapping, MultiDict):
                for key, existing in dict.items(mapping):
                    dict.__setitem__(self, key, list(existing))
                return
            if isinstance(mapping, cabc.Mapping):
                for key, value in mapping.items():
                    if isinstance(value, list | tuple):
                        if value:
                            dict.__setitem__(self, key, list(value))
                    else:
                        dict.__setitem__(self, key, [value])
                return
        lists: dict[K, list[V]] = {}
        for key, value in mapping:
            values = lists.get(key)
            if values is None:
                lists[key] = [value]
            else:
                values.append(value)
        dict.update(self, lists)

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (list(self.items(multi=True)),)

    def __getitem__(self, key: K) -> V:  # type: ignore[override]
        values = dict.get(self, key)
        if values:
            return values[0]
        raise BadRequestKeyError(key)

    def __setitem__(self, key: K, value: V) -> None:  # type: ignore[override]
        dict.__setitem__(self, key, [value])

    def __iter__(self) -> t.Iterator[K]:
        # Overriding __iter__ makes dict(md) go through keys() and __getitem__, so that it
        # gives the first values rather than the internal lists.
        return iter(dict.keys(self))

    def add(self, key: K, value: V) -> None:
        """Append a value for ``key``."""
        dict.setdefault(self, key, []).append(value)

    @t.overload  # type: ignore[override]
    def get(self, key: K) -> V | None: ...
    @t.overload
    def get(self, key: K, default: V) -> V: ...
    @t.overload
    def get(self, key: K, default: T) -> V | T: ...
    @t.overload
    def get(self, key: K, *, type: t.Callable[[V], T]) -> T | None: ...
    @t.overload
    def get(self, key: K, default: T, type: t.Callable[[V], T]) -> T: ...

    def get(
        self, key: K, default: t.Any = None, type: t.Callable[[V], t.Any] | None = None
    ) -> t.Any:
        """The first value of ``key``, converted by ``type`` when given; ``default`` when the
        key is missing or the conversion raises ``ValueError`` or ``TypeError``."""
        values = dict.get(self, key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except (ValueError, TypeError):
            return default

    @t.overload
    def getlist(self, key: K) -> list[V]: ...
    @t.overload
    def getlist(self, key: K, type: t.Callable[[V], T]) -> list[T]: ...

    def getlist(self, key: K, type: t.Callable[[V], t.Any] | None = None) -> list[t.Any]:
        """All values of ``key`` (a new list); with ``type``, those that convert."""
        values = dict.get(self, key)
        if not values:
            return []
        if type is None:
            return list(values)
        rv = []
        for value in values:
            try:
                rv.append(type(value))
            except (ValueError, TypeError):
                pass
        return rv

    def setlist(self, key: K, new_list: t.Iterable[V]) -> None:
        """Replace the values of ``key``; an empty list removes the key."""
        values = list(new_list)
        if values:
            dict.__setitem__(self, key, values)
        else:
            dict.pop(self, key, None)

    def setdefault(self, key: K, default: V | None = None) -> V:  # type: ignore[override]
        """The first value of ``key``, first setting it to ``default`` when missing."""
        values = dict.get(self, key)
        if values:
            return values[0]
        dict.__setitem__(self, key, [t.cast(V, default)])
        return t.cast(V, default)

    def setlistdefault(self, key: K, default_list: t.Iterable[V] | None = None) -> list[V]:
        """The list of ``key`` itself (changes to it change the dict), created when missing."""
        values = dict.get(self, key)
        if values is None:
            values = list(default_list or ())
            dict.__setitem__(self, key, values)
        return values

    def items(self, multi: bool = False) -> t.Iterator[tuple[K, V]]:  # type: ignore[override]
        """``(key, first value)`` pairs, or every ``(key, value)`` pair with ``multi``."""
        for key, values in dict.items(self):
            if multi:
                for value in values:
                    yield key, value
            elif values:
                yield key, values[0]

    def lists(self) -> t.Iterator[tuple[K, list[V]]]:
        """``(key, list of values)`` pairs."""
        for key, values in dict.items(self):
            yield key, list(values)

    def values(self) -> t.Iterator[V]:  # type: ignore[override]
        """The first value of each key."""
        for values in dict.values(self):
            if values:
                yield values[0]

    def listvalues(self) -> t.Iterator[list[V]]:
        """The list of values of each key."""
        for values in dict.values(self):
            yield list(values)

    def copy(self) -> MultiDict[K, V]:
        """A shallow, mutable copy."""
        return MultiDict(self)

    def deepcopy(self, memo: t.Any = None) -> MultiDict[K, V]:
        """A deep, mutable copy."""
        return MultiDict(_copy.deepcopy(list(self.items(multi=True)), memo))

    def __copy__(self) -> MultiDict[K, V]:
        return self.copy()

    def __deepcopy__(self, memo: t.Any) -> MultiDict[K, V]:
        return self.deepcopy(memo)

    @t.overload
    def to_dict(self) -> dict[K, V]: ...
    @t.overload
    def to_dict(self, flat: t.Literal[False]) -> dict[K, list[V]]: ...
    @t.overload
    def to_dict(self, flat: bool) -> dict[K, V] | dict[K, list[V]]: ...

    def to_dict(self, flat: bool = True) -> dict[K, V] | dict[K, list[V]]:
        """A plain dict of the first values, or (``flat=False``) of the lists."""
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def update(  # type: ignore[override]
        self,
        mapping: MultiDict[K, V]
        | t.Mapping[K, V | list[V] | tuple[V, ...]]
        | t.Iterable[tuple[K, V]],
    ) -> None:
        """Add the values of ``mapping`` to the existing ones (it extends, as in Werkzeug)."""
        for key, value in iter_multi_items(mapping):
            self.add(key, value)

    def __ior__(self, other: t.Any) -> t.Self:  # type: ignore[override]
        self.update(other)
        return self

    def __or__(self, other: t.Any) -> MultiDict[K, V]:  # type: ignore[override]
        if not isinstance(other, cabc.Mapping):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    @t.overload  # type: ignore[override]
    def pop(self, key: K) -> V: ...
    @t.overload
    def pop(self, key: K, default: V) -> V: ...
    @t.overload
    def pop(self, key: K, default: T) -> V | T: ...

    def pop(self, key: K, default: t.Any = _missing) -> t.Any:
        """Remove ``key`` and return its first value (or ``default`` when missing)."""
        values = dict.pop(self, key, None)
        if not values:
            if default is _missing:
                raise BadRequestKeyError(key)
            return default
        return values[0]

    def popitem(self) -> tuple[K, V]:  # type: ignore[override]
        """Remove a key and return ``(key, first value)``."""
        try:
            key, values = dict.popitem(self)
        except KeyError as e:
            raise BadRequestKeyError(e.args[0] if e.args else None) from None
        return key, values[0]

    def poplist(self, key: K) -> list[V]:
        """Remove ``key`` and return all its values (``[]`` when missing)."""
        return dict.pop(self, key, [])

    def popitemlist(self) -> tuple[K, list[V]]:
        """Remove a key and return ``(key, list of values)``."""
        try:
            return dict.popitem(self)
        except KeyError as e:
            raise BadRequestKeyError(e.args[0] if e.args else None) from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDict(MultiDict[K, V]):
    """A :class:`MultiDict` that refuses changes (``request.args``, ``request.form``)."""

    def copy(self) -> MultiDict[K, V]:
        """A mutable copy."""
        return MultiDict(self)

    def __copy__(self) -> t.Self:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items(multi=True)))

    __setitem__ = __delitem__ = __ior__ = _immutable_error
    add = setlist = setdefault = setlistdefault = update = _immutable_error
    pop = popitem = poplist = popitemlist = clear = _immutable_error


def _dict_getlist(d: t.Mapping[t.Any, t.Any], key: t.Any) -> list[t.Any]:
    if isinstance(d, MultiDict):
        return d.getlist(key)
    if key in d:
        return [d[key]]
    return []


class CombinedMultiDict(ImmutableMultiDict[K, V]):
    """A read-only view over several MultiDicts, searched in order (``request.values``)."""

    def __init__(self, dicts: t.Iterable[t.Mapping[K, t.Any]] | None = None) -> None:
        super().__init__()
        self.dicts: list[t.Mapping[K, t.Any]] = list(dicts or ())

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (self.dicts,)

    @classmethod
    def fromkeys(cls, keys: t.Any, value: t.Any = None) -> t.NoReturn:
        """Not supported: a combined view is built from dicts."""
        raise TypeError(f"'{cls.__name__}' does not support 'fromkeys'")

    def __getitem__(self, key: K) -> V:  # type: ignore[override]
        for d in self.dicts:
            if key in d:
                return t.cast(V, d[key])
        raise BadRequestKeyError(key)

    def get(
        self, key: K, default: t.Any = None, type: t.Callable[[V], t.Any] | None = None
    ) -> t.Any:
        """The first value found, converted by ``type`` (``default`` on failure)."""
        for d in self.dicts:
            if key in d:
                value = d[key]
                if type is None:
                    return value
                try:
                    return type(value)
                except (ValueError, TypeError):
                    return default
        return default

    def getlist(self, key: K, type: t.Callable[[V], t.Any] | None = None) -> list[t.Any]:
        """The values of ``key`` from every dict, in order."""
        rv: list[t.Any] = []
        for d in self.dicts:
            if type is None:
                rv.extend(_dict_getlist(d, key))
            else:
                for value in _dict_getlist(d, key):
                    try:
                        rv.append(type(value))
                    except (ValueError, TypeError):
                        pass
        return rv

    def _keys(self) -> dict[K, None]:
        rv: dict[K, None] = {}
        for d in self.dicts:
            rv.update(dict.fromkeys(d))
        return rv

    def keys(self) -> t.KeysView[K]:  # type: ignore[override]
        """The keys of every dict, each once, in order of appearance."""
        return self._keys().keys()

    def __iter__(self) -> t.Iterator[K]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        return any(key in d for d in self.dicts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CombinedMultiDict):
            return self.to_dict(flat=False) == other.to_dict(flat=False)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def items(self, multi: bool = False) -> t.Iterator[tuple[K, V]]:  # type: ignore[override]
        """``(key, first value)`` pairs, or every pair with ``multi``."""
        for key in self._keys():
            if multi:
                for value in self.getlist(key):
                    yield key, value
            else:
                yield key, self[key]

    def values(self) -> t.Iterator[V]:  # type: ignore[override]
        """The first value of each key."""
        for key in self._keys():
            yield self[key]

    def lists(self) -> t.Iterator[tuple[K, list[V]]]:
        """``(key, all values)`` pairs."""
        for key in self._keys():
            yield key, self.getlist(key)

    def listvalues(self) -> t.Iterator[list[V]]:
        """The lists of values."""
        for key in self._keys():
            yield self.getlist(key)

    def copy(self) -> MultiDict[K, V]:
        """A mutable MultiDict with every value."""
        return MultiDict(list(self.items(multi=True)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"


# -- headers -------------------------------------------------------------------------------------


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
            for name, value in self._list:
                if name.lower() == ikey:
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
        for name, value in self._list:
            if name.lower() == ikey:
                if type is None:
                    return value
                try:
                    return type(value)
                except (ValueError, TypeError):
                    return default
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
        rv = []
        for name, value in self._list:
            if name.lower() == ikey:
                try:
                    rv.append(type(value))
                except (ValueError, TypeError):
                    pass
        return rv

    get_all = getlist

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        ikey = key.lower()
        # PERF: a plain loop; any() over a generator costs a frame per header.
        for name, _ in self._list:  # noqa: SIM110
            if name.lower() == ikey:
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
        lst = self._list
        for i, (name, _) in enumerate(lst):
            if name.lower() == ikey:
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
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

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


# -- uploads -------------------------------------------------------------------------------------


class FileStorage:
    """An uploaded file: a stream plus the part's filename, field name and headers.

    Reading methods (``read``, ``readline``, ``seek``, ...) are those of the stream.
    """

    def __init__(
        self,
        stream: t.IO[bytes] | None = None,
        filename: str | os.PathLike[str] | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.name = name
        self.stream: t.IO[bytes] = stream if stream is not None else BytesIO()
        if filename is None:
            filename = getattr(stream, "name", None)
            if isinstance(filename, bytes):
                filename = filename.decode("utf-8", "replace")
            # Names like "<stdin>" describe the stream, not a file.
            if not isinstance(filename, str) or (filename[:1] == "<" and filename[-1:] == ">"):
                filename = None
        self.filename: str | None = None if filename is None else os.fspath(filename)
        self.headers = headers if headers is not None else Headers()
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        if content_length is not None:
            self.headers["Content-Length"] = str(content_length)

    @property
    def content_type(self) -> str | None:
        """The part's Content-Type header."""
        return self.headers.get("Content-Type")

    @property
    def content_length(self) -> int:
        """The part's Content-Length header (0 when absent or invalid)."""
        value = self.headers.get("Content-Length", "")
        return int(value) if value.isascii() and value.isdecimal() else 0

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased."""
        return http.parse_options_header(self.content_type or "")[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type's parameters."""
        return http.parse_options_header(self.content_type or "")[1]

    def save(self, dst: str | os.PathLike[str] | t.IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the stream to a path or a binary file object (which is left open)."""
        if isinstance(dst, str | os.PathLike):
            with open(dst, "wb") as f:
                shutil.copyfileobj(self.stream, f, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        """Close the stream (errors from an already-closed stream are ignored)."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> t.Any:
        if name == "stream":  # not set yet: avoid recursing while __init__ runs
            raise AttributeError(name)
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # A SpooledTemporaryFile keeps some methods on the file it wraps.
            inner = getattr(self.stream, "_file", None)
            if inner is None:
                raise
            return getattr(inner, name)

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


# -- content negotiation -------------------------------------------------------------------------


# The item type is Any for type checkers only: with tuple[str, float] every
# ``"text/html" in request.accept_mimetypes`` is a "non-overlapping container check" under
# strict mypy. Iteration and indexing are still typed as (value, quality) pairs.
class Accept(ImmutableList[t.Any]):
    """A parsed Accept-style header: ``(value, quality)`` pairs, best first.

    ``accept[value]`` and ``quality(value)`` give the quality the client gives ``value``,
    taken from the most specific entry that matches it (RFC 9110, 12.4.2), 0 when none
    does; ``value in accept`` means that quality is above 0. Without the header
    (``provided`` is false) nothing matches and ``best_match`` returns its default.
    """

    def __init__(self, values: Accept | t.Iterable[tuple[str, float]] | None = ()) -> None:
        if values is None:
            super().__init__()
            self.provided = False
        elif isinstance(values, Accept):
            super().__init__(values)
            self.provided = values.provided
        else:
            # A stable sort: entries of equal quality keep the client's order.
            super().__init__(sorted(values, key=lambda item: -item[1]))
            self.provided = True

    def _specificity(self, entry: str, offer: str) -> int:
        """How specifically ``entry`` matches ``offer``: -1 for no match, higher is closer."""
        if entry == "*":
            return 0
        return 1 if entry.lower() == offer.lower() else -1

    def _best_entry(self, offer: str) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for entry, quality in self:
            spec = self._specificity(entry, offer)
            if spec >= 0 and (best is None or spec > best[0]):
                best = (spec, quality)
        return best

    def quality(self, key: str) -> float:
        """The quality the client gives ``key`` (0 when no entry matches)."""
        best = self._best_entry(key)
        return best[1] if best is not None else 0

    @t.overload
    def __getitem__(self, key: str) -> float: ...
    @t.overload
    def __getitem__(self, key: t.SupportsIndex) -> tuple[str, float]: ...
    @t.overload
    def __getitem__(self, key: slice) -> list[tuple[str, float]]: ...

    def __getitem__(self, key: str | t.SupportsIndex | slice) -> t.Any:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.quality(value) > 0

    def __iter__(self) -> t.Iterator[tuple[str, float]]:
        return list.__iter__(self)

    def find(self, key: str) -> int:
        """The index of the first entry matching ``key``, or -1."""
        for index, (entry, _) in enumerate(self):
            if self._specificity(entry, key) >= 0:
                return index
        return -1

    def index(self, key: t.Any, *args: t.Any) -> int:
        """The index of the first entry matching ``key`` (``ValueError`` when none)."""
        if isinstance(key, str):
            index = self.find(key)
            if index < 0:
                raise ValueError(key)
            return index
        return list.index(self, key, *args)

    def values(self) -> t.Iterator[str]:
        """The values, best first."""
        return (value for value, _ in self)

    @t.overload
    def best_match(self, matches: t.Iterable[str]) -> str | None: ...
    @t.overload
    def best_match(self, matches: t.Iterable[str], default: str) -> str: ...
    @t.overload
    def best_match(self, matches: t.Iterable[str], default: T) -> str | T: ...

    def best_match(self, matches: t.Iterable[str], default: t.Any = None) -> t.Any:
        """The offer in ``matches`` the client likes best: highest quality, then the most
        specific match, then the earliest offer. ``default`` when none is acceptable."""
        result = default
        best_quality = 0.0
        best_spec = -1
        for offer in matches:
            best = self._best_entry(offer)
            if best is None:
                continue
            spec, quality = best
            if quality > 0 and (
                quality > best_quality or (quality == best_quality and spec > best_spec)
            ):
                result, best_quality, best_spec = offer, quality, spec
        return result

    @property
    def best(self) -> str | None:
        """The value with the highest quality, or ``None``."""
        return self[0][0] if self else None

    def to_header(self) -> str:
        """The header value."""
        return ",".join(value if q == 1 else f"{value};q={q:g}" for value, q in self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


def _split_mime(value: str) -> tuple[str, str, dict[str, str]]:
    main, _, rest = value.lower().partition(";")
    kind, _, sub = main.strip().partition("/")
    if kind == "*" and not sub:
        sub = "*"
    params = http.parse_options_header(f"x;{rest}")[1] if rest else {}
    return kind.strip(), sub.strip(), params


class MIMEAccept(Accept):
    """The Accept header: media ranges with ``*/*`` and ``type/*`` wildcards."""

    def _specificity(self, entry: str, offer: str) -> int:
        e_type, e_sub, e_params = _split_mime(entry)
        o_type, o_sub, o_params = _split_mime(offer)
        if e_type == "*":
            return 0
        if e_type != o_type and o_type != "*":
            return -1
        if e_sub == "*":
            return 1
        if e_sub != o_sub and o_sub != "*":
            return -1
        if e_params:
            if any(o_params.get(k) != v for k, v in e_params.items()):
                return -1
            return 3
        return 2

    @property
    def accept_html(self) -> bool:
        """Whether HTML is acceptable."""
        return self.quality("text/html") > 0 or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether XHTML (or XML) is acceptable."""
        return self.quality("application/xhtml+xml") > 0 or self.quality("application/xml") > 0

    @property
    def accept_json(self) -> bool:
        """Whether JSON is acceptable."""
        return self.quality("application/json") > 0


def _normalize_language(value: str) -> str:
    return value.lower().replace("_", "-")


class LanguageAccept(Accept):
    """The Accept-Language header. A range matches its own tag and longer ones
    (``en`` matches ``en-US``, RFC 4647); as a fallback a tag also matches a range it is a
    prefix of (``en-US`` accepts ``en``), at the quality of that range."""

    def _specificity(self, entry: str, offer: str) -> int:
        if entry == "*":
            return 0
        e = _normalize_language(entry)
        o = _normalize_language(offer)
        if e == o:
            return 3
        if o.startswith(e + "-"):
            return 2
        if e.startswith(o + "-"):
            return 1
        return -1


def _normalize_charset(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return value.lower()


class CharsetAccept(Accept):
    """The Accept-Charset header; names are compared as codecs (``utf8`` is ``UTF-8``)."""

    def _specificity(self, entry: str, offer: str) -> int:
        if entry == "*":
            return 0
        return 1 if _normalize_charset(entry) == _normalize_charset(offer) else -1


# -- conditional requests ------------------------------------------------------------------------


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


# -- authentication ------------------------------------------------------------------------------

# token68 (RFC 9110, 11.2): the opaque credential of Bearer and friends.
_TOKEN68_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/")


def _is_token68(value: str) -> bool:
    body = value.rstrip("=")
    return bool(body) and all(c in _TOKEN68_CHARS for c in body)


def _split_scheme(value: str) -> tuple[str, str]:
    scheme, _, rest = value.strip().partition(" ")
    return scheme.lower(), rest.strip()


class Authorization:
    """A parsed Authorization header: ``type`` (lower-case), and either ``parameters``
    (Basic's username and password, Digest's fields) or a ``token`` (Bearer).

    Parameters are also attributes (``auth.realm``); missing ones are ``None``.
    """

    def __init__(
        self,
        auth_type: str,
        data: t.Mapping[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        self.type = auth_type.lower()
        self.parameters: dict[str, str | None] = dict(data or {})
        self.token = token

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse a header value; ``None`` when it is absent or malformed."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if not scheme:
            return None
        if scheme == "basic":
            try:
                decoded = base64.b64decode(rest, validate=True).decode("utf-8")
            except (ValueError, UnicodeError):
                return None
            username, sep, password = decoded.partition(":")
            if not sep:
                return None
            return cls(scheme, {"username": username, "password": password})
        if not rest:
            return cls(scheme)
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, http.parse_dict_header(rest))

    def to_header(self) -> str:
        """The header value."""
        if self.type == "basic":
            credentials = f"{self.username or ''}:{self.password or ''}".encode()
            return f"Basic {base64.b64encode(credentials).decode('ascii')}"
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        if self.parameters:
            return f"{scheme} {http.dump_header(self.parameters)}"
        return scheme

    @property
    def username(self) -> str | None:
        """The username (Basic, Digest)."""
        return self.parameters.get("username")

    @property
    def password(self) -> str | None:
        """The password (Basic)."""
        return self.parameters.get("password")

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name == "parameters":
            raise AttributeError(name)
        return self.parameters.get(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (self.type, self.token, self.parameters) == (
            other.type,
            other.token,
            other.parameters,
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class WWWAuthenticate:
    """A WWW-Authenticate challenge: ``type``, ``parameters`` (``realm``, ...) or a token.

    Parameters are also attributes: ``challenge.realm = "api"`` sets one (and calls
    ``on_update``, if given).
    """

    _own = frozenset({"type", "parameters", "token", "on_update"})

    def __init__(
        self,
        auth_type: str,
        values: t.Mapping[str, str | None] | None = None,
        token: str | None = None,
        on_update: t.Callable[[WWWAuthenticate], None] | None = None,
    ) -> None:
        object.__setattr__(self, "type", auth_type.lower())
        object.__setattr__(self, "parameters", CallbackDict(values, self._changed))
        object.__setattr__(self, "token", token)
        object.__setattr__(self, "on_update", on_update)

    type: str
    parameters: CallbackDict[str, str | None]
    token: str | None
    on_update: t.Callable[[WWWAuthenticate], None] | None

    def _changed(self, _: object = None) -> None:
        if self.on_update is not None:
            self.on_update(self)

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a header value (the first challenge); ``None`` when absent."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if not scheme:
            return None
        if not rest:
            return cls(scheme)
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, http.parse_dict_header(rest))

    def to_header(self) -> str:
        """The header value, such as ``Basic realm="erlen"``."""
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        if self.parameters:
            items = ", ".join(
                k if v is None else f"{k}={http.quote_header_value(v, allow_token=False)}"
                for k, v in self.parameters.items()
            )
            return f"{scheme} {items}"
        return scheme

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name in self._own:
            raise AttributeError(name)
        return self.parameters.get(name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name in self._own:
            object.__setattr__(self, name, value)
            if name != "on_update":
                self._changed()
        elif value is None:
            self.parameters.pop(name, None)
        else:
            self.parameters[name] = value

    def __delattr__(self, name: str) -> None:
        self.parameters.pop(name, None)

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def __setitem__(self, key: str, value: str | None) -> None:
        self.__setattr__(key, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (self.type, self.token, dict(self.parameters)) == (
            other.type,
            other.token,
            dict(other.parameters),
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# -- Cache-Control -------------------------------------------------------------------------------


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


# -- header sets ---------------------------------------------------------------------------------


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


# At the end, because erlen.http imports the classes above; the functions here only look it
# up when called, so either module may be imported first.
from . import http  # noqa: E402

"""The plain containers: immutable lists and dicts, a dict that reports its changes, and
the multi-value dicts that query strings and forms are parsed into."""

from __future__ import annotations

import collections.abc as cabc
import copy as _copy
import typing as t

from .._speedups_loader import compiled
from ..exceptions import BadRequestKeyError

if t.TYPE_CHECKING:
    pass


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


# The compiled grouping of erlen/_speedups.c (None when it is not built or turned off).
_compiled_group: t.Callable[[dict[t.Any, t.Any], list[t.Any]], bool] | None = compiled(
    "group_pairs"
)

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
        lists: dict[K, list[V]]
        if type(mapping) is list:
            # PERF: grouped in C when erlen._speedups is built and every item is a 2-tuple:
            # ~1 µs of a ~10 µs request with a five-field query string.
            if _compiled_group is not None and _compiled_group(self, mapping):
                return
            # PERF: keys are usually distinct; one comprehension, and the grouping loop
            # below only when a key repeats (~30 % faster for a 100-field form).
            lists = {key: [value] for key, value in mapping}
            if len(lists) == len(mapping):
                dict.update(self, lists)
                return
        lists = {}
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
        if type is None:  # PERF: no call for the usual get(key)
            return values[0]
        try:  # PERF: _convert() written out; get(key, type=int) is common in views
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
        return _convert_all(values, type)

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


def _convert(value: t.Any, type: t.Callable[[t.Any], t.Any] | None, default: t.Any) -> t.Any:
    """``type(value)``, or ``default`` when the conversion raises ValueError or TypeError
    (the rule of every ``get(key, default, type=...)``)."""
    if type is None:
        return value
    try:
        return type(value)
    except (ValueError, TypeError):
        return default


def _convert_all(values: t.Iterable[t.Any], type: t.Callable[[t.Any], t.Any]) -> list[t.Any]:
    """The values that ``type`` converts, converted (the rule of every ``getlist``)."""
    rv = []
    for value in values:
        try:
            rv.append(type(value))
        except (ValueError, TypeError):
            pass
    return rv


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
                return _convert(d[key], type, default)
        return default

    def getlist(self, key: K, type: t.Callable[[V], t.Any] | None = None) -> list[t.Any]:
        """The values of ``key`` from every dict, in order."""
        rv: list[t.Any] = []
        for d in self.dicts:
            if type is None:
                rv.extend(_dict_getlist(d, key))
            else:
                rv.extend(_convert_all(_dict_getlist(d, key), type))
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

"""Proxies to context-local objects (``request``, ``g``, ``current_app``, ...)."""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

_T = t.TypeVar("_T")


class LocalProxy(t.Generic[_T]):
    """Forward every operation to an object looked up anew on each use.

    ``local`` is a :class:`~contextvars.ContextVar` (optionally with ``name``, the attribute of
    the context-bound object to forward to) or a callable returning the object. When nothing
    is bound, using the proxy raises :class:`RuntimeError` with ``unbound_message``, while
    ``bool(proxy)`` is simply ``False`` and ``repr`` says the proxy is unbound.
    """

    __slots__ = ("_erlen_target", "_get_current_object", "_unbound_message")

    _get_current_object: t.Callable[[], _T]
    _unbound_message: str

    def __init__(
        self,
        local: ContextVar[t.Any] | t.Callable[[], _T],
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        message = unbound_message or "object unbound"
        object.__setattr__(self, "_erlen_target", None)
        if isinstance(local, ContextVar):
            var = local

            if name is None:

                def get() -> t.Any:
                    try:
                        return var.get()
                    except LookupError:
                        raise RuntimeError(message) from None

            else:
                attr = name
                # For __getattribute__, which does what get() does without calling it.
                object.__setattr__(self, "_erlen_target", (var, attr))

                def get() -> t.Any:
                    obj = var.get(None)
                    if obj is None:
                        raise RuntimeError(message)
                    return getattr(obj, attr)

        elif callable(local):
            func = local

            if name is None:
                get = func
            else:
                attr = name

                def get() -> t.Any:
                    return getattr(func(), attr)

        else:
            raise TypeError(f"LocalProxy needs a ContextVar or a callable, not {type(local)!r}")
        object.__setattr__(self, "_get_current_object", get)
        object.__setattr__(self, "_unbound_message", message)

    # -- attribute access ------------------------------------------------------------------
    # PERF: the proxy forwards from __getattribute__, not __getattr__. A __getattr__ runs
    # only after the normal lookup has failed, and on CPython 3.11 that failure first builds
    # an AttributeError with its message: ~0.5 µs on every ``request.args``. Here one set
    # lookup tells the proxy's own names (its methods and slots) from the ones to forward.
    def __getattribute__(self, name: str) -> t.Any:
        if name in _OWN_NAMES:
            return object.__getattribute__(self, name)
        target = _target_of(self)  # (ContextVar, attribute), or None
        if target is None:
            return getattr(_getter_of(self)(), name)
        obj = target[0].get(None)  # _get_current_object() written out: one call fewer
        if obj is None:
            raise RuntimeError(_message_of(self))
        return getattr(getattr(obj, target[1]), name)

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__getattribute__ is LocalProxy.__getattribute__:
            cls.__getattribute__ = _subclass_getattribute  # type: ignore[method-assign]

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(_getter_of(self)(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_getter_of(self)(), name)

    def __dir__(self) -> list[str]:
        try:
            return dir(_getter_of(self)())
        except RuntimeError:
            return []

    @property  # type: ignore[misc]
    def __class__(self) -> type[t.Any]:
        """The proxied object's class, so ``isinstance(request, Request)`` holds."""
        try:
            return type(_getter_of(self)())
        except RuntimeError:
            return type(self)

    # -- truth, identity and text -------------------------------------------------------------
    def __bool__(self) -> bool:
        try:
            obj = _getter_of(self)()
        except RuntimeError:
            return False
        return bool(obj)

    def __repr__(self) -> str:
        try:
            obj = _getter_of(self)()
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"
        return repr(obj)

    def __str__(self) -> str:
        return str(_getter_of(self)())

    def __eq__(self, other: object) -> bool:
        return bool(_getter_of(self)() == other)

    def __ne__(self, other: object) -> bool:
        return bool(_getter_of(self)() != other)

    def __hash__(self) -> int:
        return hash(_getter_of(self)())

    # -- containers and calls ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(_getter_of(self)())

    def __iter__(self) -> t.Iterator[t.Any]:
        obj: t.Any = _getter_of(self)()
        return iter(obj)

    def __contains__(self, item: object) -> bool:
        return item in _getter_of(self)()

    def __getitem__(self, key: t.Any) -> t.Any:
        return _getter_of(self)()[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        _getter_of(self)()[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del _getter_of(self)()[key]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return _getter_of(self)()(*args, **kwargs)

    def __enter__(self) -> t.Any:
        return _getter_of(self)().__enter__()

    def __exit__(self, *exc_info: t.Any) -> t.Any:
        return _getter_of(self)().__exit__(*exc_info)


def _subclass_getattribute(self: LocalProxy[t.Any], name: str) -> t.Any:
    """A subclass's ``__getattribute__``: Python's normal lookup first, then forwarding.

    So a subclass behaves as a class with a ``__getattr__`` would: its methods, properties
    and instance attributes (also ones added later) win, and its own ``__getattr__``, if it
    has one, replaces the forwarding. A subclass that defines ``__getattribute__`` keeps it.
    """
    try:
        return object.__getattribute__(self, name)
    except AttributeError:
        if hasattr(type(self), "__getattr__"):
            raise  # Python calls the subclass's __getattr__ next
    return LocalProxy.__getattribute__(self, name)


# The proxy's own names, and its slots read without going through __getattribute__.
_OWN_NAMES = frozenset(dir(LocalProxy))
_slots = t.cast(t.Any, vars(LocalProxy))
_target_of: t.Callable[[LocalProxy[t.Any]], tuple[ContextVar[t.Any], str] | None] = _slots[
    "_erlen_target"
].__get__
_getter_of: t.Callable[[LocalProxy[t.Any]], t.Callable[[], t.Any]] = _slots[
    "_get_current_object"
].__get__
_message_of: t.Callable[[LocalProxy[t.Any]], str] = _slots["_unbound_message"].__get__
del _slots

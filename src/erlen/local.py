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

    __slots__ = ("_erlen_attr", "_erlen_var", "_get_current_object", "_unbound_message")

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
        object.__setattr__(self, "_erlen_var", None)
        object.__setattr__(self, "_erlen_attr", None)
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
                # For __getattr__, which does what get() does without calling it.
                object.__setattr__(self, "_erlen_var", var)
                object.__setattr__(self, "_erlen_attr", attr)

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
    def __getattr__(self, name: str) -> t.Any:
        var = self._erlen_var
        if var is None:
            return getattr(self._get_current_object(), name)
        # PERF: request.args and the like, one call fewer (_get_current_object written out).
        obj = var.get(None)
        if obj is None:
            raise RuntimeError(self._unbound_message)
        return getattr(getattr(obj, self._erlen_attr), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(self._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    def __dir__(self) -> list[str]:
        try:
            return dir(self._get_current_object())
        except RuntimeError:
            return []

    @property  # type: ignore[misc]
    def __class__(self) -> type[t.Any]:
        """The proxied object's class, so ``isinstance(request, Request)`` holds."""
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return type(self)

    # -- truth, identity and text -------------------------------------------------------------
    def __bool__(self) -> bool:
        try:
            obj = self._get_current_object()
        except RuntimeError:
            return False
        return bool(obj)

    def __repr__(self) -> str:
        try:
            obj = self._get_current_object()
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"
        return repr(obj)

    def __str__(self) -> str:
        return str(self._get_current_object())

    def __eq__(self, other: object) -> bool:
        return bool(self._get_current_object() == other)

    def __ne__(self, other: object) -> bool:
        return bool(self._get_current_object() != other)

    def __hash__(self) -> int:
        return hash(self._get_current_object())

    # -- containers and calls ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._get_current_object())  # type: ignore[arg-type]

    def __iter__(self) -> t.Iterator[t.Any]:
        obj: t.Any = self._get_current_object()
        return iter(obj)

    def __contains__(self, item: object) -> bool:
        return item in self._get_current_object()  # type: ignore[operator]

    def __getitem__(self, key: t.Any) -> t.Any:
        return self._get_current_object()[key]  # type: ignore[index]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        self._get_current_object()[key] = value  # type: ignore[index]

    def __delitem__(self, key: t.Any) -> None:
        del self._get_current_object()[key]  # type: ignore[attr-defined]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self._get_current_object()(*args, **kwargs)  # type: ignore[operator]

    def __enter__(self) -> t.Any:
        return self._get_current_object().__enter__()  # type: ignore[attr-defined]

    def __exit__(self, *exc_info: t.Any) -> t.Any:
        return self._get_current_object().__exit__(*exc_info)  # type: ignore[attr-defined]

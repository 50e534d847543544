"""LocalProxy: forwarding, falsiness when unbound, unwrapping."""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

import pytest

from erlen.local import LocalProxy


def test_proxy_to_context_var_object() -> None:
    var: ContextVar[list[int]] = ContextVar("v")
    proxy: list[int] = LocalProxy(var, unbound_message="nothing here")  # type: ignore[assignment]
    assert not proxy
    assert "unbound" in repr(proxy)
    with pytest.raises(RuntimeError, match="nothing here"):
        len(proxy)
    token = var.set([1, 2])
    try:
        assert proxy == [1, 2]
        assert len(proxy) == 2
        assert 1 in proxy
        assert list(proxy) == [1, 2]
        assert proxy[0] == 1
        proxy[0] = 5
        del proxy[1]
        assert proxy._get_current_object() == [5]  # type: ignore[attr-defined]
        assert isinstance(proxy, list)
        assert str(proxy) == "[5]"
        assert proxy != [1]
    finally:
        var.reset(token)


def test_proxy_to_attribute() -> None:
    class Holder:
        value = "x"

    var: ContextVar[Holder] = ContextVar("h")
    proxy: str = LocalProxy(var, "value")  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        proxy.upper()
    token = var.set(Holder())
    try:
        assert proxy.upper() == "X"
        assert hash(proxy) == hash("x")
    finally:
        var.reset(token)


def test_proxy_to_callable_and_attributes() -> None:
    class Obj:
        def __init__(self) -> None:
            self.a = 1

        def __call__(self, x: int) -> int:
            return x * 2

        def __enter__(self) -> str:
            return "entered"

        def __exit__(self, *args: object) -> None:
            return None

    obj = Obj()
    proxy: Obj = LocalProxy(lambda: obj)  # type: ignore[assignment]
    assert proxy(3) == 6
    proxy.b = 2  # type: ignore[attr-defined]
    assert obj.b == 2  # type: ignore[attr-defined]
    del proxy.b  # type: ignore[attr-defined]
    assert not hasattr(obj, "b")
    assert "a" in dir(proxy)
    with proxy as value:
        assert value == "entered"
    named: int = LocalProxy(lambda: obj, "a")  # type: ignore[assignment]
    assert named == 1


def test_proxy_rejects_other_sources() -> None:
    with pytest.raises(TypeError, match="ContextVar or a callable"):
        LocalProxy(42)  # type: ignore[arg-type]


def test_g_attributes_named_like_the_proxys_own_are_forwarded() -> None:
    from erlen import Erlen, g

    with Erlen(__name__).app_context():
        g._attr = "mine"
        g._var = "also mine"
        assert (g._attr, g._var) == ("mine", "also mine")
        assert g.get("_attr") == "mine"


def test_only_the_proxys_own_names_are_not_forwarded() -> None:
    class Target:
        _private = "the target's"
        __wrapped__ = "wrapped"

        def _get_current_object(self) -> str:
            return "not called"

    target = Target()
    var: ContextVar[Target] = ContextVar("t")
    proxy: t.Any = LocalProxy(var)
    with pytest.raises(RuntimeError, match="object unbound"):
        _ = proxy._private
    token = var.set(target)
    try:
        # The proxy's own methods, properties and slots are its own ...
        assert proxy._get_current_object() is target
        assert proxy._unbound_message == "object unbound"
        # ... everything else, underscores and all, comes from the target.
        assert proxy._private == "the target's"
        assert proxy.__wrapped__ == "wrapped"
        assert proxy.__dict__ is target.__dict__
        with pytest.raises(AttributeError, match="missing"):
            _ = proxy.missing
        assert proxy.__class__ is Target  # last: mypy narrows proxy to Target after it
    finally:
        var.reset(token)


def test_a_subclass_keeps_its_own_names() -> None:
    class Named(LocalProxy[t.Any]):
        __slots__ = ()

        @property
        def label(self) -> str:
            return f"proxy of {type(self._get_current_object()).__name__}"

        def describe(self) -> str:
            return "mine"

    class Deeper(Named):
        __slots__ = ()

        def deeper(self) -> str:
            return self.describe() + " too"

    holder: ContextVar[dict[str, int]] = ContextVar("d")
    proxy = Deeper(holder)
    token = holder.set({"a": 1})
    try:
        assert proxy.label == "proxy of dict"
        assert proxy.describe() == "mine"
        assert proxy.deeper() == "mine too"
        assert proxy.keys() == {"a": 1}.keys()  # not its own: forwarded
        assert proxy["a"] == 1
    finally:
        holder.reset(token)


def test_a_subclass_looks_up_as_python_does_before_forwarding() -> None:
    holder: ContextVar[dict[str, int]] = ContextVar("s")

    class Open(LocalProxy[t.Any]):  # no __slots__: instances take attributes
        pass

    class Fallback(LocalProxy[t.Any]):
        __slots__ = ()

        def __getattr__(self, name: str) -> str:
            return f"fallback {name}"

    class Custom(LocalProxy[t.Any]):
        __slots__ = ()

        def __getattribute__(self, name: str) -> t.Any:
            return "custom" if name == "special" else object.__getattribute__(self, name)

    class CustomChild(Custom):
        __slots__ = ()

    token = holder.set({"a": 1})
    try:
        opened = Open(holder)
        object.__setattr__(opened, "note", "the proxy's own")
        assert opened.note == "the proxy's own"  # an instance attribute wins
        Open.added = "added later"  # type: ignore[attr-defined]
        assert opened.added == "added later"
        assert opened.keys() == {"a": 1}.keys()  # the rest is forwarded
        fallback = Fallback(holder)
        assert fallback.keys == "fallback keys"  # its __getattr__ replaces the forwarding
        assert fallback["a"] == 1
        assert Custom(holder).special == "custom"  # its own __getattribute__ is kept
        assert CustomChild(holder).special == "custom"
    finally:
        holder.reset(token)

"""erlen.datastructures: multi-value dicts, headers, uploads and parsed header values."""

from __future__ import annotations

import copy
import io
import pickle
import typing as t
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import http
from erlen.datastructures import (
    Accept,
    Authorization,
    CallbackDict,
    CharsetAccept,
    CombinedMultiDict,
    ContentRange,
    EnvironHeaders,
    ETags,
    FileStorage,
    Headers,
    HeaderSet,
    IfRange,
    ImmutableDict,
    ImmutableList,
    ImmutableMultiDict,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    WWWAuthenticate,
    iter_multi_items,
)
from erlen.exceptions import BadRequestKeyError

# -- iter_multi_items and the immutable basics ---------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (MultiDict([("a", "1"), ("a", "2")]), [("a", "1"), ("a", "2")]),
        (
            {"a": ["1", "2"], "b": "3", "c": ("4",)},
            [("a", "1"), ("a", "2"), ("b", "3"), ("c", "4")],
        ),
        ([("a", "1"), ("a", "2")], [("a", "1"), ("a", "2")]),
        (Headers([("X", "1")]), [("X", "1")]),
    ],
)
def test_iter_multi_items(source: t.Any, expected: list[tuple[str, str]]) -> None:
    assert list(iter_multi_items(source)) == expected


@pytest.mark.parametrize(
    "mutate",
    [
        lambda x: x.append(1),
        lambda x: x.extend([1]),
        lambda x: x.insert(0, 1),
        lambda x: x.pop(),
        lambda x: x.remove(1),
        lambda x: x.clear(),
        lambda x: x.sort(),
        lambda x: x.reverse(),
        lambda x: x.__setitem__(0, 1),
        lambda x: x.__delitem__(0),
        lambda x: x.__iadd__([1]),
        lambda x: x.__imul__(2),
    ],
)
def test_immutable_list_refuses(mutate: t.Callable[[t.Any], t.Any]) -> None:
    with pytest.raises(TypeError, match="immutable"):
        mutate(ImmutableList([1, 2]))


def test_immutable_list_is_hashable_and_pickles() -> None:
    lst = ImmutableList([1, 2])
    assert hash(lst) == hash((1, 2))
    assert pickle.loads(pickle.dumps(lst)) == lst
    assert repr(lst) == "ImmutableList([1, 2])"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.__setitem__("a", 2),
        lambda d: d.__delitem__("a"),
        lambda d: d.__ior__({"b": 1}),
        lambda d: d.clear(),
        lambda d: d.pop("a"),
        lambda d: d.popitem(),
        lambda d: d.setdefault("z", 1),
        lambda d: d.update({"b": 1}),
    ],
)
def test_immutable_dict_refuses(mutate: t.Callable[[t.Any], t.Any]) -> None:
    with pytest.raises(TypeError, match="immutable"):
        mutate(ImmutableDict({"a": 1}))


def test_immutable_dict_copy_hash_pickle() -> None:
    d = ImmutableDict({"a": 1})
    mutable = d.copy()
    mutable["b"] = 2
    assert type(mutable) is dict
    assert copy.copy(d) is d
    assert hash(d) == hash(ImmutableDict({"a": 1}))
    assert pickle.loads(pickle.dumps(d)) == d
    assert ImmutableDict.fromkeys(["x"], 0) == {"x": 0}
    assert isinstance(ImmutableDict.fromkeys(["x"]), ImmutableDict)
    assert repr(d) == "ImmutableDict({'a': 1})"


@pytest.mark.parametrize(
    ("change", "calls"),
    [
        (lambda d: d.__setitem__("b", 2), 1),
        (lambda d: d.__delitem__("a"), 1),
        (lambda d: d.clear(), 1),
        (lambda d: d.pop("a"), 1),
        (lambda d: d.pop("missing", None), 0),
        (lambda d: d.popitem(), 1),
        (lambda d: d.setdefault("a", 9), 0),
        (lambda d: d.setdefault("new", 9), 1),
        (lambda d: d.update(b=2), 1),
        (lambda d: d.__ior__({"b": 2}), 1),
        (lambda d: d.get("a"), 0),
    ],
)
def test_callback_dict(change: t.Callable[[t.Any], t.Any], calls: int) -> None:
    seen: list[object] = []
    d = CallbackDict({"a": 1}, seen.append)
    change(d)
    assert seen == [d] * calls


def test_callback_dict_defaults() -> None:
    d: CallbackDict[str, int] = CallbackDict()
    d["x"] = 1  # no callback: nothing to call
    assert d == {"x": 1}
    assert d.setdefault("x", 5) == 1
    with pytest.raises(KeyError):
        d.pop("nope")
    assert repr(d) == "<CallbackDict {'x': 1}>"


# -- MultiDict -----------------------------------------------------------------------------------


def test_multidict_reading() -> None:
    md = MultiDict([("a", "1"), ("a", "2"), ("b", "x")])
    assert md["a"] == "1"
    assert md.getlist("a") == ["1", "2"]
    assert md.getlist("missing") == []
    assert md.get("a", type=int) == 1
    assert md.get("b", type=int) is None
    assert md.get("b", -1, type=int) == -1
    assert md.get("missing", "d") == "d"
    assert md.getlist("a", type=int) == [1, 2]
    assert md.getlist("b", type=int) == []
    assert md.getlist("missing", type=int) == []
    assert dict(md) == {"a": "1", "b": "x"}
    assert md.to_dict() == {"a": "1", "b": "x"}
    assert md.to_dict(flat=False) == {"a": ["1", "2"], "b": ["x"]}
    assert list(md.values()) == ["1", "x"]
    assert list(md.listvalues()) == [["1", "2"], ["x"]]
    assert list(md.lists()) == [("a", ["1", "2"]), ("b", ["x"])]
    assert list(md) == ["a", "b"]
    assert repr(md) == "MultiDict([('a', '1'), ('a', '2'), ('b', 'x')])"


def test_multidict_missing_key_is_400() -> None:
    md: MultiDict[str, str] = MultiDict()
    with pytest.raises(BadRequestKeyError) as info:
        md["nope"]
    assert isinstance(info.value, KeyError)
    assert info.value.code == 400
    with pytest.raises(BadRequestKeyError):
        md.pop("nope")
    with pytest.raises(BadRequestKeyError):
        md.popitem()
    with pytest.raises(BadRequestKeyError):
        md.popitemlist()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (None, {}),
        (
            {"a": "1", "b": ["2", "3"], "c": [], "d": ("4",)},
            {"a": ["1"], "b": ["2", "3"], "d": ["4"]},
        ),
        ([("a", "1"), ("a", "2")], {"a": ["1", "2"]}),
        (MultiDict([("a", "1"), ("a", "2")]), {"a": ["1", "2"]}),
    ],
)
def test_multidict_construction(source: t.Any, expected: dict[str, list[str]]) -> None:
    assert MultiDict(source).to_dict(flat=False) == expected


def test_multidict_writing() -> None:
    md: MultiDict[str, str] = MultiDict()
    md.add("a", "1")
    md.add("a", "2")
    md["b"] = "x"
    assert md.setdefault("b", "y") == "x"
    assert md.setdefault("c", "z") == "z"
    md.setlist("d", ["1", "2"])
    md.setlist("d", [])
    assert "d" not in md
    lst = md.setlistdefault("e", ["p"])
    lst.append("q")
    assert md.getlist("e") == ["p", "q"]
    assert md.setlistdefault("e") == ["p", "q"]
    md.update({"a": "3"})
    assert md.getlist("a") == ["1", "2", "3"]
    assert md.pop("a") == "1"
    assert md.pop("a", "gone") == "gone"
    assert md.poplist("b") == ["x"]
    assert md.poplist("b") == []
    assert md.popitemlist() == ("e", ["p", "q"])
    assert md.popitem() == ("c", "z")
    md |= {"f": ["1", "2"]}
    assert md.getlist("f") == ["1", "2"]
    merged = md | {"g": "3"}
    assert merged.getlist("g") == ["3"]
    assert "g" not in md
    assert md.__or__(5) is NotImplemented


def test_multidict_copies() -> None:
    md = MultiDict([("a", ["x"])])
    shallow = md.copy()
    deep = md.deepcopy()
    md["a"].append("y")
    assert shallow["a"] == ["x", "y"]
    assert deep["a"] == ["x"]
    assert copy.copy(md) == md
    assert copy.deepcopy(md)["a"] == ["x", "y"]
    assert pickle.loads(pickle.dumps(md)) == md


def test_multidict_equality() -> None:
    assert MultiDict([("a", "1")]) == MultiDict({"a": "1"})
    assert MultiDict([("a", "1")]) != MultiDict([("a", "1"), ("a", "2")])


@given(st.lists(st.tuples(st.sampled_from("abc"), st.text(max_size=5)), max_size=10))
def test_multidict_keeps_every_value_in_order(pairs: list[tuple[str, str]]) -> None:
    md = MultiDict(pairs)
    for key in "abc":
        assert md.getlist(key) == [v for k, v in pairs if k == key]
    assert sorted(md.items(multi=True)) == sorted(pairs)
    assert MultiDict(md.items(multi=True)) == md


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.__setitem__("a", "2"),
        lambda d: d.__delitem__("a"),
        lambda d: d.__ior__({"a": "2"}),
        lambda d: d.add("a", "2"),
        lambda d: d.setlist("a", []),
        lambda d: d.setdefault("z"),
        lambda d: d.setlistdefault("z"),
        lambda d: d.update({}),
        lambda d: d.pop("a"),
        lambda d: d.popitem(),
        lambda d: d.poplist("a"),
        lambda d: d.popitemlist(),
        lambda d: d.clear(),
    ],
)
def test_immutable_multidict_refuses(mutate: t.Callable[[t.Any], t.Any]) -> None:
    with pytest.raises(TypeError, match="immutable"):
        mutate(ImmutableMultiDict({"a": "1"}))


def test_immutable_multidict_copy_and_hash() -> None:
    md = ImmutableMultiDict([("a", "1"), ("a", "2")])
    mutable = md.copy()
    mutable.add("a", "3")
    assert type(mutable) is MultiDict
    assert copy.copy(md) is md
    assert hash(md) == hash(ImmutableMultiDict([("a", "1"), ("a", "2")]))
    assert pickle.loads(pickle.dumps(md)) == md


def test_combined_multidict() -> None:
    args = ImmutableMultiDict([("a", "1"), ("b", "x")])
    form = MultiDict([("a", "2"), ("c", "3")])
    dicts: list[t.Mapping[str, t.Any]] = [args, form, {"d": "plain"}]
    combined: CombinedMultiDict[str, t.Any] = CombinedMultiDict(dicts)
    assert combined["a"] == "1"
    assert combined["d"] == "plain"
    assert combined.getlist("a") == ["1", "2"]
    assert combined.getlist("d") == ["plain"]
    assert combined.getlist("a", type=int) == [1, 2]
    assert combined.getlist("b", type=int) == []
    assert combined.get("c", type=int) == 3
    assert combined.get("b", -1, type=int) == -1
    assert combined.get("b") == "x"
    assert combined.get("zzz", "d") == "d"
    assert "c" in combined
    assert "zzz" not in combined
    assert len(combined) == 4
    assert list(combined) == ["a", "b", "c", "d"]
    assert list(combined.keys()) == ["a", "b", "c", "d"]
    assert combined.to_dict() == {"a": "1", "b": "x", "c": "3", "d": "plain"}
    assert combined.to_dict(flat=False)["a"] == ["1", "2"]
    assert list(combined.values()) == ["1", "x", "3", "plain"]
    assert next(iter(combined.listvalues())) == ["1", "2"]
    assert next(iter(combined.lists())) == ("a", ["1", "2"])
    assert combined.copy().getlist("a") == ["1", "2"]
    assert combined == CombinedMultiDict(dicts)
    assert combined.__eq__(5) is NotImplemented
    assert "CombinedMultiDict" in repr(combined)
    assert bool(CombinedMultiDict()) is False
    with pytest.raises(BadRequestKeyError):
        combined["zzz"]
    with pytest.raises(TypeError):
        combined["a"] = "x"
    with pytest.raises(TypeError):
        CombinedMultiDict.fromkeys(["a"])
    restored = pickle.loads(pickle.dumps(CombinedMultiDict([MultiDict({"a": "1"})])))
    assert restored["a"] == "1"


# -- Headers -------------------------------------------------------------------------------------


def test_headers_reading() -> None:
    h = Headers([("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")])
    assert h["content-type"] == "text/plain"
    assert h.get("X-A") == "1"
    assert h.get("x-a", type=int) == 1
    assert h.get("content-type", type=int) is None
    assert h.get("missing") is None
    assert h.get("missing", "d") == "d"
    assert h.getlist("X-A") == ["1", "2"]
    assert h.getlist("X-A", type=int) == [1, 2]
    assert h.getlist("content-type", type=int) == []
    assert h.get_all("x-a") == ["1", "2"]
    assert "X-a" in h
    assert "nope" not in h
    assert 5 not in h
    assert len(h) == 3
    assert h[0] == ("Content-Type", "text/plain")
    assert h[1:].getlist("x-a") == ["1", "2"]
    assert list(h.keys()) == ["Content-Type", "X-A", "x-a"]
    assert list(h.keys(lower=True)) == ["content-type", "x-a", "x-a"]
    assert list(h.values()) == ["text/plain", "1", "2"]
    assert next(iter(h.items(lower=True))) == ("content-type", "text/plain")
    assert list(h.items()) == list(h)
    assert h.to_wsgi_list() == list(h)
    assert h.to_wsgi_list() is not h._list
    assert str(h) == "Content-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
    assert repr(h).startswith("Headers([")
    with pytest.raises(BadRequestKeyError):
        h["missing"]


@pytest.mark.parametrize(
    "source",
    [
        {"X-A": "1", "X-B": ["2", "3"]},
        [("X-A", "1"), ("X-B", "2"), ("X-B", "3")],
        Headers([("X-A", "1"), ("X-B", "2"), ("X-B", "3")]),
        MultiDict([("X-A", "1"), ("X-B", "2"), ("X-B", "3")]),
    ],
)
def test_headers_construction(source: t.Any) -> None:
    h = Headers(source)
    assert h.getlist("x-b") == ["2", "3"]
    assert h["x-a"] == "1"


def test_headers_writing() -> None:
    h = Headers()
    h.add("X-A", "1")
    h.add("X-B", 2)
    h.add("X-A", "3")
    h.set("x-a", "only")
    assert h.to_wsgi_list() == [("x-a", "only"), ("X-B", "2")]
    h.set("X-New", "n")
    h.add_header("Content-Disposition", "attachment", filename="a b.txt")
    assert h["content-disposition"] == 'attachment; filename="a b.txt"'
    h.set("Content-Type", "text/plain", charset="utf-8")
    assert h["Content-Type"] == "text/plain; charset=utf-8"
    assert h.setdefault("X-B", "z") == "2"
    assert h.setdefault("X-C", 3) == "3"
    assert h.setlistdefault("X-D", ["1", "2"]) == ["1", "2"]
    assert h.setlistdefault("X-D", ["9"]) == ["1", "2"]
    h.setlist("X-D", [])
    assert "X-D" not in h
    h.setlist("X-E", ["1", "2"])
    assert h.getlist("x-e") == ["1", "2"]
    h.remove("X-E")
    h.remove("X-E")  # nothing left: no error
    assert "x-e" not in h
    h[0] = ("X-A", "first")
    assert h[0] == ("X-A", "first")
    h[0:1] = [("X-Z", "z")]
    assert h[0] == ("X-Z", "z")
    del h[0]
    del h["x-b"]
    assert "X-B" not in h
    assert h.pop("X-New") == "n"
    assert h.pop("X-New", None) is None
    with pytest.raises(BadRequestKeyError):
        h.pop("X-New")
    assert h.pop(0) == ("Content-Disposition", 'attachment; filename="a b.txt"')
    last = h[-1]
    assert h.pop() == last
    h.add("a", "1")
    assert h.popitem() == ("a", "1")
    h.clear()
    assert not h


def test_headers_update_replaces_and_extend_adds() -> None:
    h = Headers([("X-A", "1"), ("X-B", "keep")])
    h.update({"X-A": "2"}, **{"X-C": "3"})
    assert h.to_wsgi_list() == [("X-A", "2"), ("X-B", "keep"), ("X-C", "3")]
    h.update([("x-a", "4"), ("X-A", "5")])
    assert h.getlist("x-a") == ["4", "5"]
    h.update(Headers([("X-B", "new")]))
    assert h.getlist("X-B") == ["new"]
    h.extend({"X-B": "more"})
    h.extend([("X-B", "most")])
    assert h.getlist("X-B") == ["new", "more", "most"]
    h |= {"X-C": "9"}
    assert h["X-C"] == "9"
    both = h | [("X-D", "d")]
    assert both["X-D"] == "d"
    assert "X-D" not in h
    assert h.__or__(t.cast(t.Any, 5)) is NotImplemented
    with pytest.raises(TypeError):
        h.update({}, {})
    with pytest.raises(TypeError):
        h.extend({}, {})


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\x00b"])
def test_header_injection_refused(value: str) -> None:
    h = Headers()
    with pytest.raises(ValueError, match="header injection"):
        h["X-Evil"] = value
    with pytest.raises(ValueError, match=r"CR/LF \(header injection\)"):
        h.add("X-Evil", value)
    with pytest.raises(ValueError, match="newline"):
        Headers({"X-Evil": value})
    with pytest.raises(ValueError, match="header injection"):
        h[0:0] = [("X-Evil", value)]
    assert not h


@pytest.mark.parametrize("name", ["X\r\nEvil", "X:Y", "X\nY", "X\x00"])
def test_header_name_injection_refused(name: str) -> None:
    with pytest.raises(ValueError, match="header injection"):
        Headers().add(name, "v")


def test_header_name_must_be_str() -> None:
    with pytest.raises(TypeError, match="str"):
        Headers().add(b"X", "v")  # type: ignore[arg-type]

    class Name(str):
        pass

    h = Headers()
    h.add(Name("X-Sub"), "v")
    assert type(h.to_wsgi_list()[0][0]) is str


def test_headers_equality_and_copy() -> None:
    a = Headers([("X-A", "1"), ("X-B", "2")])
    b = Headers([("x-b", "2"), ("x-a", "1")])
    assert a == b
    assert a != Headers([("X-A", "1"), ("X-A", "2")])
    assert Headers([("X", "1"), ("X", "2")]) != Headers([("X", "2"), ("X", "1")])
    assert a.__eq__(5) is NotImplemented
    c = a.copy()
    c.add("X-C", "3")
    assert "X-C" not in a
    assert copy.copy(a) == a


_NAME_CHARS = st.sampled_from(["a", "A", "-", "K", "\u212a", "\u0130", "i", "\u0307", "\xe9"])


@given(
    st.lists(st.text(_NAME_CHARS, min_size=1, max_size=4), min_size=1, max_size=5),
    st.text(_NAME_CHARS, min_size=1, max_size=4),
)
def test_headers_find_a_name_exactly_when_its_lower_case_is_the_keys(
    names: list[str], key: str
) -> None:
    # Lookups compare lengths before lower-casing; U+0130 ("\u0130".lower() is two
    # characters) and the Kelvin sign (lower-cases to ASCII "k") must still be found.
    h = Headers([(name, str(i)) for i, name in enumerate(names)])
    expected = [str(i) for i, name in enumerate(names) if name.lower() == key.lower()]
    assert (key in h) is bool(expected)
    assert h.get(key) == (expected[0] if expected else None)
    assert h.getlist(key) == expected
    if expected:
        assert h[key] == expected[0]
        h.set(key, "new")
        assert h.getlist(key) == ["new"]
        assert len(h) == len(names) - len(expected) + 1
    else:
        with pytest.raises(KeyError):
            h[key]


def test_headers_lookup_of_unusual_names() -> None:
    h = Headers([("\u212aeep", "kelvin"), ("\u0130d", "dotted")])
    assert h.get("keep") == "kelvin"  # the Kelvin sign lower-cases to "k"
    assert h.get("i\u0307d") == "dotted"  # "\u0130".lower() is "i" + U+0307
    assert "\u0130D" in h
    assert h.get("id") is None


@given(
    st.lists(st.tuples(st.sampled_from(["X-A", "x-a", "X-B"]), st.text(max_size=10)), max_size=8)
)
def test_headers_accept_safe_values_refuse_the_rest(pairs: list[tuple[str, str]]) -> None:
    h = Headers()
    for name, value in pairs:
        try:
            h.add(name, value)
        except ValueError:
            assert any(c in value for c in "\r\n\x00")
        else:
            assert not any(c in value for c in "\r\n\x00")
    for name in ("X-A", "X-B"):
        kept = [v for k, v in pairs if k.lower() == name.lower() and not set(v) & set("\r\n\x00")]
        assert h.getlist(name) == kept


# -- EnvironHeaders ------------------------------------------------------------------------------

_ENVIRON = {
    "HTTP_HOST": "example.test",
    "HTTP_X_CUSTOM": "a",
    "CONTENT_TYPE": "text/plain",
    "CONTENT_LENGTH": "",
    "HTTP_CONTENT_TYPE": "ignored",
    "wsgi.input": None,
}


def test_environ_headers() -> None:
    h = EnvironHeaders(_ENVIRON)
    assert h["x-custom"] == "a"
    assert h["Content-Type"] == "text/plain"
    assert h.get("Content-Length") is None
    assert "content-length" not in h
    assert "host" in h
    assert 5 not in h
    assert h.get("x-custom", type=int) is None
    assert h.get("missing", "d") == "d"
    assert h.get("Host", type=str.upper) == "EXAMPLE.TEST"
    assert h.getlist("x-custom") == ["a"]
    assert h.get_all("missing") == []
    assert list(h) == [("Host", "example.test"), ("X-Custom", "a"), ("Content-Type", "text/plain")]
    assert len(h) == 3
    assert h
    assert not EnvironHeaders({})
    assert h[0] == ("Host", "example.test")
    assert dict(h.items(lower=True))["x-custom"] == "a"
    assert h.to_wsgi_list()[1] == ("X-Custom", "a")
    copied = h.copy()
    copied.add("X-More", "1")
    assert type(copied) is Headers
    assert Headers(h)["host"] == "example.test"
    assert "EnvironHeaders" in repr(h)
    with pytest.raises(BadRequestKeyError):
        h["missing"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h: h.add("X", "1"),
        lambda h: h.set("X", "1"),
        lambda h: h.__setitem__("X", "1"),
        lambda h: h.__delitem__("X"),
        lambda h: h.remove("X"),
        lambda h: h.pop("X"),
        lambda h: h.extend({"X": "1"}),
        lambda h: h.update({"X": "1"}),
        lambda h: h.clear(),
        lambda h: setattr(h, "_list", []),
    ],
)
def test_environ_headers_are_read_only(mutate: t.Callable[[t.Any], t.Any]) -> None:
    with pytest.raises(TypeError, match="immutable"):
        mutate(EnvironHeaders(dict(_ENVIRON)))


# -- FileStorage ---------------------------------------------------------------------------------


def test_file_storage(tmp_path: Path) -> None:
    fs = FileStorage(
        io.BytesIO(b"line1\nline2\n"),
        filename="a.txt",
        name="upload",
        content_type='text/plain; charset="utf-8"',
        content_length=12,
    )
    assert fs
    assert (fs.filename, fs.name) == ("a.txt", "upload")
    assert fs.content_type == 'text/plain; charset="utf-8"'
    assert fs.mimetype == "text/plain"
    assert fs.mimetype_params == {"charset": "utf-8"}
    assert fs.content_length == 12
    assert fs.readline() == b"line1\n"
    assert list(fs) == [b"line2\n"]
    fs.seek(0)
    target = tmp_path / "out.txt"
    fs.save(target)
    assert target.read_bytes() == b"line1\nline2\n"
    fs.seek(0)
    buffer = io.BytesIO()
    fs.save(buffer, buffer_size=2)
    assert buffer.getvalue() == b"line1\nline2\n"
    assert repr(fs) == "<FileStorage: 'a.txt' ('text/plain; charset=\"utf-8\"')>"
    fs.close()
    assert fs.closed
    fs.close()  # twice is fine


def test_file_storage_defaults_and_names(tmp_path: Path) -> None:
    empty = FileStorage()
    assert not empty
    assert empty.read() == b""
    assert (empty.content_type, empty.content_length, empty.mimetype) == (None, 0, "")
    path = tmp_path / "named.bin"
    path.write_bytes(b"x")
    with open(path, "rb") as f:
        assert FileStorage(f).filename == str(path)
    stream = io.BytesIO()
    stream.name = b"bytes-name.txt"
    assert FileStorage(stream).filename == "bytes-name.txt"
    stream.name = "<stdin>"
    assert FileStorage(stream).filename is None
    assert FileStorage(filename=path).filename == str(path)
    bad_length = FileStorage(headers=Headers({"Content-Length": "x"}))
    assert bad_length.content_length == 0


def test_file_storage_delegation_to_wrapped_file() -> None:
    class Wrapper:
        def __init__(self) -> None:
            self._file = io.BytesIO(b"inner")

        def close(self) -> None:
            raise OSError("already closed")

    fs = FileStorage(Wrapper())  # type: ignore[arg-type]
    assert fs.read() == b"inner"  # found on the wrapped file
    fs.close()  # errors from close are swallowed
    with pytest.raises(AttributeError):
        fs.no_such_method  # noqa: B018
    with pytest.raises(AttributeError):
        FileStorage().no_such_method  # noqa: B018
    bare = FileStorage.__new__(FileStorage)
    with pytest.raises(AttributeError):
        bare.read  # noqa: B018


# -- Accept --------------------------------------------------------------------------------------


def mime(value: str | None) -> MIMEAccept:
    return http.parse_accept_header(value, MIMEAccept)


def lang(value: str | None) -> LanguageAccept:
    return http.parse_accept_header(value, LanguageAccept)


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        (
            "text/html;q=0.9, application/json",
            ["text/html", "application/json"],
            "application/json",
        ),
        ("*/*", ["text/html", "application/json"], "text/html"),
        ("text/*, application/json;q=0.5", ["application/json", "text/plain"], "text/plain"),
        ("text/*;q=0.5, text/html", ["text/plain", "text/html"], "text/html"),
        ("text/*, text/html", ["text/plain", "text/html"], "text/html"),
        ("text/html;q=0, */*", ["text/html", "image/png"], "image/png"),
        ("text/html;q=0", ["text/html"], None),
        (
            "text/html;level=1, text/html;q=0.1",
            ["text/html", "text/html;level=1"],
            "text/html;level=1",
        ),
        ("application/json", ["application/*"], "application/*"),
        ("application/json", ["*/*"], "*/*"),
        ("image/png", ["text/html"], None),
        (None, ["text/html"], None),
        ("text", ["text"], "text"),
        ("*", ["a/b"], "a/b"),
    ],
)
def test_mime_best_match(header: str | None, offers: list[str], expected: str | None) -> None:
    assert mime(header).best_match(offers) == expected


def test_mime_accept_properties() -> None:
    browser = mime("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert browser.accept_html
    assert browser.accept_xhtml
    assert browser.accept_json
    api = mime("application/json")
    assert api.accept_json
    assert not api.accept_html
    assert not api.accept_xhtml
    assert mime("application/xml").accept_xhtml
    assert not mime(None).accept_json
    assert api.best == "application/json"
    assert mime(None).best is None
    assert not mime("*/*;q=0").accept_json


def test_accept_container_behaviour() -> None:
    accept = mime("text/html;q=0.5, application/json")
    assert accept["text/html"] == 0.5
    assert accept["TEXT/HTML"] == 0.5
    assert accept["image/png"] == 0
    assert accept[0] == ("application/json", 1.0)
    assert accept[:1] == [("application/json", 1.0)]
    assert "text/html" in accept
    assert "image/png" not in accept
    assert 5 not in accept
    assert accept.find("text/html") == 1
    assert accept.find("image/png") == -1
    assert accept.index("text/html") == 1
    assert accept.index(("text/html", 0.5)) == 1
    with pytest.raises(ValueError):
        accept.index("image/png")
    assert list(accept.values()) == ["application/json", "text/html"]
    assert accept.to_header() == "application/json,text/html;q=0.5"
    assert str(accept) == accept.to_header()
    assert "MIMEAccept" in repr(accept)
    assert accept.best_match(["image/png"], "fallback") == "fallback"
    assert Accept(accept).provided
    assert not Accept(Accept(None)).provided
    with pytest.raises(TypeError):
        accept.append(("x", 1.0))


def test_accept_base_class() -> None:
    enc = http.parse_accept_header("gzip, br;q=0.5, *;q=0.1")
    assert enc.best_match(["br", "deflate"]) == "br"
    assert enc.quality("deflate") == 0.1
    assert enc.best_match(["GZIP"]) == "GZIP"


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("en-US, de;q=0.5", ["en", "de"], "en"),
        ("en, de;q=0.5", ["en-US", "de"], "en-US"),
        ("de, en-US", ["en", "de"], "de"),
        ("en-US", ["en-GB"], None),
        ("en_us", ["en-US"], "en-US"),
        ("fr;q=0.5, *;q=0.1", ["de", "fr"], "fr"),
        ("*", ["de"], "de"),
        ("en-US, en;q=0", ["en"], None),
    ],
)
def test_language_best_match(header: str, offers: list[str], expected: str | None) -> None:
    assert lang(header).best_match(offers) == expected


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("utf-8, iso-8859-1;q=0.5", ["latin-1", "UTF8"], "UTF8"),
        ("iso-8859-1", ["latin1"], "latin1"),
        ("x-unknown", ["X-UNKNOWN"], "X-UNKNOWN"),
        ("*;q=0.1, utf-8", ["ascii"], "ascii"),
        ("utf-8", ["ascii"], None),
    ],
)
def test_charset_best_match(header: str, offers: list[str], expected: str | None) -> None:
    assert http.parse_accept_header(header, CharsetAccept).best_match(offers) == expected


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["text/html", "text/*", "*/*", "application/json", "image/png"]),
            st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]),
        ),
        max_size=5,
    ),
    st.lists(st.sampled_from(["text/html", "text/plain", "application/json"]), max_size=3),
)
def test_best_match_is_acceptable_and_maximal(
    entries: list[tuple[str, float]], offers: list[str]
) -> None:
    accept = MIMEAccept(entries)
    best = accept.best_match(offers)
    if best is None:
        assert all(accept.quality(o) == 0 for o in offers)
    else:
        assert best in offers
        assert accept.quality(best) > 0
        assert accept.quality(best) == max(accept.quality(o) for o in offers)
    assert http.parse_accept_header(accept.to_header(), MIMEAccept).best_match(offers) == best


# -- ETags, IfRange, Range, ContentRange ---------------------------------------------------------


def test_etags() -> None:
    etags = ETags(["a", "b"], ["w"])
    assert "a" in etags
    assert "w" not in etags
    assert t.cast(t.Any, 5) not in etags
    assert etags.contains("a")
    assert not etags.contains("w")
    assert etags.contains_weak("w")
    assert etags.contains_weak("a")
    assert etags.is_weak("w")
    assert not etags.is_weak("a")
    assert etags.is_strong("a")
    assert not etags.is_strong("w")
    assert etags.contains_raw('"a"')
    assert etags.contains_raw('W/"w"')
    assert not etags.contains_raw('"w"')
    assert etags.as_set() == {"a", "b"}
    assert etags.as_set(include_weak=True) == {"a", "b", "w"}
    assert etags.to_header() == '"a", "b", W/"w"'
    assert str(etags) == etags.to_header()
    assert "ETags" in repr(etags)
    assert list(etags) == ["a", "b"]
    assert len(etags) == 2
    assert etags("a")
    assert not etags("w")
    assert etags("w", include_weak=True)
    assert ETags([http.generate_etag(b"x")])(data=b"x")
    with pytest.raises(TypeError):
        etags()
    assert etags
    assert not ETags()


def test_etags_star() -> None:
    star = ETags(["ignored"], star_tag=True)
    assert star.contains("anything")
    assert "x" in star
    assert star.contains_weak("x")
    assert star.to_header() == "*"
    assert star.as_set() == set()
    assert star


@pytest.mark.parametrize(
    ("if_range", "expected"),
    [
        (IfRange("abc"), '"abc"'),
        (
            IfRange(date=datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        (IfRange(), ""),
    ],
)
def test_if_range_to_header(if_range: IfRange, expected: str) -> None:
    assert if_range.to_header() == expected
    assert str(if_range) == expected
    assert "IfRange" in repr(if_range)
    assert http.parse_if_range_header(expected).to_header() == expected


@pytest.mark.parametrize(
    ("ranges", "length", "expected"),
    [
        ([(0, 10)], 100, (0, 10)),
        ([(0, 10)], 5, (0, 5)),
        ([(90, None)], 100, (90, 100)),
        ([(-10, None)], 100, (90, 100)),
        ([(-500, None)], 100, (0, 100)),
        ([(100, 200)], 100, None),
        ([(100, None)], 100, None),
        ([(-10, None)], 0, None),
        ([(0, 1), (5, 6)], 100, None),
        ([(0, 10)], None, None),
    ],
)
def test_range_for_length(
    ranges: list[tuple[int, int | None]], length: int | None, expected: tuple[int, int] | None
) -> None:
    rng = Range("bytes", ranges)
    assert rng.range_for_length(length) == expected
    content_range = rng.make_content_range(length)
    header = rng.to_content_range_header(length)
    if expected is None:
        assert content_range is None
        assert header is None
    else:
        assert content_range is not None
        assert (content_range.start, content_range.stop, content_range.length) == (
            *expected,
            length,
        )
        assert header == f"bytes {expected[0]}-{expected[1] - 1}/{length}"


def test_range_other_units_and_header() -> None:
    assert Range("items", [(0, 5)]).range_for_length(10) is None
    rng = Range("bytes", [(0, 500), (-100, None), (900, None)])
    assert rng.to_header() == "bytes=0-499,-100,900-"
    assert str(rng) == rng.to_header()
    assert "Range" in repr(rng)


@pytest.mark.parametrize("bad", [[(5, 5)], [(5, 1)], [(-1, 5)]])
def test_range_refuses_invalid(bad: list[tuple[int, int | None]]) -> None:
    with pytest.raises(ValueError, match="valid range"):
        Range("bytes", bad)


def test_content_range_updates() -> None:
    seen: list[str] = []
    rng = ContentRange("bytes", 0, 10, 100, on_update=lambda r: seen.append(r.to_header()))
    assert seen == []
    assert rng.to_header() == "bytes 0-9/100"
    rng.length = None
    assert seen == ["bytes 0-9/*"]
    rng.set(None, None, 50)
    assert seen[-1] == "bytes */50"
    rng.unset()
    assert seen[-1] == ""
    assert not rng
    assert str(rng) == ""
    assert "ContentRange" in repr(rng)
    descriptor = ContentRange.__dict__["start"]
    assert descriptor.__get__(None, ContentRange) is descriptor


# -- authentication ------------------------------------------------------------------------------


def test_authorization_basic_round_trip() -> None:
    auth = Authorization("Basic", {"username": "ada", "password": "s3cret:x"})
    header = auth.to_header()
    assert header == "Basic YWRhOnMzY3JldDp4"
    parsed = Authorization.from_header(header)
    assert parsed == auth
    assert parsed is not None
    assert (parsed.type, parsed.username, parsed.password) == ("basic", "ada", "s3cret:x")
    assert str(parsed) == header
    assert "Authorization" in repr(parsed)


@given(st.text().filter(lambda s: ":" not in s), st.text())
def test_authorization_basic_property(username: str, password: str) -> None:
    header = Authorization("basic", {"username": username, "password": password}).to_header()
    parsed = Authorization.from_header(header)
    assert parsed is not None
    assert (parsed.username, parsed.password) == (username, password)


@pytest.mark.parametrize(
    ("header", "type_", "token", "params"),
    [
        ("Bearer abc.def-123==", "bearer", "abc.def-123==", {}),
        (
            'Digest username="ada", realm="r", nc=00000001',
            "digest",
            None,
            {"username": "ada", "realm": "r", "nc": "00000001"},
        ),
        ("Negotiate", "negotiate", None, {}),
    ],
)
def test_authorization_other_schemes(
    header: str, type_: str, token: str | None, params: dict[str, str]
) -> None:
    auth = Authorization.from_header(header)
    assert auth is not None
    assert (auth.type, auth.token, auth.parameters) == (type_, token, params)
    assert Authorization.from_header(auth.to_header()) == auth


@pytest.mark.parametrize(
    "header", [None, "", "   ", "Basic !!!notbase64", "Basic " + "bm9jb2xvbg==", "Basic /w=="]
)
def test_authorization_malformed(header: str | None) -> None:
    assert Authorization.from_header(header) is None


def test_authorization_parameter_access() -> None:
    auth = Authorization("digest", {"realm": "r"})
    assert auth.realm == "r"
    assert auth.nonce is None
    assert auth.get("realm") == "r"
    assert auth.get("nonce", "d") == "d"
    assert auth["realm"] == "r"
    assert auth.username is None
    assert auth.__eq__(5) is NotImplemented
    with pytest.raises(AttributeError):
        auth.__wrapped__  # noqa: B018
    assert Authorization("basic").to_header() == "Basic Og=="


def test_www_authenticate() -> None:
    seen: list[str] = []
    challenge = WWWAuthenticate(
        "basic", {"realm": "erlen"}, on_update=lambda c: seen.append(str(c))
    )
    assert challenge.to_header() == 'Basic realm="erlen"'
    challenge.realm = "api"
    assert seen == ['Basic realm="api"']
    challenge["charset"] = "UTF-8"
    assert challenge.get("charset") == "UTF-8"
    assert challenge["charset"] == "UTF-8"
    challenge.charset = None
    assert challenge.charset is None
    del challenge.realm
    assert challenge.to_header() == "Basic"
    challenge.type = "bearer"
    assert seen[-1] == "Bearer"
    assert challenge.get("missing", "d") == "d"
    assert "WWWAuthenticate" in repr(challenge)
    assert challenge.__eq__(5) is NotImplemented
    with pytest.raises(AttributeError):
        challenge.__wrapped__  # noqa: B018


@pytest.mark.parametrize(
    ("header", "type_", "token", "params"),
    [
        ('Basic realm="x"', "basic", None, {"realm": "x"}),
        (
            'Bearer realm="api", error="invalid_token"',
            "bearer",
            None,
            {"realm": "api", "error": "invalid_token"},
        ),
        ("Negotiate abc==", "negotiate", "abc==", {}),
        ("Basic", "basic", None, {}),
    ],
)
def test_www_authenticate_parse(
    header: str, type_: str, token: str | None, params: dict[str, str]
) -> None:
    challenge = WWWAuthenticate.from_header(header)
    assert challenge is not None
    assert (challenge.type, challenge.token, dict(challenge.parameters)) == (type_, token, params)
    assert WWWAuthenticate.from_header(challenge.to_header()) == challenge


@pytest.mark.parametrize("header", [None, "", "  "])
def test_www_authenticate_absent(header: str | None) -> None:
    assert WWWAuthenticate.from_header(header) is None


# -- Cache-Control -------------------------------------------------------------------------------


def test_response_cache_control_attributes() -> None:
    seen: list[str] = []
    cc = ResponseCacheControl(on_update=lambda c: seen.append(c.to_header()))
    assert cc.max_age is None
    assert cc.public is False
    assert cc.no_cache is None
    cc.max_age = 60
    cc.public = True
    cc.no_cache = True
    cc.s_maxage = 120
    cc.immutable = True
    cc.stale_while_revalidate = 30
    assert (
        cc.to_header()
        == "max-age=60, public, no-cache, s-maxage=120, immutable, stale-while-revalidate=30"
    )
    assert seen[-1] == cc.to_header()
    cc.public = False
    cc.no_cache = "Set-Cookie"
    assert cc.no_cache == "Set-Cookie"
    assert 'no-cache="Set-Cookie"' in cc.to_header()
    cc.no_cache = False
    cc.max_age = None
    del cc.immutable
    del cc.s_maxage
    del cc.private
    cc.private = True
    assert cc.private is True
    cc.private = None
    assert cc.to_header() == "stale-while-revalidate=30"
    assert str(cc) == cc.to_header()
    assert "ResponseCacheControl" in repr(cc)
    assert cc.provided
    assert not ResponseCacheControl(None).provided
    assert isinstance(
        ResponseCacheControl.__dict__["public"].__get__(None, ResponseCacheControl), object
    )


def _max_stale(cc: RequestCacheControl) -> int | bool | None:
    return cc.max_stale


def test_request_cache_control_attributes() -> None:
    cc = http.parse_cache_control_header("max-age=0, max-stale=30, only-if-cached, no-store")
    assert (cc.max_age, cc.max_stale, cc.only_if_cached, cc.no_store) == (0, 30, True, True)
    cc.max_stale = True
    assert cc.to_header().count("max-stale") == 1
    assert "max-stale," in cc.to_header() + ","
    cc.max_stale = False
    assert _max_stale(cc) is None
    cc.min_fresh = 5
    assert "min-fresh=5" in cc.to_header()
    del cc.min_fresh
    assert "min-fresh" not in cc
    assert isinstance(cc, RequestCacheControl)


def test_cache_control_max_age_garbage() -> None:
    cc = http.parse_cache_control_header("max-age=soon, max-age2")
    assert cc.max_age is None


# -- HeaderSet -----------------------------------------------------------------------------------


def test_header_set() -> None:
    seen: list[str] = []
    hs = HeaderSet(["Accept", "accept", "Cookie"], on_update=lambda s: seen.append(s.to_header()))
    assert list(hs) == ["Accept", "Cookie"]
    assert "ACCEPT" in hs
    assert t.cast(t.Any, 5) not in hs
    hs.add("Origin")
    hs.add("origin")
    assert seen == ["Accept, Cookie, Origin"]
    hs.update(["X", "x"])
    assert len(hs) == 4
    assert hs.find("cookie") == 1
    assert hs.find("nope") == -1
    assert hs.index("COOKIE") == 1
    with pytest.raises(IndexError):
        hs.index("nope")
    hs.remove("x")
    with pytest.raises(KeyError):
        hs.remove("x")
    hs.discard("x")
    hs.discard("cookie")
    assert hs.as_set() == {"accept", "origin"}
    assert hs.as_set(preserve_casing=True) == {"Accept", "Origin"}
    hs[0] = "Vary-Me"
    assert hs[0] == "Vary-Me"
    assert "accept" not in hs
    del hs[0]
    assert str(hs) == "Origin"
    assert repr(hs) == "HeaderSet(['Origin'])"
    hs.add("two words")
    assert hs.to_header() == 'Origin, "two words"'
    hs.clear()
    assert not hs
    assert seen[-1] == ""


@given(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9\-]{0,10}", fullmatch=True), max_size=6))
def test_header_set_round_trip(names: list[str]) -> None:
    hs = HeaderSet(names)
    parsed = http.parse_set_header(hs.to_header())
    assert list(parsed) == list(hs)
    assert parsed.as_set() == {n.lower() for n in names}


@pytest.mark.parametrize(
    "make",
    [
        lambda: MultiDict([("n", "1"), ("n", "x"), ("n", "3")]),
        lambda: CombinedMultiDict([MultiDict([("n", "1"), ("n", "x")]), MultiDict([("n", "3")])]),
        lambda: Headers([("N", "1"), ("n", "x"), ("N", "3")]),
    ],
    ids=["MultiDict", "CombinedMultiDict", "Headers"],
)
def test_get_and_getlist_convert_alike(make: t.Callable[[], t.Any]) -> None:
    d = make()
    assert d.get("n", type=int) == 1
    assert d.getlist("n", type=int) == [1, 3]  # "x" does not convert and is left out
    assert d.get("missing", "dflt", type=int) == "dflt"
    assert d.getlist("missing", type=int) == []


def test_a_value_that_does_not_convert_gives_the_default() -> None:
    environ = {"HTTP_X_N": "x"}
    for d in (MultiDict([("x-n", "x")]), Headers([("X-N", "x")]), EnvironHeaders(environ)):
        assert d.get("x-n", -1, type=int) == -1
        assert (
            d.get("x-n", None, type=lambda v: int(t.cast(t.Any, None))) is None
        )  # a TypeError too
    assert EnvironHeaders(environ).getlist("X-N", type=int) == []
    assert EnvironHeaders({"HTTP_X_N": "7"}).getlist("X-N", type=int) == [7]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers()), max_size=8))
def test_multidict_from_pairs_groups_in_first_seen_order(pairs: list[tuple[str, int]]) -> None:
    md = MultiDict(pairs)
    keys = list(dict.fromkeys(k for k, _ in pairs))
    assert list(md) == keys
    for key in keys:
        assert md.getlist(key) == [v for k, v in pairs if k == key]
    assert list(MultiDict(iter(pairs)).items(multi=True)) == list(md.items(multi=True))

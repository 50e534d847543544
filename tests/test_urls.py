"""Query-string decoding and encoding."""

from __future__ import annotations

import os
import typing as t
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import urls
from erlen.datastructures import ImmutableMultiDict, MultiDict
from erlen.exceptions import BadRequest, RequestEntityTooLarge
from erlen.urls import decode_multi, decode_pairs, encode_pairs


@pytest.fixture(scope="module", autouse=True, params=["compiled", "python"])
def decoder(request: pytest.FixtureRequest) -> t.Iterator[str]:
    """Every test here runs with the compiled decoder (erlen._speedups) and without it."""
    compiled, into = urls._compiled_decode, urls._compiled_into
    if request.param == "compiled" and (compiled is None or into is None):
        if os.environ.get("ERLEN_NO_SPEEDUPS"):
            pytest.skip("ERLEN_NO_SPEEDUPS=1: pure Python asked for")
        raise AssertionError("erlen._speedups is not built; see tests/test_speedups.py")
    if request.param == "python":
        urls._compiled_decode = urls._compiled_into = None
    try:
        yield request.param
    finally:
        urls._compiled_decode, urls._compiled_into = compiled, into


@pytest.mark.parametrize(
    ("qs", "expected"),
    [
        ("", []),
        ("a=1", [("a", "1")]),
        ("a=1&a=2", [("a", "1"), ("a", "2")]),
        ("a", [("a", "")]),
        ("a=&b", [("a", ""), ("b", "")]),
        ("&&a=1&&", [("a", "1")]),
        ("a+b=c+d", [("a b", "c d")]),
        ("q=%C3%A9", [("q", "é")]),
        ("q=caf\xc3\xa9", [("q", "café")]),  # raw UTF-8 bytes as WSGI latin-1
        ("q=%zz", [("q", "%zz")]),  # malformed escapes stay literal
        ("q=%4", [("q", "%4")]),
        ("q=a=b", [("q", "a=b")]),
        ("%26=%3D", [("&", "=")]),
        ("%26+x=a+b&c=d", [("& x", "a b"), ("c", "d")]),  # escaped separators, then "+"
        # Every part exactly key=value (split in one go), and the near misses that are not.
        ("a=1&b=2&c=", [("a", "1"), ("b", "2"), ("c", "")]),
        ("=1&=", [("", "1"), ("", "")]),
        ("a=1&b", [("a", "1"), ("b", "")]),
        ("a=1&b=2=3", [("a", "1"), ("b", "2=3")]),
        ("a&b=1=2", [("a", ""), ("b", "1=2")]),  # as many "=" as parts, but not one each
        ("a=1&&b=2", [("a", "1"), ("b", "2")]),
        ("a=1&b=2&", [("a", "1"), ("b", "2")]),
        ("a==&b", [("a", "="), ("b", "")]),
        ("k=v+w&x=%40", [("k", "v w"), ("x", "@")]),
        ("q=%4a%4A%7E%c3%A9", [("q", "JJ~é")]),  # either case of hex digit
        ("%", [("%", "")]),
        ("q=%%41", [("q", "%A")]),
        ("q=%41%C3%A9%", [("q", "Aé%")]),  # an ASCII escape, then a UTF-8 one
        # Long strings (12 "&" or more), paired in one split, and the near misses.
        ("&".join(f"k{i}=v{i}" for i in range(13)), [(f"k{i}", f"v{i}") for i in range(13)]),
        ("&".join(["a=1=2", "b"] + ["c=3"] * 11), [("a", "1=2"), ("b", "")] + [("c", "3")] * 11),
        ("&".join(["x=%40+y"] * 13), [("x", "@ y")] * 13),
    ],
)
def test_decode_pairs(qs: str, expected: list[tuple[str, str]]) -> None:
    assert decode_pairs(qs) == expected


@pytest.mark.parametrize("qs", ["a=%ff", "%c3%28=x", "a=\xff", "a=%ed%a0%80"])
def test_decode_pairs_rejects_invalid_utf8(qs: str) -> None:
    with pytest.raises(BadRequest, match="UTF-8"):
        decode_pairs(qs)


def test_decode_pairs_limit() -> None:
    assert len(decode_pairs("a=1&b=2", max_pairs=2)) == 2
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_PARTS"):
        decode_pairs("a=1&b=2&c=3", max_pairs=2)


@pytest.mark.parametrize(
    "qs",
    ["", "a=1", "a=1&a=2&b=3", "a&&=&b=", "x+y=%40%zz", "%26=%3D", "\xc3\xa9=1", "k=" * 30],
)
@pytest.mark.parametrize("cls", [MultiDict, ImmutableMultiDict])
def test_decode_multi_is_the_multidict_of_the_pairs(
    qs: str, cls: type[MultiDict[str, str]]
) -> None:
    multi = decode_multi(qs, cls)
    assert type(multi) is cls
    assert list(multi.items(multi=True)) == list(cls(decode_pairs(qs)).items(multi=True))
    assert multi.to_dict(flat=False) == cls(decode_pairs(qs)).to_dict(flat=False)


@pytest.mark.parametrize("qs", ["a=%ff", "%c3%28=x", "a=\xff", "b=1&a=%ed%a0%80"])
def test_decode_multi_rejects_invalid_utf8(qs: str) -> None:
    with pytest.raises(BadRequest, match="UTF-8"):
        decode_multi(qs, MultiDict)


def test_decode_multi_limit() -> None:
    assert len(decode_multi("a=1&a=2", MultiDict, max_pairs=2).getlist("a")) == 2
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_PARTS"):
        decode_multi("a=1&a=2&a=3", MultiDict, max_pairs=2)  # repeats count


def test_decode_multi_calls_a_subclass_own_init() -> None:
    seen: list[object] = []

    class Recording(MultiDict[str, str]):
        def __init__(self, mapping: t.Any = None) -> None:
            seen.append(mapping)
            super().__init__(mapping)

    multi = decode_multi("a=1&b=2", Recording)
    assert seen == [[("a", "1"), ("b", "2")]]
    assert multi.to_dict() == {"a": "1", "b": "2"}


def test_decode_multi_keeps_what_a_subclass_new_puts_in() -> None:
    class WithDefaults(ImmutableMultiDict[str, str]):
        def __new__(cls, *args: t.Any, **kwargs: t.Any) -> t.Any:
            self = super().__new__(cls)
            dict.__setitem__(self, "page", ["1"])
            return self

    assert decode_multi("q=x", WithDefaults).to_dict(flat=False) == {"page": ["1"], "q": ["x"]}
    for qs in ("q=x&page=2", "page=3&page=4"):
        expected = WithDefaults(decode_pairs(qs)).to_dict(flat=False)
        assert decode_multi(qs, WithDefaults).to_dict(flat=False) == expected


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"a": "1", "b": None}, "a=1"),
        ({"a": ["1", "2"]}, "a=1&a=2"),
        ([("q", "x y"), ("é", "&")], "q=x%20y&%C3%A9=%26"),
        (MultiDict([("a", "1"), ("a", "2")]), "a=1&a=2"),
        ({"n": 3}, "n=3"),
    ],
)
def test_encode_pairs(obj: object, expected: str) -> None:
    assert encode_pairs(obj) == expected  # type: ignore[arg-type]


def test_encode_pairs_sorted() -> None:
    assert encode_pairs({"b": "1", "a": "2"}, sort=True) == "a=2&b=1"


_text = st.text(st.characters(codec="utf-8"), max_size=20)


@given(st.lists(st.tuples(_text.filter(bool), _text), max_size=8))
def test_round_trip(pairs: list[tuple[str, str]]) -> None:
    assert decode_pairs(encode_pairs(pairs)) == pairs
    assert decode_pairs(urlencode(pairs)) == pairs


def _reference_pairs(qs: str) -> list[tuple[str, str]]:
    """decode_pairs written the slow, obvious way: split, then unquote each half."""
    from urllib.parse import unquote_plus

    raw = qs.encode("latin-1").decode("utf-8")
    pairs = []
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote_plus(key, errors="strict"), unquote_plus(value, errors="strict")))
    return pairs


_piece = st.sampled_from(
    ["a", "b", "=", "+", "%3D", "%26", "%40", "%4a", "%4A", "%aB", "%C3%A9", "%e9", "%zz", "%", "é"]
)


# Up to 20 parts: short strings and long ones (from 12 "&" on, pairs are made in one split).
@given(st.lists(st.lists(_piece, max_size=4).map("".join), max_size=20))
def test_decode_pairs_matches_the_obvious_way(parts: list[str]) -> None:
    qs = "&".join(parts).encode("utf-8").decode("latin-1")  # as WSGI hands it over
    try:
        expected = _reference_pairs(qs)
    except UnicodeError:  # "%aa" and the like decode to bytes that are not UTF-8
        with pytest.raises(BadRequest, match="UTF-8"):
            decode_pairs(qs)
    else:
        assert decode_pairs(qs) == expected


@given(st.text(max_size=50))
def test_decode_never_crashes_unexpectedly(qs: str) -> None:
    try:
        decode_pairs(qs.encode("utf-8", "surrogatepass").decode("latin-1"))
    except BadRequest:
        pass

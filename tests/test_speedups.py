"""The compiled decoder, erlen._speedups, against erlen.urls' Python one.

``make test`` builds the module (``pip install -e .`` runs tools/hatch_build.py), so these
tests fail when it is missing; ``ERLEN_NO_SPEEDUPS=1`` is the way to test a pure-Python
install (the second test run in ``make test`` does).
"""

from __future__ import annotations

import os
import tracemalloc
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import urls
from erlen.datastructures import MultiDict, structures

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("ERLEN_NO_SPEEDUPS")), reason="ERLEN_NO_SPEEDUPS=1: pure Python asked for"
)


def _compiled() -> object:
    try:
        from erlen import _speedups
    except ImportError as e:
        raise AssertionError(
            "erlen._speedups is not built: run `make test` (pip install -e . compiles it),"
            " which needs a C compiler and Python's headers; or set ERLEN_NO_SPEEDUPS=1"
        ) from e
    return _speedups


def test_the_compiled_decoder_is_used() -> None:
    assert urls._compiled_decode is _compiled().decode_pairs  # type: ignore[attr-defined]


def _both(qs: str) -> tuple[object, object]:
    """The compiled and the Python answer, or the exception type each raised."""
    answers: list[object] = []
    for decode in (urls._compiled_decode, urls._decode):
        assert decode is not None
        try:
            answers.append(decode(qs))
        except UnicodeError as e:
            answers.append(type(e))
    return answers[0], answers[1]


_ascii_piece = st.sampled_from(
    ["a", "b", "=", "&", "+", "%", "%3D", "%26", "%40", "%4a", "%4A", "%7e", "%C3%A9",
     "%e9", "%ff", "%zz", "%4", "%%", " ", "~", "\x00", "\x7f"]
)  # fmt: skip


@given(st.lists(_ascii_piece, max_size=40).map("".join))
def test_the_compiled_decoder_agrees_with_the_python_one(qs: str) -> None:
    compiled, python = _both(qs)
    assert compiled == python


@given(st.text(st.characters(max_codepoint=127), max_size=60))
def test_they_agree_on_any_ascii_text(qs: str) -> None:
    compiled, python = _both(qs)
    assert compiled == python


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "&",
        "&&&",
        "=",
        "==",
        "%",
        "%%",
        "a=%",
        "a=%4",
        "a=%41",
        "%41%",
        "+",
        "a=1&" * 1000,
        "k=" + "%41" * 10_000,
        "x" * 100_000,
    ],
)
def test_edges_and_sizes(qs: str) -> None:
    compiled, python = _both(qs)
    assert compiled == python


def test_invalid_utf8_is_a_unicode_error_in_both() -> None:
    assert _both("a=%ff") == (UnicodeDecodeError, UnicodeDecodeError)
    assert _both("%c3=1") == (UnicodeDecodeError, UnicodeDecodeError)


def test_only_ascii_str_is_taken() -> None:
    decode = _compiled().decode_pairs  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="ASCII"):
        decode("a=\xe9")
    with pytest.raises(TypeError, match="needs a str, not bytes"):
        decode(b"a=1")


def test_no_memory_is_kept_across_calls() -> None:
    decode = _compiled().decode_pairs  # type: ignore[attr-defined]
    samples = ["a=1&b=x+y%40", "k=%ff&x=1", "=&=&" * 50]

    group = _compiled().group_pairs  # type: ignore[attr-defined]
    into = _compiled().decode_into  # type: ignore[attr-defined]
    pairs = [("a", "1"), ("b", "2"), ("a", "3")]

    def run() -> None:
        for _ in range(2_000):
            for qs in samples:
                try:
                    decode(qs)
                except UnicodeError:
                    pass
            group({}, pairs)
            try:
                group({}, [("a", "1"), (["unhashable"], "1")])
            except TypeError:
                pass
            for qs in samples:
                try:
                    into({}, qs)
                except UnicodeError:
                    pass

    run()  # warm up (interned strings, cached exceptions)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 10_000, f"{after - before} bytes kept by 18000 calls"


def test_without_the_module_the_python_decoder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "erlen._speedups", None)  # the import now fails
    try:
        importlib.reload(urls)
        assert urls._compiled_decode is None
        assert urls._compiled_into is None
        assert urls.decode_pairs("a=%40&b") == [("a", "@"), ("b", "")]
        assert urls.decode_multi("a=%40&b", MultiDict).to_dict() == {"a": "@", "b": ""}
    finally:
        monkeypatch.undo()
        importlib.reload(urls)
    assert urls._compiled_decode is _compiled().decode_pairs  # type: ignore[attr-defined]


# -- group_pairs: what MultiDict(list_of_pairs) is built with ---------------------------------
_keys = st.sampled_from(["a", "b", "c", "", "é", 1, 1.0, True, None])


def _multidict_state(pairs: list[t.Any]) -> object:
    """The MultiDict made of ``pairs`` as (key, internal list) items, or the error type."""
    try:
        md = MultiDict(pairs)
    except (TypeError, ValueError) as e:
        return type(e)
    return [(key, dict.__getitem__(md, key)) for key in dict.keys(md)]


def _python_grouped(pairs: list[t.Any]) -> object:
    """:func:`_multidict_state` with the compiled grouping turned off."""
    compiled = structures._compiled_group
    structures._compiled_group = None
    try:
        return _multidict_state(pairs)
    finally:
        structures._compiled_group = compiled


@given(st.lists(st.tuples(_keys, st.text(max_size=3)), max_size=12))
def test_grouping_in_c_matches_python(pairs: list[tuple[t.Any, str]]) -> None:
    assert structures._compiled_group is _compiled().group_pairs  # type: ignore[attr-defined]
    assert _multidict_state(pairs) == _python_grouped(pairs)


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [("a", "1"), ["b", "2"]],  # a list item: Python groups it
        [("a", "1"), "bc"],  # a two-character string is a pair to Python too
        [("a", "1", "x")],  # too many values: ValueError in Python
        [("a", "1"), (["unhashable"], "1")],  # TypeError
        [("a", "1")] * 1000,
    ],
)
def test_grouping_edges_match_python(pairs: list[t.Any]) -> None:
    assert _multidict_state(pairs) == _python_grouped(pairs)


def test_group_pairs_takes_only_an_empty_dict_and_a_list() -> None:
    group = _compiled().group_pairs  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="a dict and a list"):
        group({}, ())
    filled = {"a": ["0"]}
    assert group(filled, [("a", "1")]) is False  # left to Python, untouched
    assert filled == {"a": ["0"]}


def test_an_error_leaves_the_dict_empty() -> None:
    target: dict[t.Any, t.Any] = {}
    with pytest.raises(TypeError, match="unhashable"):
        _compiled().group_pairs(target, [("a", "1"), ([], "2")])  # type: ignore[attr-defined]
    assert target == {}


@pytest.mark.parametrize("change", ["clear", "replace"])
def test_a_key_whose_eq_changes_the_list_is_no_crash(change: str) -> None:
    pairs: list[t.Any] = []

    class Sneaky:
        def __hash__(self) -> int:
            return 1

        def __eq__(self, other: object) -> bool:
            if change == "clear":
                pairs.clear()  # the list shrinks while it is being grouped
            else:
                pairs[-1] = ["not", "a tuple"]
            return False

    pairs.extend([(Sneaky(), "1"), (Sneaky(), "2"), ("x", "3")])
    target: dict[t.Any, t.Any] = {}
    group = _compiled().group_pairs  # type: ignore[attr-defined]
    if change == "clear":
        assert group(target, pairs) is True
        assert len(target) == 2  # the two read before the list was emptied
    else:
        with pytest.raises(RuntimeError, match="changed"):
            group(target, pairs)
        assert target == {}


# -- decode_into: decode_pairs grouped straight into a MultiDict's lists ---------------------


def _into(qs: str) -> object:
    """decode_into's dict and count, or the error type and the dict it left."""
    target: dict[str, list[str]] = {}
    try:
        count = _compiled().decode_into(target, qs)  # type: ignore[attr-defined]
    except UnicodeError as e:
        return type(e), target
    return target, count


def _python_into(qs: str) -> object:
    """What decode_into should give: the Python decoder's pairs, grouped by Python."""
    try:
        pairs = urls._decode(qs)
    except UnicodeError as e:
        return type(e), {}
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped, len(pairs)


@given(st.lists(_ascii_piece, max_size=40).map("".join))
def test_decode_into_agrees_with_the_python_decoder(qs: str) -> None:
    assert urls._compiled_into is _compiled().decode_into  # type: ignore[attr-defined]
    assert _into(qs) == _python_into(qs)


@given(st.text(st.characters(max_codepoint=127), max_size=60))
def test_decode_into_agrees_on_any_ascii_text(qs: str) -> None:
    assert _into(qs) == _python_into(qs)


@pytest.mark.parametrize(
    "qs", ["", "&", "a", "a=1&a=2&a=3", "a=1&b=%ff", "%c3=1&b=2", "x=" + "%41" * 20_000]
)
def test_decode_into_edges(qs: str) -> None:
    assert _into(qs) == _python_into(qs)  # an error leaves the dict empty


def test_decode_into_takes_only_an_empty_dict_and_an_ascii_str() -> None:
    into = _compiled().decode_into  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="a dict and a str"):
        into([], "a=1")
    with pytest.raises(TypeError, match="needs a str, not bytes"):
        into({}, b"a=1")
    with pytest.raises(ValueError, match="ASCII"):
        into({}, "a=\xe9")
    filled = {"a": ["0"]}
    with pytest.raises(ValueError, match="empty dict"):
        into(filled, "a=1")
    assert filled == {"a": ["0"]}


def test_decode_into_fills_a_multidict_subclass_without_its_setitem() -> None:
    from erlen.datastructures import ImmutableMultiDict

    target = ImmutableMultiDict.__new__(ImmutableMultiDict)
    assert _compiled().decode_into(target, "a=1&a=2&b=3") == 3  # type: ignore[attr-defined]
    assert target.getlist("a") == ["1", "2"]
    assert target == ImmutableMultiDict([("a", "1"), ("a", "2"), ("b", "3")])

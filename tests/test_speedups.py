"""The compiled decoder, erlen._speedups, against erlen.urls' Python one.

``make test`` builds the module (``pip install -e .`` runs tools/hatch_build.py), so these
tests fail when it is missing; ``ERLEN_NO_SPEEDUPS=1`` is the way to test a pure-Python
install (the second test run in ``make test`` does).
"""

from __future__ import annotations

import os
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import urls

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

    def run() -> None:
        for _ in range(2_000):
            for qs in samples:
                try:
                    decode(qs)
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
    assert after - before < 10_000, f"{after - before} bytes kept by 6000 calls"


def test_without_the_module_the_python_decoder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "erlen._speedups", None)  # the import now fails
    try:
        importlib.reload(urls)
        assert urls._compiled_decode is None
        assert urls.decode_pairs("a=%40&b") == [("a", "@"), ("b", "")]
    finally:
        monkeypatch.undo()
        importlib.reload(urls)
    assert urls._compiled_decode is _compiled().decode_pairs  # type: ignore[attr-defined]

"""``erlen.utils``."""

from __future__ import annotations

import json
import os.path
import typing as t
from pathlib import Path

import pytest

from erlen.utils import import_string

# -- import_string ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("os", os),
        ("os.path", os.path),
        ("os.path.join", os.path.join),
        ("os.path:join", os.path.join),
        ("os:path", os.path),
        ("os:path.join", os.path.join),
        ("pathlib.Path", Path),
        ("json:JSONDecoder.decode", json.JSONDecoder.decode),
        ("  os.path  ", os.path),
    ],
)
def test_import_string(name: str, expected: t.Any) -> None:
    assert import_string(name) is expected


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        ".relative",
        "os.",
        ":join",
        "os:",
        "erlen_no_such_module_xyz",
        "erlen_no_such_module_xyz.attr",
        "os.no_such_attribute_xyz",
        "os:no_such_attribute_xyz",
        "os:path.no_such_attribute_xyz",
        "os.path.join.deeper",
        "erlen_no_such_module_xyz:attr",
    ],
)
def test_import_string_failures(name: str) -> None:
    with pytest.raises(ImportError, match=f"Cannot import {name!r}") as info:
        import_string(name)
    assert "Check the spelling" in str(info.value)
    assert import_string(name, silent=True) is None


def test_import_string_reports_broken_dependency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module that exists but fails to import something else must say what is missing,
    # not be mistaken for "no such attribute".
    name = f"erlen_broken_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text("import erlen_missing_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError, match="erlen_missing_dependency_xyz") as info:
        import_string(name)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert import_string(name, silent=True) is None


def test_import_string_error_inside_module_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"erlen_raises_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text("raise RuntimeError('configuration is wrong')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError, match="configuration is wrong"):
        import_string(name, silent=True)


# -- secure_filename, redirect, cached_property ---------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from erlen.utils import cached_property, redirect, secure_filename  # noqa: E402


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My cool movie.mov", "My_cool_movie.mov"),
        ("../../../etc/passwd", "etc_passwd"),
        ("i contain cool \xfcml\xe4uts.txt", "i_contain_cool_umlauts.txt"),
        ("C:\\Windows\\win.ini", "C_Windows_win.ini"),
        ("...", ""),
        ("", ""),
        (".bashrc", "bashrc"),
        ("NUL", "_NUL"),
        ("con.txt", "_con.txt"),
        ("aux.tar.gz", "_aux.tar.gz"),
        ("console.txt", "console.txt"),
        ("a\x00b\r\nc.txt", "ab_c.txt"),
        ("日本語.txt", "txt"),
        ("<script>.html", "script.html"),
    ],
)
def test_secure_filename(name: str, expected: str) -> None:
    assert secure_filename(name) == expected


@given(st.text(max_size=40))
def test_secure_filename_is_always_safe(name: str) -> None:
    result = secure_filename(name)
    assert "/" not in result
    assert "\\" not in result
    assert not result.startswith(".")
    assert result not in ("..", ".")
    assert all(ch.isascii() for ch in result)


def test_redirect_code_and_body() -> None:
    rv = redirect("/x?a=1&b=<2>", 307)
    assert rv.status_code == 307
    assert rv.headers["Location"] == "/x?a=1&b=%3C2%3E" or rv.headers["Location"].startswith("/x?")
    assert b"<2>" not in rv.data


def test_cached_property() -> None:
    calls: list[int] = []

    class Thing:
        @cached_property
        def value(self) -> int:
            calls.append(1)
            return 42

    thing = Thing()
    assert thing.value == 42
    assert thing.value == 42
    assert calls == [1]
    thing.value = 7
    assert thing.value == 7
    del thing.value
    assert thing.value == 42
    assert isinstance(Thing.value, cached_property)

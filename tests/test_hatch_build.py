"""tools/hatch_build.py: the build hook that compiles erlen._speedups, or says why not."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from .conftest import load_tool

ROOT = Path(__file__).resolve().parent.parent


hatch_build = load_tool("hatch_build")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project root with the module's source and a stale build next to it."""
    folder = tmp_path / "src" / "erlen"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "src" / "erlen" / "_speedups.c", folder)
    (folder / f"_speedups{sysconfig.get_config_var('EXT_SUFFIX')}").write_bytes(b"stale")
    return tmp_path


def _built(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "src" / "erlen").glob("_speedups*.so"))


def test_it_compiles_the_module(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERLEN_NO_SPEEDUPS", raising=False)
    built = hatch_build.compile_speedups(root)
    assert isinstance(built, Path), built
    assert built.read_bytes() != b"stale"  # compiled afresh
    assert built.stat().st_size > 1000


def test_erlen_no_speedups_builds_nothing_and_removes_a_stale_module(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERLEN_NO_SPEEDUPS", "1")
    assert hatch_build.compile_speedups(root) == "ERLEN_NO_SPEEDUPS is set"
    assert _built(root) == []


def test_a_missing_compiler_is_a_reason_not_a_crash(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ERLEN_NO_SPEEDUPS", raising=False)
    monkeypatch.setenv("CC", "/nonexistent/cc")
    reason = hatch_build.compile_speedups(root)
    assert isinstance(reason, str)
    assert "could not be run" in reason
    assert _built(root) == []  # the stale module is gone all the same


def test_a_compile_error_is_reported(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERLEN_NO_SPEEDUPS", raising=False)
    (root / "src" / "erlen" / "_speedups.c").write_text("this is not C\n")
    reason = hatch_build.compile_speedups(root)
    assert isinstance(reason, str)
    assert reason.startswith("the compiler failed")
    assert _built(root) == []


def test_a_python_without_ldshared_stays_pure(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERLEN_NO_SPEEDUPS", raising=False)
    real = sysconfig.get_config_var
    monkeypatch.setattr(
        hatch_build.sysconfig, "get_config_var", lambda n: None if n == "LDSHARED" else real(n)
    )
    assert "LDSHARED" in hatch_build.compile_speedups(root)

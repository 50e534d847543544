"""Every Python sample in the user guide runs, and the reference pages match the code.

Each fenced ```` ```python ```` block of ``docs/*.md`` is executed in a fresh namespace, in a
temporary working folder (so ``Erlen(__name__)`` finds its templates and instance folder
there). Two HTML comments, invisible in the built site, change that:

- ``<!-- docs-test: chain -->`` anywhere on a page runs its blocks in order in one namespace,
  so a later sample can use the ``app`` an earlier one made;
- ``<!-- docs-test: not run (why) -->`` on the line just before a block skips that block (a
  fragment, or one that needs a server); keep these rare, and always say why.

A block that defines ``test_*`` functions has them called afterwards, with arguments taken
from the namespace by name, so the test samples are checked too.
"""

from __future__ import annotations

import ast
import inspect
import re
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from erlen import Erlen

DOCS = Path(__file__).resolve().parent.parent / "docs"

_FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)^(?P=indent)```[ ]*$",
    re.MULTILINE | re.DOTALL,
)
_NOT_RUN = re.compile(r"<!-- docs-test: not run \((?P<why>[^)]+)\) -->\s*$")
_CHAIN = "<!-- docs-test: chain -->"


@dataclass
class Sample:
    """One ```python block of a page."""

    page: str
    line: int
    code: str
    skip_reason: str | None


def _samples(page: Path) -> list[Sample]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match["lang"] != "python":
            continue
        before = text[: match.start()].rstrip("\n").rpartition("\n")[2]
        marker = _NOT_RUN.search(before)
        indent = len(match["indent"])
        code = "\n".join(line[indent:] for line in match["code"].splitlines())
        found.append(
            Sample(
                page=page.name,
                line=text.count("\n", 0, match.start()) + 1,
                code=code,
                skip_reason=marker["why"] if marker else None,
            )
        )
    return found


def _cases() -> list[t.Any]:
    cases = []
    for page in sorted(DOCS.glob("*.md")):
        samples = _samples(page)
        if not samples:
            continue
        if _CHAIN in page.read_text(encoding="utf-8"):
            cases.append(pytest.param(samples, id=page.name))
        else:
            cases.extend(pytest.param([s], id=f"{page.name}:{s.line}") for s in samples)
    return cases


def _run(sample: Sample, namespace: dict[str, t.Any]) -> None:
    where = f"docs/{sample.page}, the block at line {sample.line}"
    before = set(namespace)
    exec(compile(sample.code, where, "exec"), namespace)
    for name, func in list(namespace.items()):
        if name.startswith("test_") and name not in before and callable(func):
            params = inspect.signature(func).parameters
            missing = [p for p in params if p not in namespace]
            assert not missing, f"{where}: {name}() needs {missing}, which no sample defines"
            func(**{p: namespace[p] for p in params})


@pytest.mark.parametrize("samples", _cases())
def test_docs_sample_runs(
    samples: list[Sample], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, t.Any] = {"__name__": "docs_sample"}
    ran = 0
    for sample in samples:
        if sample.skip_reason is None:
            _run(sample, namespace)
            ran += 1
    assert ran or all(s.skip_reason for s in samples)


def test_the_collector_sees_the_samples() -> None:
    every = [s for page in DOCS.glob("*.md") for s in _samples(page)]
    assert len(every) >= 30
    skipped = [f"{s.page}:{s.line}" for s in every if s.skip_reason]
    # Not-run samples are the exception: a page of them means the guide stopped being checked.
    assert len(skipped) <= len(every) // 5, skipped


def test_collector_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "text\n\n```python\nx = 1\n```\n\n<!-- docs-test: not run (needs a server) -->\n"
        "```python\nraise SystemExit\n```\n\n- item:\n\n  ```python\n  y = 2\n  ```\n"
        "```console\n$ ls\n```\n",
        encoding="utf-8",
    )
    samples = _samples(page)
    assert [(s.line, s.code, s.skip_reason) for s in samples] == [
        (3, "x = 1", None),
        (8, "raise SystemExit", "needs a server"),
        (14, "y = 2", None),
    ]


def test_a_failing_sample_names_its_page_and_line() -> None:
    sample = Sample(page="x.md", line=7, code="1 / 0", skip_reason=None)
    with pytest.raises(ZeroDivisionError) as info:
        _run(sample, {})
    assert any(
        entry.frame.code.raw.co_filename == "docs/x.md, the block at line 7"
        for entry in info.traceback
    )


def test_a_test_sample_with_an_unknown_fixture_fails() -> None:
    sample = Sample(page="x.md", line=1, code="def test_a(nothing):\n    pass", skip_reason=None)
    with pytest.raises(AssertionError, match=r"test_a\(\) needs \['nothing'\]"):
        _run(sample, {})


def test_test_samples_are_called() -> None:
    sample = Sample(
        page="x.md", line=1, code="def test_a(app):\n    assert app == 2", skip_reason=None
    )
    with pytest.raises(AssertionError):
        _run(sample, {"app": 1})


# -- the configuration reference --------------------------------------------------------------


def _config_table_keys() -> list[str]:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## Every key", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, re.MULTILINE)


def test_configuration_reference_lists_every_key_once() -> None:
    keys = _config_table_keys()
    assert len(keys) == len(set(keys))
    assert set(keys) == set(Erlen.default_config)


def test_configuration_reference_gives_each_default() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for key, value in Erlen.default_config.items():
        row = re.search(rf"^\| `{key}` \| (?P<default>[^|]+) \|", text, re.MULTILINE)
        assert row is not None, key
        default = row["default"]
        if key == "PERMANENT_SESSION_LIFETIME":
            assert "31 days" in default
        elif key != "DEBUG":  # DEBUG comes from the environment
            written = re.match(r"`([^`]+)`", default)
            assert written is not None, (key, default)
            assert ast.literal_eval(written[1]) == value, (key, default, value)


# -- the API reference ------------------------------------------------------------------------


def _public_modules() -> set[str]:
    src = Path(__file__).resolve().parent.parent / "src"
    names = set()
    for path in (src / "erlen").rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            names.add(".".join(parts))
    return names


def test_every_public_module_has_an_api_page_in_the_nav() -> None:
    pages = {p.stem for p in (DOCS / "api").glob("erlen*.md")}
    assert pages == _public_modules()
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for name in pages:
        assert f"api/{name}.md" in nav, name

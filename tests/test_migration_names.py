"""The migration guide cannot lie: every name its import table lists imports from the Erlen
module it names, the table covers every module a Flask application imports from, and the
worked example's diff shown in the guide is the real one (import lines only)."""

from __future__ import annotations

import difflib
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "migrating.md"
BEFORE = ROOT / "examples" / "migration" / "flask_app"
AFTER = ROOT / "examples" / "migration" / "erlen_app"

# Every module a Flask 3.1 application (or extension) commonly imports from.
FLASK_MODULES = [
    "flask", "flask.app", "flask.blueprints", "flask.cli", "flask.config", "flask.ctx",
    "flask.globals", "flask.helpers", "flask.json", "flask.json.provider", "flask.json.tag",
    "flask.logging", "flask.sessions", "flask.signals", "flask.templating", "flask.testing",
    "flask.typing", "flask.views", "flask.wrappers", "werkzeug.datastructures",
    "werkzeug.exceptions", "werkzeug.http", "werkzeug.middleware.dispatcher",
    "werkzeug.middleware.proxy_fix", "werkzeug.routing", "werkzeug.security",
    "werkzeug.serving", "werkzeug.utils",
]  # fmt: skip

_ROW = re.compile(r"^\| `((?:flask|werkzeug)[\w.]*)` \| `(erlen[\w.]*)` \| (.+) \|$", re.MULTILINE)


def _table() -> dict[str, tuple[str, list[str]]]:
    section = GUIDE.read_text(encoding="utf-8").split("## Imports", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for match in _ROW.finditer(section):
        names = re.findall(r"`([A-Za-z_][\w]*)`", match[3])
        assert match[1] not in rows, f"{match[1]} has two rows"
        rows[match[1]] = (match[2], names)
    return rows


def test_the_table_covers_every_module() -> None:
    table = _table()
    assert sorted(table) == sorted(FLASK_MODULES)
    for flask_module, (erlen_module, _) in table.items():
        expected = "erlen" + flask_module.partition(".")[1] + flask_module.partition(".")[2]
        if flask_module.startswith("werkzeug."):
            expected = "erlen." + flask_module.split(".", 1)[1]
        assert erlen_module == expected


@pytest.mark.parametrize(("flask_module", "row"), sorted(_table().items()))
def test_every_listed_name_imports(flask_module: str, row: tuple[str, list[str]]) -> None:
    erlen_module, names = row
    assert names, f"the row for {flask_module} lists no names"
    module = importlib.import_module(erlen_module)
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == [], f"docs/migrating.md lists {missing} under {erlen_module}"
    for name in names:  # the form a migrated application writes
        namespace: dict[str, object] = {}
        exec(f"from {erlen_module} import {name}", namespace)
        assert namespace[name] is getattr(module, name)


def test_the_top_level_row_is_complete() -> None:
    # Everything erlen/__init__.py re-exports is in the table, so nothing is left unsaid.
    import erlen

    listed = set(_table()["flask"][1])
    exported = {
        name
        for name, value in vars(erlen).items()
        if not name.startswith("_") and not isinstance(value, type(erlen))
    }
    assert exported - listed == {"Erlen"}


# -- the worked migration -----------------------------------------------------------------------


def _files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def migration_diff() -> str:
    """The unified diff from the Flask original to the Erlen version, as the guide shows it."""
    chunks: list[str] = []
    for name in _files(BEFORE):
        before = (BEFORE / name).read_text(encoding="utf-8").splitlines(keepends=True)
        after = (AFTER / name).read_text(encoding="utf-8").splitlines(keepends=True)
        chunks.extend(
            difflib.unified_diff(before, after, f"flask_app/{name}", f"erlen_app/{name}", n=1)
        )
    return "".join(chunks)


def test_both_versions_have_the_same_files() -> None:
    assert _files(BEFORE) == _files(AFTER)
    assert "tests/test_todo.py" in _files(AFTER)


def test_only_import_lines_change() -> None:
    changed = [
        line
        for line in migration_diff().splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed
    for line in changed:
        assert re.match(
            r"[+-](from (flask|werkzeug|erlen)[\w.]* import|import (flask|erlen))", line
        ), line
    assert not any("flask" in line or "werkzeug" in line for line in changed if line[0] == "+")


def test_the_guide_shows_the_real_diff() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    shown = re.search(r"```diff\n(.*?)```", text, re.DOTALL)
    assert shown is not None
    assert shown[1] == migration_diff(), "regenerate the diff in docs/migrating.md"


def test_the_original_is_never_collected() -> None:
    conftest = (ROOT / "examples" / "migration" / "conftest.py").read_text(encoding="utf-8")
    assert 'collect_ignore = ["flask_app"]' in conftest

"""tools/mkdocs_hooks.py: Sphinx roles in docstrings become autorefs cross-references."""

from __future__ import annotations

import types

import pytest

from .conftest import load_tool

hooks = load_tool("mkdocs_hooks")


def _ref(identifier: str, shown: str, slug: str | None = None) -> str:
    slug_attr = f' slug="{slug}"' if slug else ""
    return f'<autoref identifier="{identifier}"{slug_attr} optional><code>{shown}</code></autoref>'


@pytest.mark.parametrize(
    ("html", "module", "expected"),
    [
        (
            ":class:<code>~erlen.wrappers.Request</code>",
            None,
            _ref("erlen.wrappers.Request", "Request"),
        ),
        (
            ":class:<code>erlen.wrappers.Request</code>",
            None,
            _ref("erlen.wrappers.Request", "erlen.wrappers.Request"),
        ),
        (":meth:<code>~erlen.Erlen.route</code>", None, _ref("erlen.Erlen.route", "route()")),
        (":func:<code>url_for()</code>", None, _ref("url_for", "url_for()")),
        (":py:exc:<code>KeyError</code>", None, _ref("KeyError", "KeyError")),
        (
            ":data:<code>SPOOL_SIZE</code>",
            "erlen.formparser",
            _ref("erlen.formparser.SPOOL_SIZE", "SPOOL_SIZE", "SPOOL_SIZE"),
        ),
        (":attr:<code>Erlen.config</code>", "erlen.app", _ref("Erlen.config", "Erlen.config")),
        (
            "see :class:<code>A</code> and :mod:<code>b.c</code>.",
            None,
            f"see {_ref('A', 'A')} and {_ref('b.c', 'b.c')}.",
        ),
        # Not roles: left exactly as they are.
        (":unknown:<code>x</code>", None, ":unknown:<code>x</code>"),
        ("<code>:class:</code>", None, "<code>:class:</code>"),
        (":class:<code>not a name</code>", None, ":class:<code>not a name</code>"),
        (":class:<code><script></code>", None, ":class:<code><script></code>"),
        ("plain text", None, "plain text"),
    ],
)
def test_rewrite_roles(html: str, module: str | None, expected: str) -> None:
    assert hooks.rewrite_roles(html, module) == expected


@pytest.mark.parametrize(
    ("src_uri", "module"),
    [
        ("api/erlen.wsgi.md", "erlen.wsgi"),
        ("api/erlen.md", "erlen"),
        ("api/index.md", None),
        ("routing.md", None),
        ("other/erlen.wsgi.md", None),
    ],
)
def test_page_module(src_uri: str, module: str | None) -> None:
    assert hooks.page_module(src_uri) == module


def test_on_page_content_uses_the_pages_module() -> None:
    page = types.SimpleNamespace(file=types.SimpleNamespace(src_uri="api/erlen.wsgi.md"))
    out = hooks.on_page_content(":class:<code>BadHost</code>", page=page, config={}, files=[])
    assert out == _ref("erlen.wsgi.BadHost", "BadHost", "BadHost")
    assert hooks.on_page_content(":class:<code>BadHost</code>") == _ref("BadHost", "BadHost")

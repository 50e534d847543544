"""MkDocs hooks for the user guide (``hooks:`` in mkdocs.yml).

Erlen's docstrings name other objects with Sphinx roles (``:class:`~erlen.wrappers.Request```),
which read well in the source and in ``help()``. The API pages are Markdown, where such a role
would show as ``:class:`` followed by code. :func:`on_page_content` turns each one into a
cross-reference for mkdocs-autorefs: a link when the target is documented, plain code when it
is not (a private helper, a relative name), so an unknown target never fails the strict build.
"""

from __future__ import annotations

import html as _html
import re
import typing as t

# A role as Markdown renders it: the role name, then the target in <code>, with Sphinx's "~"
# (show the last component only) and an optional "()" the author may have written.
_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|meth|func|data|exc|attr|mod|obj|const):"
    r"<code>(?P<tilde>~?)(?P<target>[A-Za-z_][\w.]*)(?P<call>\(\))?</code>"
)
_CALLABLE_ROLES = frozenset({"meth", "func"})


def role_to_autoref(match: re.Match[str], module: str | None = None) -> str:
    """The autorefs element for one role match: an optional reference, so an unknown target
    stays plain code. A name without dots is tried in ``module`` first (as Sphinx does)."""
    target = match["target"]
    shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
    if match["role"] in _CALLABLE_ROLES:
        shown += "()"
    attrs = f'identifier="{_html.escape(target, quote=True)}"'
    if module and "." not in target:
        qualified = _html.escape(f"{module}.{target}", quote=True)
        attrs = f'identifier="{qualified}" slug="{_html.escape(target, quote=True)}"'
    return f"<autoref {attrs} optional><code>{_html.escape(shown)}</code></autoref>"


def rewrite_roles(page_html: str, module: str | None = None) -> str:
    """``page_html`` with every Sphinx role turned into an autorefs reference."""
    return _ROLE.sub(lambda match: role_to_autoref(match, module), page_html)


def page_module(src_uri: str) -> str | None:
    """The module an API page documents (``api/erlen.wsgi.md`` is ``erlen.wsgi``), or None."""
    folder, _, name = src_uri.rpartition("/")
    if folder == "api" and name.startswith("erlen") and name.endswith(".md"):
        return name.removesuffix(".md")
    return None


def on_page_content(html: str, page: t.Any = None, **kwargs: t.Any) -> str:
    """MkDocs event: the page's HTML, after Markdown and mkdocstrings, before autorefs."""
    module = page_module(page.file.src_uri) if page is not None else None
    return rewrite_roles(html, module)

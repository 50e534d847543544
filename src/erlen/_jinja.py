"""The Jinja2 classes behind :mod:`erlen.templating`.

They live apart so that importing Erlen does not import Jinja2: this module is imported the
first time an application touches ``app.jinja_env`` (``erlen.templating.Environment`` and
``DispatchingJinjaLoader`` resolve to the classes here on first access).
"""

from __future__ import annotations

import typing as t
from collections import ChainMap

from jinja2 import BaseLoader, TemplateNotFound
from jinja2 import Environment as _BaseEnvironment
from jinja2 import Template as _BaseTemplate
from jinja2.runtime import Context, new_context

if t.TYPE_CHECKING:
    from .app import Erlen
    from .scaffold import Scaffold


class Template(_BaseTemplate):
    """A Jinja template whose globals are merged at C speed when a render starts."""

    def new_context(
        self,
        vars: dict[str, t.Any] | None = None,
        shared: bool = False,
        locals: t.Mapping[str, t.Any] | None = None,
    ) -> Context:
        """Jinja's ``new_context``, given the globals as one dict."""
        globals: t.MutableMapping[str, t.Any] = self.globals
        if type(globals) is ChainMap and not shared:
            # PERF: Jinja keeps a template's globals as ChainMap(template's, environment's),
            # and copying one into the render's context goes key by key through Python
            # (~0.5 µs per global, Erlen adds six). Merged here, as the ChainMap reads
            # them: the environment's globals as they are now, the template's on top.
            merged: dict[str, t.Any] = {}
            for layer in reversed(globals.maps):
                merged.update(layer)
            globals = merged
        return new_context(self.environment, self.name, self.blocks, vars, shared, globals, locals)


# What a plain dict has as attributes (its methods and object's): exactly the names for which
# getattr() on a dict succeeds, since a dict instance has no __dict__ of its own.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(_BaseEnvironment):
    """The application's Jinja environment: it knows its app, and by default loads
    templates through :meth:`Erlen.create_global_jinja_loader` (app first, then blueprints)."""

    template_class = Template

    def __init__(self, app: Erlen, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        #: The application this environment renders for.
        self.app = app

    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        """Jinja's ``getattr`` (``{{ obj.name }}``: the attribute, else the item), with the
        same answers, found without a failed attribute lookup for a plain dict's keys."""
        # PERF: for ``{{ row.name }}`` on a dict, Jinja first tries getattr(row, "name"),
        # and the AttributeError raised and caught costs ~1 µs per lookup (80 of them in a
        # 20-row table of four columns). A plain dict has no attributes but dict's own, so
        # for any other name the item is what Jinja would find.
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _describe(loader: BaseLoader | None) -> str:
    """Where a loader looks, for error messages and ``EXPLAIN_TEMPLATE_LOADING``."""
    searchpath = getattr(loader, "searchpath", None)
    if searchpath:
        return ", ".join(repr(p) for p in searchpath)
    return repr(loader)


class DispatchingJinjaLoader(BaseLoader):
    """Ask the application's loader, then each blueprint's in registration order.

    The first that has the template wins, so a file in the application's templates folder
    overrides a blueprint's template of the same name (hence the convention of keeping a
    blueprint's templates under ``templates/<blueprint name>/``).
    """

    def __init__(self, app: Erlen) -> None:
        self.app = app

    def _sources(self) -> t.Iterator[tuple[Scaffold, BaseLoader | None]]:
        yield self.app, self.app.jinja_loader
        for blueprint in self.app.iter_blueprints():
            yield blueprint, getattr(blueprint, "jinja_loader", None)

    def get_source(
        self, environment: _BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        """The template's source from the first loader that has it."""
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        searched: list[str] = []
        for _owner, loader in self._sources():
            if loader is None:
                continue
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                searched.append(_describe(loader))
        raise self._not_found(template, searched)

    def _get_source_explained(
        self, environment: _BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        lines = [f"Locating template {template!r}:"]
        found: tuple[str, str | None, t.Callable[[], bool] | None] | None = None
        searched: list[str] = []
        for number, (owner, loader) in enumerate(self._sources(), 1):
            where = f"{number}: {owner!r}"
            if loader is None:
                lines.append(f"{where}: no template folder")
                continue
            try:
                source = loader.get_source(environment, template)
            except TemplateNotFound:
                searched.append(_describe(loader))
                lines.append(f"{where}: not found in {_describe(loader)}")
                continue
            if found is None:
                found = source
                lines.append(f"{where}: found at {source[1]!r}")
            else:
                lines.append(f"{where}: also found at {source[1]!r} (ignored: earlier wins)")
        if found is None:
            lines.append(
                "Error: the template was not found. Check that it is in the application's"
                " 'templates' folder, or in a blueprint's template_folder."
            )
        self.app.logger.info("\n".join(lines))
        if found is None:
            raise self._not_found(template, searched)
        return found

    def _not_found(self, template: str, searched: list[str]) -> TemplateNotFound:
        where = "; ".join(searched) if searched else "nowhere: no template folder is configured"
        return TemplateNotFound(
            template,
            f"Template {template!r} was not found. Searched: {where}. Put it in the"
            " application's template_folder (default 'templates') or a blueprint's, or set"
            " EXPLAIN_TEMPLATE_LOADING = True to log the search.",
        )

    def list_templates(self) -> list[str]:
        """Every template name any loader knows, sorted."""
        names: set[str] = set()
        for _owner, loader in self._sources():
            if loader is not None:
                names.update(loader.list_templates())
        return sorted(names)

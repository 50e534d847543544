"""Rendering Jinja2 templates: ``render_template``, ``stream_template`` and friends.

Importing this module does not import Jinja2; the environment (``app.jinja_env``) is built,
and Jinja2 imported, the first time an application renders. ``Environment`` and
``DispatchingJinjaLoader`` are importable from here as in Flask; they are loaded on first
access.
"""

from __future__ import annotations

import typing as t

from .globals import _cv_app, _cv_request
from .signals import before_render_template, template_rendered

if t.TYPE_CHECKING:
    from jinja2 import Template

    from ._jinja import DispatchingJinjaLoader as DispatchingJinjaLoader
    from ._jinja import Environment as Environment
    from .app import Erlen

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "get_template_attribute",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]

#: The file extensions rendered with autoescaping on.
AUTOESCAPE_EXTENSIONS = (".html", ".htm", ".xml", ".xhtml", ".svg")

_TemplateName = t.Union[str, "Template", list[t.Union[str, "Template"]]]


def __getattr__(name: str) -> t.Any:
    # PERF: the Jinja2-based classes are imported on first use, not with Erlen.
    if name in ("Environment", "DispatchingJinjaLoader"):
        from . import _jinja

        return getattr(_jinja, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _current_app(what: str) -> Erlen:
    ctx = _cv_app.get(None)
    if ctx is None:
        raise RuntimeError(
            f"{what}() needs an application context to find the templates: call it inside a"
            " view, or wrap the call in `with app.app_context():`."
        )
    return ctx.app


def _render(app: Erlen, template: Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    # PERF: a signal nobody listens to costs one attribute test.
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    return rv


def _stream(app: Erlen, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(
                app, _async_wrapper=app.ensure_sync, template=template, context=context
            )

    rv = generate()
    if _cv_request.get(None) is not None:
        # The view returns before the body is generated; keep request, session and g
        # available until the last chunk.
        from .helpers import stream_with_context

        rv = stream_with_context(rv)
    return rv


def render_template(template_name_or_list: _TemplateName, **context: t.Any) -> str:
    """Render a template from the templates folders with ``context``.

    Given a list of names, the first that exists is used.
    """
    app = _current_app("render_template")
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template given as a string (autoescaped, like an ``.html`` file)."""
    app = _current_app("render_template_string")
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def stream_template(template_name_or_list: _TemplateName, **context: t.Any) -> t.Iterator[str]:
    """Render a template piece by piece, as an iterator of strings to return from a view.

    Inside a request the request context stays active until the stream ends.
    """
    app = _current_app("stream_template")
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template given as a string piece by piece (see :func:`stream_template`)."""
    app = _current_app("stream_template_string")
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A macro or variable exported by a template, to call from Python:
    ``get_template_attribute("_macros.html", "hello")("World")``."""
    app = _current_app("get_template_attribute")
    return getattr(app.jinja_env.get_template(template_name).module, attribute)


def select_jinja_autoescape(filename: str | None) -> bool:
    """Whether a template is autoescaped: string templates (no filename) and the
    :data:`AUTOESCAPE_EXTENSIONS`."""
    if filename is None:
        return True
    return filename.endswith(AUTOESCAPE_EXTENSIONS)


def create_environment(app: Erlen) -> Environment:
    """Build the environment for ``app`` (the body of ``app.create_jinja_environment``)."""
    from .globals import g, request, session
    from .helpers import get_flashed_messages

    options = dict(app.jinja_options)
    if "autoescape" not in options:
        options["autoescape"] = app.select_jinja_autoescape
    if "auto_reload" not in options:
        auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
        options["auto_reload"] = app.debug if auto_reload is None else bool(auto_reload)
    env = app.jinja_environment(app, **options)
    env.globals.update(
        url_for=app.url_for,
        get_flashed_messages=get_flashed_messages,
        config=app.config,
        # The proxies are falsy outside a request, and visible to imported macros.
        request=request,
        session=session,
        g=g,
    )
    # ``|tojson`` goes through app.json (Jinja2 then escapes <, >, & and ' for HTML).
    env.policies["json.dumps_function"] = app.json.dumps
    env.policies["json.dumps_kwargs"] = {}
    return env


class _DefaultEnvironmentClass:
    """``Erlen.jinja_environment``'s default: resolves to :class:`Environment` when read,
    importing Jinja2 then rather than with Erlen. A subclass may set a class instead."""

    def __get__(self, obj: object, owner: type[t.Any] | None = None) -> type[Environment]:
        from ._jinja import Environment

        return Environment

"""The ``erlen`` command line (the full command arrives with the CLI work)."""

from __future__ import annotations

import typing as t
from functools import update_wrapper

import click

from .globals import _cv_app

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class ScriptInfo:
    """What a CLI command needs to find the application."""

    def __init__(
        self, app_import_path: str | None = None, create_app: t.Callable[..., t.Any] | None = None
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.data: dict[str, t.Any] = {}
        self._loaded_app: t.Any = None

    def load_app(self) -> t.Any:
        """The application (created once)."""
        if self._loaded_app is None:
            if self.create_app is None:
                raise click.UsageError("Could not locate an Erlen application; pass --app.")
            self._loaded_app = self.create_app()
        return self._loaded_app


def with_appcontext(f: F) -> F:
    """Run a click command inside the application's context."""

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run inside the application context."""

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like :meth:`click.Group.command`, wrapping the callback in :func:`with_appcontext`
        unless ``with_appcontext=False``."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return click.Group.command(self, *args, **kwargs)(f)  # type: ignore[no-any-return]

        return decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like :meth:`click.Group.group`, defaulting the class to :class:`AppGroup`."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)


def main() -> None:  # pragma: no cover - replaced by the full CLI
    """Entry point of the ``erlen`` command."""
    raise SystemExit("The erlen command is not available yet; use app.run() or a WSGI server.")

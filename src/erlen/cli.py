"""The ``erlen`` command (also ``python -m erlen``), built on click.

``erlen --app IMPORT COMMAND``: the built-in commands are ``run`` (the development server),
``shell`` and ``routes``; an application adds its own through ``app.cli`` and blueprints
through ``bp.cli``; installed packages add theirs through the ``erlen.commands`` (or Flask's
``flask.commands``) entry-point group. See ``docs/cli.md``.

Every ``ERLEN_*`` environment variable may also be spelled ``FLASK_*`` (``FLASK_APP``,
``FLASK_DEBUG``, ``FLASK_RUN_PORT``...), so a migrated project's environment keeps working; the
``ERLEN_`` spelling wins when both are set.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import os
import platform
import re
import ssl
import sys
import traceback
import types
import typing as t
from functools import update_wrapper
from operator import itemgetter

import click
from click.core import ParameterSource

from .globals import _cv_app, current_app
from .helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .app import Erlen

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The dotenv files read by default, from the lowest precedence to the highest.
DOTENV_FILES = (".flaskenv", ".erlenenv", ".env")
#: The entry-point groups whose commands are added to ``erlen``.
PLUGIN_GROUPS = ("erlen.commands", "flask.commands")


class NoAppException(click.UsageError):
    """The application could not be found or loaded; the message says what to do."""


# -- finding the application -----------------------------------------------------------------------
def _is_app(value: object) -> bool:
    from .app import Erlen

    return isinstance(value, Erlen)


def _called_with_wrong_args(func: t.Callable[..., t.Any]) -> bool:
    """Whether the TypeError being handled came from calling ``func`` (its arguments did
    not fit) rather than from inside it."""
    tb = sys.exc_info()[2]
    code = getattr(func, "__code__", None)
    while tb is not None:
        if tb.tb_frame.f_code is code:
            return False  # func started running: the error is in its body
        tb = tb.tb_next
    return True


def find_best_app(module: types.ModuleType) -> Erlen:
    """The application in ``module``: ``app`` or ``application``, else the single Erlen
    instance, else what a ``create_app`` or ``make_app`` factory returns when called bare."""
    name = module.__name__
    for attr in ("app", "application"):
        value = getattr(module, attr, None)
        if _is_app(value):
            return t.cast("Erlen", value)
    found = [key for key, value in vars(module).items() if _is_app(value)]
    if len(found) == 1:
        return t.cast("Erlen", getattr(module, found[0]))
    if len(found) > 1:
        names = ", ".join(sorted(found))
        raise NoAppException(
            f"Module {name!r} holds several Erlen applications ({names}); choose one with"
            f" --app '{name}:NAME'."
        )
    for attr in ("create_app", "make_app"):
        factory = getattr(module, attr, None)
        if not inspect.isfunction(factory):
            continue
        try:
            app = factory()
        except TypeError as e:
            if not _called_with_wrong_args(factory):
                raise
            raise NoAppException(
                f"Found the factory {attr!r} in module {name!r}, but it cannot be called"
                f" without arguments. Pass them with --app '{name}:{attr}(ARGS)'."
            ) from e
        if _is_app(app):
            return t.cast("Erlen", app)
    raise NoAppException(
        f"Module {name!r} has no Erlen application: it defines no 'app' or 'application',"
        " no single Erlen instance, and no 'create_app' or 'make_app' factory. Name the"
        f" application with --app '{name}:NAME'."
    )


def _parse_app_expression(expr: str) -> tuple[str, list[t.Any], dict[str, t.Any], bool]:
    """``name`` or ``name(literal args)``: the name, the arguments, and whether it is a call.
    Arguments are Python literals, evaluated with :func:`ast.literal_eval` (never run)."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Could not parse {expr!r}: expected an attribute name or a call such as"
            " 'create_app(\"dev\")'."
        ) from None
    if isinstance(node, ast.Name):
        return node.id, [], {}, False
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise NoAppException(
            f"Could not use {expr!r}: expected an attribute name or a call of one, such as"
            " 'create_app(\"dev\")'."
        )
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise ValueError("**kwargs")
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
    except ValueError:
        raise NoAppException(
            f"The arguments in {expr!r} must be Python literals (strings, numbers, lists,"
            " dicts, True, False, None)."
        ) from None
    return node.func.id, args, kwargs, True


def find_app_by_string(module: types.ModuleType, app_name: str) -> Erlen:
    """The application named by ``app_name`` in ``module``: an attribute, or a factory call
    with literal arguments (``create_app("dev", debug=True)``)."""
    name, args, kwargs, is_call = _parse_app_expression(app_name)
    try:
        attr = getattr(module, name)
    except AttributeError:
        raise NoAppException(f"Module {module.__name__!r} has no attribute {name!r}.") from None
    if is_call or inspect.isfunction(attr):
        if not callable(attr):
            raise NoAppException(f"{module.__name__}:{name} is not callable.")
        try:
            app = attr(*args, **kwargs)
        except TypeError as e:
            if not _called_with_wrong_args(attr):
                raise
            raise NoAppException(
                f"The factory {app_name!r} in module {module.__name__!r} could not be called"
                " with these arguments; check its signature."
            ) from e
    else:
        app = attr
    if _is_app(app):
        return t.cast("Erlen", app)
    raise NoAppException(
        f"'{module.__name__}:{app_name}' is not an Erlen application (it is"
        f" {type(app).__name__!r})."
    )


def prepare_import(path: str) -> str:
    """The module name for a file or package path, with its folder put on ``sys.path``."""
    path = os.path.realpath(path)
    base, ext = os.path.splitext(path)
    if ext == ".py":
        path = base
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    names = []
    while True:
        path, name = os.path.split(path)
        names.append(name)
        if not os.path.isfile(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(names))


def _module_missing(error: ImportError, module_name: str) -> bool:
    """Whether ``error`` says ``module_name`` (or a package above it) does not exist, as
    opposed to an import failing inside it."""
    if not isinstance(error, ModuleNotFoundError) or error.name is None:
        return False
    return module_name == error.name or module_name.startswith(error.name + ".")


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Erlen | None:
    """Import ``module_name`` and find the application in it (see :func:`find_best_app`)."""
    try:
        __import__(module_name)
    except ImportError as e:
        if _module_missing(e, module_name):
            if not raise_if_not_found:
                return None
            raise NoAppException(
                f"Could not import {module_name!r}: there is no such module in the current"
                " folder or on sys.path. Check the --app value (or ERLEN_APP)."
            ) from None
        raise NoAppException(
            f"The module {module_name!r} was found, but importing it failed:\n\n"
            f"{traceback.format_exc()}"
        ) from None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def _split_app_path(value: str) -> tuple[str, str | None]:
    """``path:name`` -> ``(path, name)``; a colon before a slash (``C:\\``) is part of the path."""
    match = re.search(r":(?![\\/])", value)
    if match is None:
        return value, None
    return value[: match.start()], value[match.end() :] or None


class ScriptInfo:
    """What a command needs to find the application: the ``--app`` value or a factory.

    ``load_app()`` creates the application once. With ``set_debug_flag`` (the default) the
    app's ``debug`` is set from ``--debug`` / ``ERLEN_DEBUG``, as Flask's CLI does.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Erlen] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        #: The ``--app`` value: a module, a file or folder path, optionally ``:name``.
        self.app_import_path = app_import_path
        #: A function that returns the application (takes precedence over the path).
        self.create_app = create_app
        #: Free-form data for extensions.
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        #: Whether ``.env``, ``.erlenenv`` and ``.flaskenv`` are read.
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: Erlen | None = None

    def load_app(self) -> Erlen:
        """The application: created by ``create_app``, found at ``app_import_path``, or
        found in ``wsgi.py`` or ``app.py`` in the current folder."""
        if self._loaded_app is not None:
            return self._loaded_app
        app: Erlen | None = None
        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            path, name = _split_app_path(self.app_import_path)
            if os.path.isdir(path) and not os.path.isfile(os.path.join(path, "__init__.py")):
                app = self._load_from_folder(path, name)
            else:
                app = locate_app(prepare_import(path), name)
        else:
            for filename in ("wsgi.py", "app.py"):
                if os.path.isfile(filename):
                    app = locate_app(prepare_import(filename), None, raise_if_not_found=False)
                    if app is not None:
                        break
        if app is None:
            raise NoAppException(
                "Could not locate an Erlen application. Pass --app (or set ERLEN_APP), or"
                " put a wsgi.py or app.py in the current folder."
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app

    def _load_from_folder(self, folder: str, name: str | None) -> Erlen | None:
        # An Erlen extension: a folder that is not a package means its wsgi.py or app.py.
        for filename in ("wsgi.py", "app.py"):
            path = os.path.join(folder, filename)
            if os.path.isfile(path):
                return locate_app(prepare_import(path), name)
        raise NoAppException(
            f"The folder {folder!r} has no wsgi.py or app.py; pass the file or module instead."
        )


pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run a click command inside the application's context (loading the app if needed)."""

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run inside the application context."""

    @t.overload
    def command(self, __func: t.Callable[..., t.Any]) -> click.Command: ...
    @t.overload
    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]: ...

    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> click.Command | t.Callable[[t.Callable[..., t.Any]], click.Command]:
        """Like :meth:`click.Group.command`, wrapping the callback in :func:`with_appcontext`
        unless ``with_appcontext=False``. As with click, ``@app.cli.command`` also works
        without parentheses (Flask's raises a confusing error there)."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return t.cast(click.Command, click.Group.command(self, *args, **kwargs)(f))

        if len(args) == 1 and callable(args[0]) and not kwargs:
            func, args = args[0], ()
            return decorator(func)
        return decorator

    def group(  # type: ignore[override]
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]:
        """Like :meth:`click.Group.group`, defaulting the class to :class:`AppGroup`."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)  # type: ignore[no-any-return]


# -- environment -----------------------------------------------------------------------------------
def _mirror_flask_environ() -> list[str]:
    """Copy each ``FLASK_X`` variable to ``ERLEN_X`` where that is unset; the keys added."""
    added = []
    for key, value in list(os.environ.items()):
        if key.startswith("FLASK_"):
            target = "ERLEN_" + key[6:]
            if target not in os.environ:
                os.environ[target] = value
                added.append(target)
    return added


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load variables from ``path`` and (with ``load_defaults``) the ``.env``, ``.erlenenv``
    and ``.flaskenv`` files found from the current folder upwards, through python-dotenv.

    Precedence: ``path`` > ``.env`` > ``.erlenenv`` > ``.flaskenv``, and a variable already
    in ``os.environ`` is never overwritten. Returns whether any variable was read. Without
    python-dotenv, prints a tip when such files exist and returns False.
    """
    try:
        import dotenv
    except ImportError:
        if path is not None or any(os.path.isfile(name) for name in DOTENV_FILES):
            click.secho(
                " * Tip: there are .env files here, but python-dotenv is not installed:"
                " pip install python-dotenv (or erlen[dotenv]) to load them.",
                fg="yellow",
                err=True,
            )
        return False
    values: dict[str, str | None] = {}
    if load_defaults:
        for name in DOTENV_FILES:
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                values.update(dotenv.dotenv_values(found, encoding="utf-8"))
    if path is not None and os.path.isfile(path):
        values.update(dotenv.dotenv_values(path, encoding="utf-8"))
    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value
    _mirror_flask_environ()
    return bool(values)


# -- the group's own options -----------------------------------------------------------------------
def _env_file_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        try:
            import dotenv  # noqa: F401
        except ImportError:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file: pip install python-dotenv.",
                ctx=ctx,
                param=param,
            ) from None
    info = ctx.ensure_object(ScriptInfo)
    if getattr(ctx, "_erlen_dotenv_loaded", False):
        return
    ctx._erlen_dotenv_loaded = True  # type: ignore[attr-defined]
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)


def _app_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _debug_callback(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    source = ctx.get_parameter_source(param.name or "debug")
    if value is None or source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return
    # The environment carries the choice to the app (created later) and the reloader's child.
    os.environ["ERLEN_DEBUG"] = "1" if value else "0"


def _version_callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__

    click.echo(
        f"Python {platform.python_version()}\nErlen {__version__}\n"
        f"click {importlib.metadata.version('click')}",
        color=ctx.color,
    )
    ctx.exit()


def _group_params(add_version_option: bool) -> list[click.Parameter]:
    params: list[click.Parameter] = [
        click.Option(
            ["-e", "--env-file"],
            type=click.Path(exists=True, dir_okay=False),
            is_eager=True,
            expose_value=False,
            callback=_env_file_callback,
            help="Load environment variables from this file (needs python-dotenv); it takes"
            " precedence over .env, .erlenenv and .flaskenv.",
        ),
        click.Option(
            ["-A", "--app"],
            metavar="IMPORT",
            is_eager=True,
            expose_value=False,
            callback=_app_callback,
            help="The application: a module, file or folder, with an optional ':name' or"
            " ':factory(args)'. Default: wsgi.py or app.py in the current folder.",
        ),
        click.Option(
            ["--debug/--no-debug"],
            default=None,
            expose_value=False,
            callback=_debug_callback,
            help="Turn debug mode on or off.",
        ),
    ]
    if add_version_option:
        params.append(
            click.Option(
                ["--version"],
                is_flag=True,
                is_eager=True,
                expose_value=False,
                callback=_version_callback,
                help="Show the Erlen version.",
            )
        )
    return params


def _early_values(args: list[str]) -> tuple[str | None, str | None]:
    """The ``--env-file`` and ``--app`` values given before the first command, read ahead of
    click so that ``--help`` can list the application's commands."""
    env_file = app = None
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            break
        for names, kind in ((("-e", "--env-file"), "env"), (("-A", "--app"), "app")):
            value = None
            for name in names:
                if arg == name and i + 1 < len(args):
                    value = args[i + 1]
                    i += 1
                elif arg.startswith(name + "=") and name.startswith("--"):
                    value = arg[len(name) + 1 :]
                elif len(name) == 2 and arg.startswith(name) and len(arg) > 2:
                    value = arg[2:]
            if value is not None:
                if kind == "env":
                    env_file = value
                else:
                    app = value
        i += 1
    return env_file, app


class ErlenGroup(AppGroup):
    """The ``erlen`` command group: loads the application (for its commands), the dotenv
    files, the plugin commands, and adds ``run``, ``shell`` and ``routes``.

    The arguments are Flask's ``FlaskGroup``'s: ``add_default_commands``, ``create_app``
    (a factory used instead of ``--app``), ``add_version_option``, ``load_dotenv`` and
    ``set_debug_flag``. A custom script is ``ErlenGroup(create_app=create_app)``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Erlen] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        params.extend(_group_params(add_version_option))
        context_settings = dict(extra.pop("context_settings", None) or {})
        context_settings.setdefault("auto_envvar_prefix", "ERLEN")
        super().__init__(params=params, context_settings=context_settings, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)
        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return
        self._loaded_plugin_commands = True
        for group in PLUGIN_GROUPS:
            for entry_point in importlib.metadata.entry_points(group=group):
                if entry_point.name in self.commands:
                    continue  # the first wins: erlen.commands, then flask.commands
                try:
                    command = entry_point.load()
                except Exception as e:
                    click.secho(
                        f"Warning: the command {entry_point.name!r} from {entry_point.value!r}"
                        f" could not be loaded: {type(e).__name__}: {e}",
                        err=True,
                        fg="yellow",
                    )
                    continue
                self.add_command(command, entry_point.name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in or plugin command, else one of the application's commands."""
        self._load_plugin_commands()
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        info = ctx.ensure_object(ScriptInfo)
        try:
            app = info.load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None
        app_ctx = _cv_app.get(None)
        parsing = getattr(ctx, "_erlen_parsing", False)
        if not parsing and (app_ctx is None or app_ctx.app is not app):
            # Not while parsing (--help): a context left open there would never be closed.
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The built-in, plugin and application commands (loading the application)."""
        self._load_plugin_commands()
        names = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)
        try:
            names.update(info.load_app().cli.list_commands(ctx))
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """The context, with a :class:`ScriptInfo` as its object."""
        # app.run() in the application's module must not start a second server.
        os.environ["ERLEN_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the arguments; for ``--help``, load the dotenv files and the ``--app`` value
        first, so that the help lists the application's commands."""
        help_names = set(self.get_help_option_names(ctx))
        first_command = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
        group_args = args if first_command is None else args[:first_command]
        if (not args and self.no_args_is_help) or help_names.intersection(group_args):
            env_file, app = _early_values(args)
            info = ctx.ensure_object(ScriptInfo)
            if env_file is not None and os.path.isfile(env_file):
                load_dotenv(env_file, load_defaults=info.load_dotenv_defaults)
                ctx._erlen_dotenv_loaded = True  # type: ignore[attr-defined]
            elif info.load_dotenv_defaults:
                load_dotenv(None)
                ctx._erlen_dotenv_loaded = True  # type: ignore[attr-defined]
            app = app or os.environ.get("ERLEN_APP") or os.environ.get("FLASK_APP")
            if app:
                info.app_import_path = app
        ctx._erlen_parsing = True  # type: ignore[attr-defined]
        try:
            return super().parse_args(ctx, args)
        finally:
            ctx._erlen_parsing = False  # type: ignore[attr-defined]

    def main(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Run the command; ``FLASK_*`` variables count as their ``ERLEN_*`` twins meanwhile."""
        added = _mirror_flask_environ()
        try:
            return super().main(*args, **kwargs)
        finally:
            for key in added:
                os.environ.pop(key, None)


#: Flask's name for the same class.
FlaskGroup = ErlenGroup


# -- erlen run -------------------------------------------------------------------------------------
class CertParamType(click.ParamType):  # type: ignore[type-arg, unused-ignore]
    """``--cert``: a certificate file, ``adhoc``, or the import of an ``ssl.SSLContext``."""

    name = "path"

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """The certificate file's path, ``"adhoc"``, or the SSLContext object."""
        if isinstance(value, ssl.SSLContext):
            return value
        value = str(value)
        if value == "adhoc":
            try:
                import cryptography  # noqa: F401
            except ImportError:
                self.fail(
                    "A self-signed ('adhoc') certificate needs the 'cryptography' package:"
                    " pip install cryptography.",
                    param,
                    ctx,
                )
            return value
        if os.path.isfile(value):
            return os.path.realpath(value)
        module_name, _, attr = value.partition(":")
        obj: object = None
        if attr and module_name.replace(".", "").replace("_", "").isalnum():
            if os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())  # as for the application: modules from here
            try:
                obj = getattr(importlib.import_module(module_name), attr, None)
            except ImportError:
                obj = None
        if isinstance(obj, ssl.SSLContext):
            return obj
        self.fail(
            f"Could not use {value!r}: expected a certificate file, 'adhoc', or"
            " 'module:name' of an ssl.SSLContext.",
            param,
            ctx,
        )
        return None  # type: ignore[unreachable]  # pragma: no cover - fail() raises


def _validate_key(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    cert = ctx.params.get("cert")
    is_adhoc = cert == "adhoc"
    is_context = isinstance(cert, ssl.SSLContext)
    if value is not None:
        if is_adhoc:
            raise click.BadParameter("--key is not used with --cert adhoc.", ctx, param)
        if is_context:
            raise click.BadParameter(
                "--key is not used when --cert names an SSLContext (it holds the key).", ctx, param
            )
        if not cert:
            raise click.BadParameter("--key needs --cert (the certificate file).", ctx, param)
        ctx.params["cert"] = (cert, value)
    elif cert and not (is_adhoc or is_context):
        raise click.BadParameter("--cert FILE needs --key FILE (the private key).", ctx, param)
    return value


class SeparatedPathType(click.Path):
    """Several paths in one value, separated by ``os.pathsep`` (``:``, ``;`` on Windows)."""

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """The list of paths."""
        if isinstance(value, list | tuple):
            items = value
        else:
            items = [item for item in str(value).split(os.pathsep) if item]
        return [super(SeparatedPathType, self).convert(item, param, ctx) for item in items]


def show_server_banner(debug: bool, app_import_path: str | None) -> None:
    """Print which application is served and whether debug mode is on (once, not again in
    the reloader's child)."""
    from .serving import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        click.echo(f" * Serving Erlen app '{app_import_path}'")
    click.echo(f" * Debug mode: {'on' if debug else 'off'}")


def _failed_app(error: BaseException) -> t.Callable[[WSGIEnvironment, StartResponse], t.Any]:
    """While the application cannot load, each request re-raises the load error (a 500, and
    the traceback in the terminal or on the debug page) until a change restarts the server."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        raise error

    return app


@click.command("run", short_help="Run the development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option(
    "--port", "-p", default=5000, type=click.IntRange(0, 65535), help="The port to bind to."
)
@click.option(
    "--cert",
    type=CertParamType(),
    is_eager=True,
    help="A certificate file for HTTPS, 'adhoc', or 'module:name' of an ssl.SSLContext.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_key,
    expose_value=False,
    help="The private key file for --cert.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Restart when a file changes. Default: on in debug mode.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Show a traceback page for errors (loopback clients only). Default: on in debug mode.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Serve each connection in its own thread.",
)
@click.option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    help=f"More files for the reloader to watch, separated by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    help=f"fnmatch patterns of files the reloader ignores, separated by {os.pathsep!r}.",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: ssl.SSLContext | tuple[str, str] | str | None,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run the development server (not for production: see docs/deployment.md).

    With debug mode on (--debug or ERLEN_DEBUG=1) the reloader and the traceback page are on.
    """
    from .serving import format_exception_files, is_running_from_reloader, run_simple

    debug = get_debug_flag()
    if reload is None:
        reload = debug
    if debugger is None:
        debugger = debug
    app: t.Any
    try:
        app = info.load_app()
    except Exception as e:
        if not is_running_from_reloader():
            raise
        # In the reloader's child, a broken application waits for its fix.
        traceback.print_exc()
        extra_files = [*(extra_files or ()), *format_exception_files(e)]
        app = _failed_app(e)
    show_server_banner(debug, info.app_import_path)
    run_simple(
        host,
        port,
        app,
        use_reloader=reload,
        use_debugger=debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


# -- erlen shell -----------------------------------------------------------------------------------
@click.command("shell", short_help="Run a Python shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the application's context: ``app``, ``g`` and
    the ``shell_context_processor`` names are defined; ``PYTHONSTARTUP`` is honoured."""
    import code

    app = _cv_app.get().app
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as f:
            exec(compile(f.read(), startup, "exec"), namespace)  # the user's own startup file
    namespace.update(app.make_shell_context())
    interactive_hook = getattr(sys, "__interactivehook__", None)
    if interactive_hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(namespace).complete)
        interactive_hook()
    code.interact(banner=banner, local=namespace)


# -- erlen routes ----------------------------------------------------------------------------------
@click.command("routes", short_help="Show the routes of the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    help="Sort by this column; 'match' is the order in which rules are tried.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show every route: endpoint, methods, host or subdomain (when any is set), rule."""
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = url_map.host_matching

    def domain_of(rule: t.Any) -> str:
        return str((rule.host if host_matching else rule.subdomain) or "")

    has_domain = any(domain_of(rule) for rule in rules)
    headers = ["Endpoint", "Methods"]
    if has_domain:
        headers.append("Host" if host_matching else "Subdomain")
    headers.append("Rule")
    rows = []
    for rule in rules:
        row = [str(rule.endpoint), ", ".join(sorted((rule.methods or set()) - hidden))]
        if has_domain:
            row.append(domain_of(rule))
        row.append(str(rule.rule))
        rows.append(row)
    if sort == "endpoint":
        rows.sort(key=itemgetter(0, -1))
    elif sort == "methods":
        rows.sort(key=lambda row: (row[1], row[-1]))
    elif sort == "domain" and has_domain:
        rows.sort(key=itemgetter(2, -1))
    elif sort == "rule":
        rows.sort(key=itemgetter(-1))
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    template = "  ".join(f"{{{i}:<{width}}}" for i, width in enumerate(widths))
    click.echo(template.format(*headers).rstrip())
    click.echo(template.format(*("-" * width for width in widths)).rstrip())
    for row in rows:
        click.echo(template.format(*row).rstrip())


#: The ``erlen`` command.
cli = ErlenGroup(
    name="erlen",
    help="""Erlen's command line: run, inspect and manage an Erlen application.

    Name the application with --app (or ERLEN_APP); without it, wsgi.py or app.py in the
    current folder is used. FLASK_* variables are read like their ERLEN_* twins.
    """,
)


def main() -> None:
    """Entry point of the ``erlen`` command and ``python -m erlen``."""
    cli.main()

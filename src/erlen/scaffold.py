"""The registration API shared by the application and blueprints."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
from collections import defaultdict
from datetime import timedelta
from functools import update_wrapper

from . import typing as ft
from .exceptions import HTTPException, default_exceptions
from .utils import cached_property

if t.TYPE_CHECKING:
    import click
    from jinja2 import BaseLoader

    from .wrappers import Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
T_after_request = t.TypeVar("T_after_request", bound=ft.AfterRequestCallable[t.Any])
T_before_request = t.TypeVar("T_before_request", bound=ft.BeforeRequestCallable)
T_error_handler = t.TypeVar("T_error_handler", bound=ft.ErrorHandlerCallable)
T_teardown = t.TypeVar("T_teardown", bound=ft.TeardownCallable)
T_template_context_processor = t.TypeVar(
    "T_template_context_processor", bound=ft.TemplateContextProcessorCallable
)
T_url_defaults = t.TypeVar("T_url_defaults", bound=ft.URLDefaultCallable)
T_url_value_preprocessor = t.TypeVar(
    "T_url_value_preprocessor", bound=ft.URLValuePreprocessorCallable
)
T_route = t.TypeVar("T_route", bound=ft.RouteCallable)

_sentinel: t.Any = object()


def setupmethod(f: F) -> F:
    """Mark a registration method: it refuses to run once the app has handled a request."""
    name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(name)
        return f(self, *args, **kwargs)

    return t.cast(F, update_wrapper(wrapper_func, f))


def _max_age_seconds(value: timedelta | int | None) -> int | None:
    """A ``SEND_FILE_MAX_AGE_DEFAULT`` value in seconds (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


class Scaffold:
    """What the application and a blueprint have in common: views, hooks, error handlers.

    The ``*_funcs`` dicts are keyed by blueprint name, with ``None`` for the application;
    each value is a list of functions in registration order.
    """

    name: str
    _static_folder: str | None = None
    # (root_path, _static_folder, their join): see static_folder.
    _static_folder_joined: tuple[str, str, str] | None = None
    _static_url_path: str | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        #: The name of the package or module this object belongs to.
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        #: The templates folder, relative to ``root_path``.
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        #: The folder that static, template and resource paths are relative to.
        self.root_path = root_path
        #: Endpoint name -> view function.
        self.view_functions: dict[str, ft.RouteCallable] = {}
        #: Scope -> status code (or None) -> exception class -> handler.
        self.error_handler_spec: dict[
            ft.AppOrBlueprintKey,
            dict[int | None, dict[type[Exception], ft.ErrorHandlerCallable]],
        ] = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.BeforeRequestCallable]] = (
            defaultdict(list)
        )
        self.after_request_funcs: dict[
            ft.AppOrBlueprintKey, list[ft.AfterRequestCallable[t.Any]]
        ] = defaultdict(list)
        self.teardown_request_funcs: dict[ft.AppOrBlueprintKey, list[ft.TeardownCallable]] = (
            defaultdict(list)
        )
        self.template_context_processors: dict[
            ft.AppOrBlueprintKey, list[ft.TemplateContextProcessorCallable]
        ] = defaultdict(list)
        self.url_value_preprocessors: dict[
            ft.AppOrBlueprintKey, list[ft.URLValuePreprocessorCallable]
        ] = defaultdict(list)
        self.url_default_functions: dict[ft.AppOrBlueprintKey, list[ft.URLDefaultCallable]] = (
            defaultdict(list)
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- folders ------------------------------------------------------------------------------
    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None``."""
        folder = self._static_folder
        if folder is None:
            return None
        # PERF: read on every static request; joined again only when root_path or the
        # folder is another string than last time.
        root = self.root_path
        joined = self._static_folder_joined
        if joined is None or joined[0] is not root or joined[1] is not folder:
            joined = self._static_folder_joined = (root, folder, os.path.join(root, folder))
        return joined[2]

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is configured (it need not exist)."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix static files are served under (default: ``/`` + folder name)."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """A Jinja loader for :attr:`template_folder`, or ``None`` without one. The app's
        loader searches the app's, then each blueprint's in registration order."""
        if self.template_folder is None:
            return None
        from jinja2 import FileSystemLoader

        return FileSystemLoader(os.path.join(self.root_path, self.template_folder))

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The ``max_age`` in seconds for a static file (``None``: revalidate with ETag)."""
        raise NotImplementedError

    def _send_static_file(self, filename: str, no_folder: str) -> Response:
        """Serve ``filename`` from :attr:`static_folder`; without one raise ``no_folder``."""
        folder = self.static_folder  # what has_static_folder tests, computed once
        if folder is None:
            raise RuntimeError(no_folder)
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(folder, filename, max_age=max_age)

    def _open_resource(self, resource: str, mode: str, encoding: str | None) -> t.IO[t.Any]:
        """Open ``resource`` below :attr:`root_path`, for reading only."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading ('r', 'rt' or 'rb').")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    @cached_property
    def cli(self) -> click.Group:
        """The click group for this object's commands (``erlen <command>``)."""
        from .cli import AppGroup

        return AppGroup()

    # -- routes -------------------------------------------------------------------------------
    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[T_route], T_route]:
        if "methods" in options:
            raise TypeError(
                f"Use the 'route' decorator to pass 'methods'; '{method.lower()}' sets it to"
                f" [{method!r}]."
            )
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for ``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for ``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for ``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for ``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for ``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Register the decorated function as the view for ``rule``.

        ``options`` are :class:`~erlen.routing.Rule` options (``methods``, ``defaults``,
        ``strict_slashes``, ...) plus ``endpoint`` and ``provide_automatic_options``.
        """

        def decorator(f: T_route) -> T_route:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule; see :meth:`route`."""
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view for an endpoint named elsewhere."""

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks --------------------------------------------------------------------------------
    @setupmethod
    def before_request(self, f: T_before_request) -> T_before_request:
        """Run ``f()`` before each request; a non-``None`` return is used as the response."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: T_after_request) -> T_after_request:
        """Run ``f(response)`` after each request; it returns the response to send."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: T_teardown) -> T_teardown:
        """Run ``f(exc)`` when the request context is popped, even after an error."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: T_template_context_processor) -> T_template_context_processor:
        """Register a function whose returned dict is added to every template's context."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: T_url_value_preprocessor) -> T_url_value_preprocessor:
        """Run ``f(endpoint, view_args)`` before the view, to pop or transform URL values."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Run ``f(endpoint, values)`` when building URLs, to fill in missing values."""
        self.url_default_functions[None].append(f)
        return f

    # -- errors -------------------------------------------------------------------------------
    @setupmethod
    def errorhandler(
        self, code_or_exception: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Register the decorated function for an HTTP status code or an exception class."""

        def decorator(f: T_error_handler) -> T_error_handler:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: ft.ErrorHandlerCallable
    ) -> None:
        """Register ``f`` for a status code or an exception class (without a decorator)."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        if isinstance(exc_class_or_code, int):
            try:
                exc_class: type[Exception] = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"'{exc_class_or_code}' is not a recognized HTTP error code; register the"
                    " handler for an HTTPException subclass with that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, Exception):
            raise TypeError(
                f"{exc_class!r} is an exception instance; register the handler for its class"
                f" ({type(exc_class).__name__}) or for an HTTP status code."
            )
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(
                f"{exc_class!r} is not a subclass of Exception; handlers can be registered for"
                " exception classes or HTTP status codes."
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None


def _endpoint_from_view_func(view_func: ft.RouteCallable | None) -> str:
    """The default endpoint: the view function's name."""
    if view_func is None:
        raise TypeError("add_url_rule() needs a view_func when no endpoint is given.")
    return view_func.__name__


def get_root_path(import_name: str) -> str:
    """The folder of a module or package, given its import name."""
    mod = sys.modules.get(import_name)
    mod_file: str | None = getattr(mod, "__file__", None)
    if mod_file:
        return os.path.dirname(os.path.abspath(mod_file))
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or import_name == "__main__":
        return os.getcwd()
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        return os.path.dirname(os.path.abspath(spec.origin))
    if spec.submodule_search_locations:
        return os.path.abspath(next(iter(spec.submodule_search_locations)))
    raise RuntimeError(  # pragma: no cover - built-in modules cannot own an application
        f"No folder can be found for the module {import_name!r}; pass root_path= explicitly."
    )


# At the bottom: erlen.helpers imports this module's get_root_path at its own bottom, and
# an import inside _send_static_file would cost ~1.5 µs on every static file.
from .helpers import send_from_directory  # noqa: E402

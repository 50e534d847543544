"""The application: configuration, registration, and the request pipeline.

A request's story, each step a method a subclass may override::

    wsgi_app -> request_context().push() (match the URL)
             -> full_dispatch_request -> preprocess_request -> dispatch_request
                                      -> finalize_request -> make_response, process_response
             -> response(environ, start_response) -> ctx.pop() (teardown)

When an app overrides none of these methods (checked once, on the first request), wsgi_app
runs ``_plain_wsgi_app`` instead: the same steps written out in one function, without the
method calls between them. Hooks, signals, error handlers and the request and response
classes work the same way on both paths.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import logging
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from urllib.parse import quote

from . import signals
from . import typing as ft
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .datastructures import Headers, ImmutableDict
from .exceptions import (
    Aborter,
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    NotFound,
)
from .globals import _cv_app, _cv_request
from .globals import session as _session_proxy
from .json.provider import DefaultJSONProvider, JSONProvider
from .routing import BuildError, Map, MapAdapter, RoutingException, Rule
from .routing.map import _known_hosts
from .scaffold import Scaffold, _endpoint_from_view_func, _max_age_seconds, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .templating import _DefaultEnvironmentClass, select_jinja_autoescape
from .utils import cached_property
from .utils import redirect as _redirect
from .wrappers import Request, Response
from .wrappers.request import _split_blueprint_path
from .wrappers.response import _Answer, text_answer

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ._jinja import DispatchingJinjaLoader, Environment
    from .blueprints import Blueprint
    from .testing import ErlenClient, ErlenCliRunner

T_shell_context_processor = t.TypeVar(
    "T_shell_context_processor", bound=ft.ShellContextProcessorCallable
)
T_teardown = t.TypeVar("T_teardown", bound=ft.TeardownCallable)
T_template_filter = t.TypeVar("T_template_filter", bound=ft.TemplateFilterCallable)
T_template_global = t.TypeVar("T_template_global", bound=ft.TemplateGlobalCallable)
T_template_test = t.TypeVar("T_template_test", bound=ft.TemplateTestCallable)

_sentinel: t.Any = object()

# PERF: isinstance() with a tuple; ``A | B`` in the call would build a union on every call.
_HEADERS_TYPES = (Headers, dict, tuple, list)
_BODY_TYPES = (str, bytes, bytearray, cabc.Iterator)
_JSON_TYPES = (dict, list)
_BYTES_TYPES = (bytes, bytearray)
_HTTP_SCHEMES = frozenset(("http", "https"))


def _make_timedelta(value: timedelta | int) -> timedelta:
    """``PERMANENT_SESSION_LIFETIME`` may be a timedelta or a number of seconds."""
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def get_debug_flag() -> bool:
    """Debug mode from ``ERLEN_DEBUG`` (or ``FLASK_DEBUG``): anything but empty/0/false/no."""
    value = os.environ.get("ERLEN_DEBUG") or os.environ.get("FLASK_DEBUG")
    return bool(value) and value.lower() not in ("0", "false", "no")  # type: ignore[union-attr]


_REFUSED_HOST_EXTERNAL = (
    "url_for() cannot build a full URL for this request: its Host header was refused (it is"
    " malformed, or not in TRUSTED_HOSTS), so the host is unknown. Relative URLs still work;"
    " for full ones, set SERVER_NAME or build them from a trusted host."
)


class Erlen(Scaffold):
    """The WSGI application: ``app = Erlen(__name__)``. ``Flask`` is an alias.

    Class attributes name the classes the app builds; override them in a subclass to
    customise requests, responses, sessions, JSON, the URL map or the test client.
    """

    #: The request class.
    request_class: type[Request] = Request
    #: The response class.
    response_class: type[Response] = Response
    #: The class of ``app.aborter``, used by :func:`erlen.abort`.
    aborter_class = Aborter
    #: The class of ``g``.
    app_ctx_globals_class = _AppCtxGlobals
    #: The class of ``app.config``.
    config_class = Config
    #: The class of ``app.json``.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: The rule class for ``add_url_rule``.
    url_rule_class = Rule
    #: The class of ``app.url_map``.
    url_map_class = Map
    #: Options for the Jinja environment.
    jinja_options: dict[str, t.Any] = {}
    #: The Jinja environment class (default :class:`erlen.templating.Environment`, imported
    #: on first access so that an app that never renders does not import Jinja2).
    jinja_environment = _DefaultEnvironmentClass()
    #: The test client class (``None``: :class:`erlen.testing.ErlenClient`).
    test_client_class: type[ErlenClient] | None = None
    #: The CLI runner class (``None``: :class:`erlen.testing.ErlenCliRunner`).
    test_cli_runner_class: type[ErlenCliRunner] | None = None
    #: How sessions are loaded and saved.
    session_interface: SessionInterface = SecureCookieSessionInterface()

    #: ``TESTING``: exceptions propagate to the test client.
    testing = ConfigAttribute[bool]("TESTING")
    #: ``SECRET_KEY``: signs the session cookie.
    secret_key = ConfigAttribute[str | bytes | None]("SECRET_KEY")
    #: ``PERMANENT_SESSION_LIFETIME`` as a timedelta.
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )

    #: Flask 3.1's built-in configuration, key for key.
    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": None,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
        }
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                f"instance_path must be absolute, not {instance_path!r}; build it with"
                " os.path.abspath()."
            )
        #: The folder for files that are not under version control (config, databases).
        self.instance_path = instance_path
        #: The configuration, a dict with loaders (:class:`~erlen.config.Config`).
        self.config = self.make_config(instance_relative_config)
        #: Raises HTTP errors for :func:`erlen.abort`.
        self.aborter = self.make_aborter()
        #: The JSON provider (``jsonify``, ``request.get_json``).
        self.json: JSONProvider = self.json_provider_class(self)
        #: Called with ``(error, endpoint, values)`` when ``url_for`` fails.
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str | None]
        ] = []
        #: Called with the exception (or None) when the application context is popped.
        self.teardown_appcontext_funcs: list[ft.TeardownCallable] = []
        #: Functions whose dicts are added to the ``erlen shell`` namespace.
        self.shell_context_processors: list[ft.ShellContextProcessorCallable] = []
        #: Registered blueprints by name.
        self.blueprints: dict[str, Blueprint] = {}
        #: Per-extension state: ``app.extensions["name"] = state``.
        self.extensions: dict[str, t.Any] = {}
        #: The URL rules.
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False
        # Whether wsgi_app may take _plain_wsgi_app: decided on the first request, and
        # again after a pipeline method is set on the instance (see __setattr__).
        self._plain_pipeline: bool | None = None
        # Filters, tests and globals registered before jinja_env exists: (kind, name, func).
        self._jinja_pending: list[tuple[str, str, t.Callable[..., t.Any]]] = []
        # PERF: ensure_sync of each registered function, keyed by the function.
        self._sync_cache: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]] = {}
        # PERF: the hook chain of each (hook dict, blueprint path), flattened once the setup
        # is locked; see _hook_chain.
        self._hook_chains: dict[tuple[str, str | None], tuple[t.Callable[..., t.Any], ...]] = {}
        # PERF: (exception class, blueprint path) -> error handler (or None), likewise.
        self._error_handler_cache: dict[
            tuple[type[Exception], str | None], ft.ErrorHandlerCallable | None
        ] = {}

        if self.has_static_folder:
            if bool(static_host) != host_matching:
                raise AssertionError(
                    "static_host goes with host_matching=True (and host_matching needs a"
                    " static_host when there is a static folder)."
                )
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    # -- identity and configuration ---------------------------------------------------------------
    @cached_property
    def name(self) -> str:
        """The application's name: the import name, or the script's name for ``__main__``."""
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @cached_property
    def logger(self) -> logging.Logger:
        """The logger named after the app (see :mod:`erlen.logging`)."""
        from .logging import create_logger

        return create_logger(self)

    @property
    def debug(self) -> bool:
        """Debug mode (``DEBUG``): tracebacks propagate, templates reload, JSON is indented."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.__dict__["jinja_env"].auto_reload = value

    @property
    def propagate_exceptions(self) -> bool:
        """Whether unhandled errors are re-raised (``PROPAGATE_EXCEPTIONS``, testing, debug)."""
        rv = self.config["PROPAGATE_EXCEPTIONS"]
        if rv is not None:
            return bool(rv)
        return self.testing or self.debug

    def make_config(self, instance_relative: bool = False) -> Config:
        """Build ``app.config`` from :attr:`default_config` (``DEBUG`` from the environment)."""
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> Aborter:
        """Build ``app.aborter``."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """``<package>/instance``, or ``<prefix>/var/<name>-instance`` for an installed package."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.Any]:
        """Open a file in the instance folder."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open a file relative to ``root_path`` for reading."""
        return self._open_resource(resource, mode, encoding)

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the application:"
                " it has already handled its first request, and a change now would apply to"
                " some workers and requests but not others. Register every view, blueprint,"
                " hook and error handler before the first request, for example at import time"
                " or in your application factory (create_app)."
            )

    # -- registration -----------------------------------------------------------------------------
    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register ``rule`` for ``endpoint`` (default: the view's name) and ``view_func``."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                f"methods must be a list of strings, such as methods=[{methods!r}], not a string."
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            provide_automatic_options = (
                "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            )
        if provide_automatic_options:
            required_methods.add("OPTIONS")
        methods |= required_methods

        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = bool(provide_automatic_options)
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    f"View function mapping is overwriting an existing endpoint function:"
                    f" {endpoint}. Give one of the views another endpoint= name."
                )
            self.view_functions[endpoint] = view_func

    @setupmethod
    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Run ``f(exc)`` when the application context is popped (after each request)."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: T_shell_context_processor) -> T_shell_context_processor:
        """Add the returned dict to the ``erlen shell`` namespace."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """The namespace of ``erlen shell``: ``app``, ``g`` and the processors' dicts."""
        from .globals import g

        rv: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a :class:`~erlen.Blueprint` and, through it, its nested blueprints.

        ``options`` override the blueprint's defaults: ``url_prefix``, ``subdomain``,
        ``url_defaults``, ``name`` (required to register the same blueprint twice) and
        ``cli_group``; the rest reach the deferred functions as ``state.options``.
        """
        self._hook_chains.clear()
        self._error_handler_cache.clear()
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    def _hook_chain(self, attr: str, blueprint: str | None) -> tuple[t.Callable[..., t.Any], ...]:
        """The functions of the scope dict ``attr`` that run for a request of ``blueprint``
        (a dotted path), in call order, made sync with :meth:`ensure_sync`.

        ``before_request_funcs``, ``url_value_preprocessors`` and ``url_default_functions``
        run app first, then blueprints outer to inner, each list in order; the others run
        blueprints inner to outer, then the app, each list in reverse.
        """
        key = (attr, blueprint)
        try:
            return self._hook_chains[key]
        except KeyError:
            pass
        funcs_by_scope: dict[str | None, list[t.Callable[..., t.Any]]] = getattr(self, attr)
        path: tuple[str | None, ...] = _split_blueprint_path(blueprint) if blueprint else ()
        funcs: list[t.Callable[..., t.Any]] = []
        if attr in ("before_request_funcs", "url_value_preprocessors", "url_default_functions"):
            for name in (None, *reversed(path)):
                funcs.extend(funcs_by_scope.get(name, ()))
        else:
            for name in (*path, None):
                funcs.extend(reversed(funcs_by_scope.get(name, ())))
        if attr in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs"):
            funcs = [self._sync(func) for func in funcs]
        rv = tuple(funcs)
        # PERF: cached only once the setup lock holds (after the first request), so a hook
        # registered before that, by any route, is never missed.
        if self._got_first_request:
            self._hook_chains[key] = rv
        return rv

    # -- templates --------------------------------------------------------------------------------
    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja environment, built on first use by :meth:`create_jinja_environment`."""
        env = self.create_jinja_environment()
        for kind, name, func in self._jinja_pending:
            getattr(env, kind)[name] = func
        self._jinja_pending.clear()
        return env

    def create_jinja_environment(self) -> Environment:
        """Build the environment from :attr:`jinja_options`, with autoescaping by
        :meth:`select_jinja_autoescape`, ``auto_reload`` from ``TEMPLATES_AUTO_RELOAD`` (None:
        follow debug), and the globals ``config``, ``url_for`` and ``get_flashed_messages``."""
        from .templating import create_environment

        return create_environment(self)

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The loader that searches the app's templates, then each blueprint's."""
        from ._jinja import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether to autoescape a template: string templates and ``.html``, ``.htm``,
        ``.xml``, ``.xhtml`` and ``.svg`` files."""
        return select_jinja_autoescape(filename)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add ``g``, ``request`` and ``session`` (when active) and the context processors'
        values to ``context``; the values passed to ``render_template`` win. Processors of
        the app run always, a blueprint's only for requests that blueprint handles."""
        extra: dict[str, t.Any] = {}
        app_ctx = _cv_app.get(None)
        if app_ctx is not None:
            extra["g"] = app_ctx.g
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            extra["request"] = req_ctx.request
            # PERF: the proxy, so that rendering does not open the session.
            extra["session"] = _session_proxy
        processors = self.template_context_processors
        if processors:
            names: t.Iterable[str | None] = (None,)
            if req_ctx is not None:
                names = (None, *reversed(req_ctx.request.blueprints))
            for name in names:
                for func in processors.get(name, ()):
                    extra.update(self._sync(func)())
        extra.update(context)
        context.update(extra)

    def _add_jinja(self, kind: str, f: t.Callable[..., t.Any], name: str | None) -> None:
        name = name or f.__name__
        if "jinja_env" in self.__dict__:
            getattr(self.__dict__["jinja_env"], kind)[name] = f
        else:
            # PERF: no environment (and no Jinja2 import) just to register a filter.
            self._jinja_pending.append((kind, name, f))

    @t.overload
    def template_filter(self, name: T_template_filter) -> T_template_filter: ...
    @t.overload
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]: ...
    @setupmethod
    def template_filter(
        self, name: T_template_filter | str | None = None
    ) -> T_template_filter | t.Callable[[T_template_filter], T_template_filter]:
        """Register the decorated function as a Jinja filter (named ``name`` or after the
        function); ``@app.template_filter`` works without parentheses too."""
        return _decorator_or_registered(self.add_template_filter, name)

    @setupmethod
    def add_template_filter(self, f: ft.TemplateFilterCallable, name: str | None = None) -> None:
        """Register a Jinja filter without a decorator."""
        self._add_jinja("filters", f, name)

    @t.overload
    def template_test(self, name: T_template_test) -> T_template_test: ...
    @t.overload
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]: ...
    @setupmethod
    def template_test(
        self, name: T_template_test | str | None = None
    ) -> T_template_test | t.Callable[[T_template_test], T_template_test]:
        """Register the decorated function as a Jinja test (``{% if x is name %}``)."""
        return _decorator_or_registered(self.add_template_test, name)

    @setupmethod
    def add_template_test(self, f: ft.TemplateTestCallable, name: str | None = None) -> None:
        """Register a Jinja test without a decorator."""
        self._add_jinja("tests", f, name)

    @t.overload
    def template_global(self, name: T_template_global) -> T_template_global: ...
    @t.overload
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]: ...
    @setupmethod
    def template_global(
        self, name: T_template_global | str | None = None
    ) -> T_template_global | t.Callable[[T_template_global], T_template_global]:
        """Register the decorated function as a Jinja global, callable in every template."""
        return _decorator_or_registered(self.add_template_global, name)

    @setupmethod
    def add_template_global(self, f: ft.TemplateGlobalCallable, name: str | None = None) -> None:
        """Register a Jinja global without a decorator."""
        self._add_jinja("globals", f, name)

    # -- contexts ---------------------------------------------------------------------------------
    def app_context(self) -> AppContext:
        """A new application context: ``with app.app_context(): ...``."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """A new request context for a WSGI environ."""
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a request built from :class:`~erlen.testing.EnvironBuilder`
        arguments: ``with app.test_request_context("/?q=1"): ...``."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> ErlenClient:
        """A client that calls the app without a server (see :mod:`erlen.testing`)."""
        from .testing import ErlenClient

        cls = self.test_client_class or ErlenClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> ErlenCliRunner:
        """A runner that invokes the app's CLI commands in-process."""
        from .testing import ErlenCliRunner

        cls = self.test_cli_runner_class or ErlenCliRunner
        return cls(self, **kwargs)

    def _hostless_url_adapter(self, request: Request) -> MapAdapter:
        """An adapter for building the paths of a request whose Host was refused."""
        return self.url_map.bind(
            self.config["SERVER_NAME"] or "",
            script_name=request.script_root,
            url_scheme=request.scheme,
            default_method=request.method,
        )

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the URL map to a request, or (outside a request) to ``SERVER_NAME``.

        ``TRUSTED_HOSTS`` is checked here, so an untrusted host is a 400 before routing.
        ``SERVER_NAME`` limits routing to that host only with subdomain matching on.
        """
        config = self.config
        if request is not None:
            trusted_hosts = config["TRUSTED_HOSTS"]
            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts
                request.host  # noqa: B018 - validates the Host header now
            url_map = self.url_map
            if url_map.host_matching:
                return url_map.bind_to_environ(request.environ, server_name=None)
            if self.subdomain_matching:
                return url_map.bind_to_environ(
                    request.environ, server_name=config["SERVER_NAME"], subdomain=None
                )
            return url_map.bind_to_environ(
                request.environ,
                server_name=config["SERVER_NAME"],
                subdomain=url_map.default_subdomain or "",
            )
        if config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                config["SERVER_NAME"],
                script_name=config["APPLICATION_ROOT"],
                url_scheme=config["PREFERRED_URL_SCHEME"],
            )
        return None

    # -- the WSGI entry point ---------------------------------------------------------------------
    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        """The WSGI application proper; wrap this attribute to add middleware."""
        plain = self._plain_pipeline
        if plain is None:
            plain = self._plain_pipeline = _pipeline_is_plain(self)
        # PERF: see _plain_wsgi_app; a context that is already bound (a test's app
        # context, the test client keeping one) takes the general path.
        if plain and _cv_app.get(None) is None and "erlen.preserve_context" not in environ:
            return self._plain_wsgi_app(environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except BaseException:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            preserve = environ.get("erlen.preserve_context")
            if preserve is not None and _cv_request.get(None) is ctx:
                # The test client pushes both again, so ``g`` and ``request`` stay inspectable.
                preserve(_cv_app.get())
                preserve(ctx)
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        return self.wsgi_app(environ, start_response)

    def _match_without_adapter(
        self, environ: WSGIEnvironment, method: str
    ) -> tuple[Rule, dict[str, t.Any]] | None:
        """What ``ctx.match_request()`` finds for the usual request, found without binding a
        URL adapter: the rule and its values, or :class:`~erlen.exceptions.NotFound` raised;
        ``None`` for anything else (bind and match)."""
        # PERF: binding an adapter costs more than the match. "Usual" is: no SERVER_NAME,
        # TRUSTED_HOSTS, subdomain or host matching; a Host header already checked once;
        # an ASCII path without "//"; plain HTTP; one rule that matches with no redirect.
        # Everything else, errors included, is left to the adapter.
        config = self.config
        url_map = self.url_map
        if (
            config["SERVER_NAME"] is not None
            or config["TRUSTED_HOSTS"] is not None
            or self.subdomain_matching
            or url_map.host_matching
            or url_map.default_subdomain
            or environ.get("HTTP_HOST") not in _known_hosts
            or "HTTP_UPGRADE" in environ
            or environ.get("wsgi.url_scheme") not in _HTTP_SCHEMES
        ):
            return None
        path = environ.get("PATH_INFO")
        if not path or path[0] != "/" or not path.isascii() or "//" in path:
            return None
        matcher = url_map._matcher or url_map._get_matcher()
        try:
            found = matcher.lookup(path, "", method, False)
        except HTTPException:
            return None
        if found is None:
            # No rule: a 404, unless the path with a slash added matches (the adapter then
            # decides between the strict-slash redirect and the 404).
            if path[-1] != "/":
                try:
                    with_slash = matcher.lookup(path + "/", "", method, False)
                except HTTPException:
                    return None
                if with_slash is not None:
                    return None
            raise NotFound()
        if found[0]._redirects:
            return None
        return found

    def _json_answer(self, rv: dict[str, t.Any], environ: WSGIEnvironment) -> _Answer | None:
        """What ``make_response(rv)(environ, start_response)`` would answer for a ``dict``,
        with the default JSON provider (``None`` with another; :func:`text_answer`)."""
        provider = self.json
        if type(provider) is not DefaultJSONProvider or "response" in provider.__dict__:
            return None
        return text_answer(provider._response_text(rv), provider.mimetype, environ)

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name in _PLAIN_NAMES:  # app.make_response = ...: decide the path again
            object.__setattr__(self, "_plain_pipeline", None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in _PLAIN_NAMES:
            object.__setattr__(self, "_plain_pipeline", None)
        object.__delattr__(self, name)

    def _plain_wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        """:meth:`wsgi_app` with the pipeline methods written out in one function.

        It runs only when none of the methods it stands for is overridden on the class or
        the instance (:func:`_pipeline_is_plain`) and no context is bound yet, so each step
        does what the method of the same name does; the tests run both paths. Every hook,
        signal and error goes through the same methods as on the general path.
        """
        # PERF: the general path is ~16 method calls deep for a plain GET; each costs
        # ~0.1 µs here, a tenth of the whole request.
        ctx = RequestContext._unbound(self, environ)  # request_context(), adapter made later
        request = ctx.request
        app_ctx = AppContext(self)  # ctx.push(): a new app context, then the request's
        if signals.appcontext_pushed.receivers:
            app_ctx.push()
        else:
            app_ctx._cv_tokens.append(_cv_app.set(app_ctx))
        ctx._cv_tokens.append((_cv_request.set(ctx), app_ctx))
        error: BaseException | None = None
        answer: _Answer | None = None
        try:
            try:
                try:
                    found = self._match_without_adapter(environ, request.method)
                except NotFound as e:
                    request.routing_exception = e
                else:
                    if found is not None:
                        request.url_rule, request.view_args = found
                    elif ctx.url_adapter is not None:
                        ctx.match_request()
                # full_dispatch_request()
                if not self._got_first_request:
                    self._got_first_request = True
                try:
                    if signals.request_started.receivers:
                        signals.request_started.send(self, _async_wrapper=self.ensure_sync)
                    rv: t.Any = None
                    if self.url_value_preprocessors or self.before_request_funcs:
                        rv = self.preprocess_request()
                    if rv is None:  # dispatch_request()
                        if request.routing_exception is not None:
                            raise request.routing_exception
                        rule: Rule = request.url_rule  # type: ignore[assignment]
                        if request.method == "OPTIONS" and rule.provide_automatic_options:
                            rv = self.make_default_options_response()
                        else:
                            view = self.view_functions[rule.endpoint]
                            sync_view = self._sync_cache.get(view) or self._sync(view)
                            rv = sync_view(**request.view_args)  # type: ignore[arg-type]
                except Exception as e:
                    rv = self.handle_user_exception(e)
                # finalize_request()
                cls = self.response_class
                rv_type = type(rv)
                if (
                    (rv_type is str or rv_type is dict)
                    and cls is Response
                    and not (
                        ctx._after_request_functions
                        or self.after_request_funcs
                        or ctx._session is not None
                        or signals.request_finished.receivers
                    )
                ):
                    # PERF: nothing can see the response object, so none is made.
                    if rv_type is str:
                        answer = text_answer(rv, None, environ)
                    else:
                        answer = self._json_answer(rv, environ)
                if answer is None:
                    if rv_type is str:
                        response = cls(rv)
                    elif rv_type is cls:  # make_response(response) is the response itself
                        response = rv
                    else:
                        response = self.make_response(rv)
                    if (
                        ctx._after_request_functions
                        or self.after_request_funcs
                        or ctx._session is not None
                    ):
                        response = self.process_response(response)
                    if signals.request_finished.receivers:
                        signals.request_finished.send(
                            self, _async_wrapper=self.ensure_sync, response=response
                        )
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except BaseException:
                error = sys.exc_info()[1]
                raise
            if answer is not None:
                start_response(answer[0], answer[1])
                return answer[2]
            return response(environ, start_response)
        finally:
            # ctx.pop(error); the teardown waits for the last pop (stream_with_context)
            last = len(ctx._cv_tokens) == 1
            try:
                if last:
                    if self.teardown_request_funcs or signals.request_tearing_down.receivers:
                        self.do_teardown_request(error)
                    # PERF: Request.close() has nothing to close until files were read.
                    own = request.__dict__
                    if "files" in own or "close" in own or type(request).close is not _CLOSE:
                        request.close()
            finally:
                bound = _cv_request.get()
                token, _ = ctx._cv_tokens.pop()
                _cv_request.reset(token)
                if last:
                    environ["erlen.request"] = None
                if (
                    len(app_ctx._cv_tokens) == 1
                    and _cv_app.get() is app_ctx
                    and not self.teardown_appcontext_funcs
                    and not signals.appcontext_tearing_down.receivers
                    and not signals.appcontext_popped.receivers
                ):
                    _cv_app.reset(app_ctx._cv_tokens.pop())  # app_ctx.pop() with nothing to run
                else:
                    app_ctx.pop(error)
                # PERF: break the cycles an error makes (error -> traceback -> this frame ->
                # error, rv or request), so that refcounting frees them, not the collector.
                error = rv = None
                if request.routing_exception is not None:
                    request.routing_exception.__traceback__ = None
                if bound is not ctx:
                    raise AssertionError(
                        f"Popped wrong request context ({bound!r} instead of {ctx!r})."
                    )

    # -- dispatch ---------------------------------------------------------------------------------
    def full_dispatch_request(self) -> Response:
        """Pre-process, dispatch to the view, handle its errors, and finalise the response."""
        if not self._got_first_request:
            self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run the URL value preprocessors, then the ``before_request`` functions (app
        first, then blueprints outer to inner); a non-``None`` result ends the request."""
        # PERF: with no hooks registered (the common case) there is nothing to walk, and
        # the blueprint chain is not even computed.
        if not self.url_value_preprocessors and not self.before_request_funcs:
            return None
        req = _cv_request.get().request
        blueprint = req.blueprint
        if self.url_value_preprocessors:
            for url_func in self._hook_chain("url_value_preprocessors", blueprint):
                url_func(req.endpoint, req.view_args)
        if self.before_request_funcs:
            for before_func in self._hook_chain("before_request_funcs", blueprint):
                rv = before_func()
                if rv is not None:
                    return rv  # type: ignore[no-any-return]
        return None

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the matched view with the URL values (or answer an automatic OPTIONS)."""
        req = _cv_request.get().request
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule: Rule = req.url_rule  # type: ignore[assignment]
        if req.method == "OPTIONS" and rule.provide_automatic_options:
            return self.make_default_options_response()
        view = self.view_functions[rule.endpoint]
        # PERF: whether a view is a coroutine function is decided once per function.
        sync_view = self._sync_cache.get(view) or self._sync(view)
        return sync_view(**req.view_args)  # type: ignore[no-any-return,arg-type]

    def _sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """``ensure_sync(func)``, remembered for registered views and hooks."""
        # PERF: deciding sync or async costs ~1 µs (inspect); do it once per function.
        try:
            return self._sync_cache[func]
        except KeyError:
            rv = self._sync_cache[func] = self.ensure_sync(func)
            return rv

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the routing error kept on the request (404, 405, a 308 redirect, ...)."""
        raise request.routing_exception  # type: ignore[misc]

    def make_default_options_response(self) -> Response:
        """The response to an automatic OPTIONS request: an empty body and ``Allow``."""
        adapter = _cv_request.get().url_adapter
        methods = adapter.allowed_methods() if adapter is not None else []
        rv = self.response_class()
        rv.headers["Allow"] = ", ".join(sorted(methods))
        return rv

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Return ``func``, wrapped with :meth:`async_to_sync` if it is a coroutine function."""
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function so that it runs on this thread's event loop."""
        from .asyncsupport import async_to_sync

        return async_to_sync(func)

    def finalize_request(
        self, rv: ft.ResponseReturnValue | HTTPException, from_error_handler: bool = False
    ) -> Response:
        """Turn a view's return value into a response and run :meth:`process_response`."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if signals.request_finished.receivers:
                signals.request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def process_response(self, response: Response) -> Response:
        """Run the ``after_this_request`` functions, then ``after_request`` (blueprints inner to
        outer, then the app, each in reverse order), then save the session."""
        ctx = _cv_request.get()
        if ctx._after_request_functions:
            for func in ctx._after_request_functions:
                response = self.ensure_sync(func)(response)
        if self.after_request_funcs:
            for func in self._hook_chain("after_request_funcs", ctx.request.blueprint):
                response = func(response)
        # PERF: a session that was never opened needs no saving.
        session = ctx._session
        if session is not None and not self.session_interface.is_null_session(session):
            self.session_interface.save_session(self, session, response)
        return response

    def make_response(self, rv: ft.ResponseReturnValue | HTTPException) -> Response:
        """Convert a view's return value into a :attr:`response_class` instance.

        ``str``/``bytes`` become the body, ``dict``/``list`` JSON, an iterator a streamed body;
        a tuple adds a status and/or headers (headers *replace* existing ones); a response is
        kept; another WSGI application is called. ``None`` is a TypeError naming the view.
        """
        cls = self.response_class
        # PERF: the most common returns skip the general checks below.
        rv_type = type(rv)
        if rv_type is str:
            return cls(rv)
        if rv_type is dict:
            return self.json.response(rv)

        status: t.Any = None
        headers: t.Any = None
        if isinstance(rv, tuple):
            if len(rv) == 3:
                rv, status, headers = rv
            elif len(rv) == 2:
                if isinstance(rv[1], _HEADERS_TYPES):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    f"The view function for {self._endpoint_name()!r} returned a tuple of"
                    f" {len(rv)} items; a response tuple is (body, status, headers),"
                    " (body, status) or (body, headers)."
                )
        if rv is None:
            raise TypeError(
                f"The view function for {self._endpoint_name()!r} did not return a valid"
                " response: it returned None or ended without a return statement."
                " Return a string, dict, list, tuple or Response."
            )
        if not isinstance(rv, cls):
            if isinstance(rv, HTTPException):  # PERF: before the (slow) ABC check below
                rv = cls.force_type(rv.get_response(_cv_request.get().request.environ))
            elif isinstance(rv, _BODY_TYPES):
                rv = cls(rv, status=status, headers=headers)
                status = headers = None
            elif isinstance(rv, _JSON_TYPES):
                rv = self.json.response(rv)
            elif isinstance(rv, Response) or callable(rv):
                try:
                    rv = cls.force_type(rv, _cv_request.get().request.environ)
                except TypeError as e:
                    raise TypeError(
                        f"{e}\nThe view function for {self._endpoint_name()!r} did not return a"
                        " valid response: expected a string, dict, list, tuple, Response or"
                        f" WSGI callable, got {type(rv).__name__}."
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    f"The view function for {self._endpoint_name()!r} did not return a valid"
                    " response: expected a string, dict, list, tuple, Response or WSGI"
                    f" callable, got {type(rv).__name__}."
                )
        if status is not None:
            if isinstance(status, _BYTES_TYPES):
                status = status.decode("latin-1")
            if isinstance(status, str):
                rv.status = status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv

    def _endpoint_name(self) -> str | None:
        ctx = _cv_request.get(None)
        return ctx.request.endpoint if ctx is not None else None

    # -- errors -----------------------------------------------------------------------------------
    def _find_error_handler(
        self, e: Exception, blueprints: list[str]
    ) -> ft.ErrorHandlerCallable | None:
        """The handler for ``e``: by code, then by class along the MRO; blueprints first."""
        if not self.error_handler_spec:  # PERF: no handlers at all, nothing to look up
            return None
        key = (type(e), blueprints[0] if blueprints else None)
        try:
            return self._error_handler_cache[key]
        except KeyError:
            pass
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        found: ft.ErrorHandlerCallable | None = None
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = self.error_handler_spec.get(name, {}).get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    found = handler_map.get(cls)
                    if found is not None:
                        break
                if found is not None:
                    break
            if found is not None:
                break
        # PERF: remembered once the setup lock holds, like the hook chains.
        if self._got_first_request:
            self._error_handler_cache[key] = found
        return found

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP exception should propagate instead of being handled
        (``TRAP_HTTP_EXCEPTIONS``, ``TRAP_BAD_REQUEST_ERRORS``)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(self, e: HTTPException) -> HTTPException | ft.ResponseReturnValue:
        """Answer an HTTP error with its handler, or with the error itself."""
        if e.code is None:
            return e
        if isinstance(e, RoutingException):  # redirects are answers, not errors
            return e
        if not self.error_handler_spec:  # PERF: skip the blueprint chain when nothing is there
            return e
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            return e
        return self._sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(self, e: Exception) -> HTTPException | ft.ResponseReturnValue:
        """Handle an exception from a view or hook: HTTP errors go to
        :meth:`handle_http_exception`; others to their handler, or they are re-raised."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            raise
        return self._sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Handle an error nothing else handled: re-raise it (testing/debug), or log it and
        answer 500 through the 500 handler, which receives an :class:`InternalServerError`
        whose ``original_exception`` is ``e``."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        if self.propagate_exceptions:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: InternalServerError | ft.ResponseReturnValue
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, _cv_request.get().request.blueprints)
        if handler is not None:
            server_error = self._sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(
        self, exc_info: tuple[type, BaseException, t.Any] | tuple[None, None, None]
    ) -> None:
        """Log an unhandled exception to :attr:`logger`."""
        req = _cv_request.get().request
        self.logger.error(f"Exception on {req.path} [{req.method}]", exc_info=exc_info)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown should see ``error`` as None (never, by default)."""
        return False

    # -- teardown ---------------------------------------------------------------------------------
    def do_teardown_request(self, exc: BaseException | None = _sentinel) -> None:
        """Run the ``teardown_request`` functions (blueprints, then the app, in reverse)."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_request_funcs:
            blueprint = _cv_request.get().request.blueprint
            for func in self._hook_chain("teardown_request_funcs", blueprint):
                func(exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = _sentinel) -> None:
        """Run the ``teardown_appcontext`` functions in reverse order."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_appcontext_funcs:
            for func in reversed(self.teardown_appcontext_funcs):
                self._sync(func)(exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    # -- URLs -------------------------------------------------------------------------------------
    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL of ``endpoint``; see :func:`erlen.url_for`."""
        req_ctx = _cv_request.get(None)
        url_adapter: MapAdapter | None
        hostless = False
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            if url_adapter is None:
                # The Host header was refused before routing. A path needs no host, so the
                # 400 page can still link its stylesheet; a full URL cannot be built.
                hostless = True
                if _external or _scheme is not None:
                    raise RuntimeError(_REFUSED_HOST_EXTERNAL)
                url_adapter = self._hostless_url_adapter(req_ctx.request)
            if endpoint[:1] == ".":
                blueprint_name = req_ctx.request.blueprint
                endpoint = f"{blueprint_name}{endpoint}" if blueprint_name else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            url_adapter = app_ctx.url_adapter if app_ctx is not None else None
            if url_adapter is None:
                url_adapter = self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside a request without SERVER_NAME: url_for() needs"
                    " to know the host. Set app.config['SERVER_NAME'] (and APPLICATION_ROOT and"
                    " PREFERRED_URL_SCHEME as needed), or call it inside a request or"
                    " app.test_request_context()."
                )
            if endpoint[:1] == ".":
                endpoint = endpoint[1:]
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError(
                "url_for(_scheme=...) needs _external=True: a scheme implies a full URL."
            )

        self.inject_url_defaults(endpoint, values)
        try:
            rv = url_adapter.build(
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if hostless and ("://" in rv.partition("?")[0] or rv.startswith("//")):
            raise RuntimeError(_REFUSED_HOST_EXTERNAL)  # a rule of another host or subdomain
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe='%!#$&()*+,/:;=?@~')}"
        return rv

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the ``url_defaults`` functions fill in ``values`` (app, then blueprints)."""
        if not self.url_default_functions:
            return
        blueprint = endpoint.rpartition(".")[0] or None
        for func in self._hook_chain("url_default_functions", blueprint):
            func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Ask each ``url_build_error_handlers`` function; the first non-None answer wins."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response of :attr:`response_class`."""
        return t.cast(Response, _redirect(location, code=code, Response=self.response_class))

    # -- static files -----------------------------------------------------------------------------
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """``SEND_FILE_MAX_AGE_DEFAULT`` in seconds (None: no max-age, revalidate with ETag)."""
        return _max_age_seconds(self.config["SEND_FILE_MAX_AGE_DEFAULT"])

    def send_static_file(self, filename: str) -> Response:
        """Serve a file from the static folder (the ``static`` endpoint's view)."""
        return self._send_static_file(
            filename, "'static_folder' must be set to serve static files."
        )

    # -- running ----------------------------------------------------------------------------------
    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with the development server (ignored, with a notice, under the
        ``erlen`` command). ``options`` go to :func:`erlen.serving.run_simple`
        (``use_reloader`` and ``use_debugger`` default to :attr:`debug`; ``threaded`` to True).

        Not for production: use a WSGI server such as gunicorn or waitress.
        """
        from .serving import is_running_from_reloader, run_simple

        if os.environ.get("ERLEN_RUN_FROM_CLI") == "true" or (
            os.environ.get("FLASK_RUN_FROM_CLI") == "true"
        ):
            if not is_running_from_reloader():
                sys.stderr.write(
                    " * Ignoring a call to app.run(): the erlen command is already serving"
                    " (or running a command). Guard the call with"
                    " 'if __name__ == \"__main__\":'.\n"
                )
            return
        from .helpers import get_load_dotenv

        if get_load_dotenv(load_dotenv):
            from .cli import load_dotenv as load_env_files

            load_env_files()
            if "ERLEN_DEBUG" in os.environ or "FLASK_DEBUG" in os.environ:
                self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)
        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None
        if server_name:
            sn_host, _, sn_port = server_name.partition(":")
        host = host or sn_host or "127.0.0.1"
        port = int(port) if port is not None else int(sn_port or 5000)
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        if not is_running_from_reloader():
            state = "on" if self.debug else "off"
            sys.stderr.write(f" * Serving Erlen app '{self.name}'\n * Debug mode: {state}\n")
        run_simple(host, port, self, **options)


_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def _decorator_or_registered(
    add: t.Callable[[_F, str | None], None], name: _F | str | None
) -> _F | t.Callable[[_F], _F]:
    """What ``template_filter``, ``template_test`` and ``template_global`` return: used bare
    (``@app.template_filter``), ``name`` is the function, registered at once and returned;
    called (``@app.template_filter("name")``), a decorator that registers under ``name``."""
    if callable(name):
        add(name, None)
        return name

    def decorator(f: _F) -> _F:
        add(f, name)
        return f

    return decorator


#: Request.close, which the plain path skips when there is nothing for it to close.
_CLOSE = Request.close

#: The methods _plain_wsgi_app writes out; overriding any of them disables it.
_PLAIN_PIPELINE = (
    "request_context",
    "app_context",
    "create_url_adapter",
    "full_dispatch_request",
    "preprocess_request",
    "dispatch_request",
    "finalize_request",
    "make_response",
    "process_response",
    "do_teardown_request",
    "do_teardown_appcontext",
    "should_ignore_error",
    "raise_routing_exception",
)
_PLAIN_METHODS = {name: Erlen.__dict__[name] for name in _PLAIN_PIPELINE}
_PLAIN_NAMES = frozenset(_PLAIN_PIPELINE)


def _pipeline_is_plain(app: Erlen) -> bool:
    """Whether no method of :data:`_PLAIN_PIPELINE` is overridden, by the app's class or
    by an attribute of the instance (``app.make_response = ...``)."""
    cls = type(app)
    instance = app.__dict__
    return all(
        getattr(cls, name) is method and name not in instance
        for name, method in _PLAIN_METHODS.items()
    )


def find_package(import_name: str) -> tuple[str | None, str]:
    """``(prefix, folder)`` for a module: ``prefix`` is the installation prefix when the
    module is installed in a ``site-packages`` folder, else ``None``."""
    from .scaffold import get_root_path

    root_mod_name = import_name.partition(".")[0]
    path = get_root_path(root_mod_name)
    mod = sys.modules.get(root_mod_name)
    if mod is not None and hasattr(mod, "__path__"):
        path = os.path.dirname(path)  # the folder that holds the package
    parts = path.split(os.sep)
    lowered = [part.lower() for part in parts]
    if "site-packages" not in lowered:
        return None, path
    # <prefix>/lib/pythonX.Y/site-packages -> <prefix>
    prefix_parts = parts[: len(lowered) - 1 - lowered[::-1].index("site-packages")]
    if prefix_parts and prefix_parts[-1].lower().startswith("python"):
        prefix_parts = prefix_parts[:-1]
    if prefix_parts and prefix_parts[-1].lower() in ("lib", "lib64"):
        prefix_parts = prefix_parts[:-1]
    return os.sep.join(prefix_parts) or os.sep, path


#: Flask's name for the class, so that ``from flask.app import Flask`` migrates too.
Flask = Erlen

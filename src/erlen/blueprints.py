"""Blueprints: groups of views, hooks and handlers registered on an application later.

A blueprint records what it is asked to do (each call becomes a deferred function) and
replays it on every :meth:`Erlen.register_blueprint`, under the registered name, URL
prefix and subdomain. Blueprints nest: ``parent.register_blueprint(child)`` gives the
child's endpoints the name ``parent.child.view``, joins the prefixes and subdomains, and
lets the child inherit the parent's hooks and error handlers (the app walks the dotted
blueprint path of a request, innermost first).
"""

from __future__ import annotations

import os
import typing as t

from . import typing as ft
from .globals import current_app
from .scaffold import (
    F,
    Scaffold,
    T_after_request,
    T_before_request,
    T_error_handler,
    T_teardown,
    T_template_context_processor,
    T_url_defaults,
    T_url_value_preprocessor,
    _endpoint_from_view_func,
    _max_age_seconds,
    setupmethod,
)

if t.TYPE_CHECKING:
    from .app import Erlen
    from .wrappers import Response

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]
T_template_filter = t.TypeVar("T_template_filter", bound=ft.TemplateFilterCallable)
T_template_global = t.TypeVar("T_template_global", bound=ft.TemplateGlobalCallable)
T_template_test = t.TypeVar("T_template_test", bound=ft.TemplateTestCallable)

_sentinel: t.Any = object()

# The Scaffold dicts keyed by scope that a registration copies into the app, under the
# blueprint's registered (dotted) name.
_MERGED_LISTS = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "url_default_functions",
    "url_value_preprocessors",
    "template_context_processors",
)


def _join_prefix(outer: str | None, inner: str | None) -> str | None:
    """Join two URL prefixes with exactly one slash between them."""
    if outer is None:
        return inner
    if inner is None:
        return outer
    return "/".join((outer.rstrip("/"), inner.lstrip("/")))


def _join_subdomain(outer: str | None, inner: str | None) -> str | None:
    """``inner`` under ``outer``: ``("api", "v1")`` -> ``"v1.api"``."""
    if outer is None:
        return inner
    if inner is None:
        return outer
    return f"{inner}.{outer}"


class BlueprintSetupState:
    """What a deferred function receives when its blueprint is registered: the app, the
    registration options and the resolved URL prefix, subdomain, name and URL defaults."""

    def __init__(
        self,
        blueprint: Blueprint,
        app: Erlen,
        options: dict[str, t.Any],
        first_registration: bool,
    ) -> None:
        #: The application the blueprint is being registered on.
        self.app = app
        #: The blueprint being registered.
        self.blueprint = blueprint
        #: The keyword arguments given to ``register_blueprint``.
        self.options = options
        #: Whether this is the blueprint's first registration on this app; ``record_once``
        #: functions run only then.
        self.first_registration = first_registration

        subdomain = options.get("subdomain")
        if subdomain is None:
            subdomain = blueprint.subdomain
        #: The subdomain the blueprint's rules match.
        self.subdomain: str | None = subdomain

        url_prefix = options.get("url_prefix")
        if url_prefix is None:
            url_prefix = blueprint.url_prefix
        #: The prefix put before every rule of the blueprint.
        self.url_prefix: str | None = url_prefix

        #: The name the blueprint is registered under (without its parents' names).
        self.name: str = options.get("name", blueprint.name)
        #: The dotted name of the parent blueprints ("" at the top level).
        self.name_prefix: str = options.get("name_prefix", "")
        #: URL defaults added to every rule of the blueprint.
        self.url_defaults: dict[str, t.Any] = dict(blueprint.url_values_defaults)
        self.url_defaults.update(options.get("url_defaults") or ())

    @property
    def full_name(self) -> str:
        """The dotted name of the registered blueprint, parents first."""
        return f"{self.name_prefix}.{self.name}".lstrip(".")

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule to the app, with the blueprint's prefix, subdomain, defaults and name."""
        if self.url_prefix is not None:
            rule = (
                "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
                if rule
                else (self.url_prefix)
            )
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = {**defaults, **options.pop("defaults")}
        self.app.add_url_rule(
            rule,
            f"{self.full_name}.{endpoint}",
            view_func,
            defaults=defaults or None,
            **options,
        )


class Blueprint(Scaffold):
    """A group of views and hooks registered on an app with :meth:`Erlen.register_blueprint`.

    ``name`` prefixes the endpoints (``"admin.index"``) and must not contain a dot. The
    other arguments are the defaults of the registration options (``url_prefix``,
    ``subdomain``, ``url_defaults``), the blueprint's own folders, and ``cli_group``, the
    name of its command group (``None`` puts its commands on the app's group).
    """

    #: Set by the first registration; setup methods refuse to run afterwards.
    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if not isinstance(name, str) or not name:
            raise ValueError(f"A blueprint needs a non-empty string name, not {name!r}.")
        if "." in name:
            raise ValueError(
                f"The blueprint name {name!r} contains a dot, which separates nested"
                " blueprints in endpoint names ('parent.child.view'). Use another character,"
                " such as '_'."
            )
        #: The blueprint's name: the prefix of its endpoints.
        self.name = name
        #: The default URL prefix of the blueprint's rules.
        self.url_prefix = url_prefix
        #: The default subdomain of the blueprint's rules.
        self.subdomain = subdomain
        #: The default URL values of the blueprint's rules.
        self.url_values_defaults: dict[str, t.Any] = url_defaults or {}
        #: The name of the CLI group for ``bp.cli`` commands (default: the blueprint's name).
        self.cli_group = cli_group
        #: The functions replayed on each registration, in the order they were recorded.
        self.deferred_functions: list[DeferredSetupFunction] = []
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}': it has already been registered, and the change would not"
                " reach the apps it is registered on. Make every change to the blueprint"
                " before registering it."
            )

    # -- deferred setup ---------------------------------------------------------------------------
    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` on every registration, with a :class:`BlueprintSetupState`."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Like :meth:`record`, but only on the first registration on each app."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(wrapper)

    def make_setup_state(
        self, app: Erlen, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The state passed to the deferred functions; override to pass a subclass."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one; it is registered with it, under its name.

        ``options`` are those of :meth:`Erlen.register_blueprint`; prefixes and subdomains
        are joined to this blueprint's.
        """
        if blueprint is self:
            raise ValueError("A blueprint cannot be registered on itself.")
        self._blueprints.append((blueprint, options))

    def register(self, app: Erlen, options: dict[str, t.Any]) -> None:
        """Register on ``app`` (called by :meth:`Erlen.register_blueprint`): replay the
        deferred functions, copy the hooks and handlers, then register nested blueprints."""
        name_prefix: str = options.get("name_prefix", "")
        self_name: str = options.get("name", self.name)
        if not isinstance(self_name, str) or not self_name:
            raise ValueError(f"A blueprint needs a non-empty string name, not {self_name!r}.")
        name = f"{name_prefix}.{self_name}".lstrip(".")

        existing = app.blueprints.get(name)
        if existing is not None:
            which = "This blueprint" if existing is self else "A different blueprint"
            raise ValueError(
                f"The name {name!r} is already registered: {which.lower()} has it. Each"
                " registration needs a unique name; pass name= to register_blueprint() to"
                " register a blueprint again (or a second blueprint) under another name."
            )
        first_registration = not any(bp is self for bp in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_registration)

        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli(app, options, name)

        for blueprint, bp_options in self._blueprints:
            child_options = dict(bp_options)
            child_options["url_prefix"] = _join_prefix(
                state.url_prefix,
                bp_options.get("url_prefix", blueprint.url_prefix),
            )
            child_options["subdomain"] = _join_subdomain(
                state.subdomain,
                bp_options.get("subdomain", blueprint.subdomain),
            )
            child_options["name_prefix"] = name
            blueprint.register(app, child_options)

    def _merge_blueprint_funcs(self, app: Erlen, name: str) -> None:
        def scoped(key: str | None) -> str:
            return name if key is None else f"{name}.{key}"

        for scope, code_map in self.error_handler_spec.items():
            target = app.error_handler_spec[scoped(scope)]
            for code, handlers in code_map.items():
                target[code].update(handlers)
        for attr in _MERGED_LISTS:
            app_funcs: dict[str | None, list[t.Any]] = getattr(app, attr)
            for scope, funcs in getattr(self, attr).items():
                if funcs:
                    app_funcs.setdefault(scoped(scope), []).extend(funcs)

    def _register_cli(self, app: Erlen, options: dict[str, t.Any], name: str) -> None:
        # PERF: "cli" in __dict__: a blueprint without commands never builds a click group.
        if "cli" not in self.__dict__ or not self.cli.commands:
            return
        group = options.get("cli_group", self.cli_group)
        if group is None:
            app.cli.commands.update(self.cli.commands)
            return
        self.cli.name = name if group is _sentinel else group
        app.cli.add_command(self.cli)

    # -- routes -------------------------------------------------------------------------------
    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule; on registration it becomes ``<name>.<endpoint>`` under the prefix."""
        if endpoint is not None and "." in endpoint:
            raise ValueError(
                f"The endpoint {endpoint!r} contains a dot; the blueprint's name is added"
                " before it on registration, so give the plain name."
            )
        name = getattr(view_func, "__name__", None)
        if endpoint is None and name is not None and "." in name:
            raise ValueError(
                f"The view function name {name!r} contains a dot; pass endpoint= with a plain name."
            )
        self.record(
            lambda s: s.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of ``<name>.<endpoint>``."""

        def decorator(f: F) -> F:
            def register(state: BlueprintSetupState) -> None:
                state.app.view_functions[f"{state.full_name}.{endpoint}"] = f

            self.record(register)
            return f

        return decorator

    # -- app-wide hooks -----------------------------------------------------------------------
    def _record_app_list(self, attr: str, f: t.Any) -> None:
        self.record_once(lambda s: getattr(s.app, attr).setdefault(None, []).append(f))

    @setupmethod
    def before_app_request(self, f: T_before_request) -> T_before_request:
        """Like :meth:`before_request`, for every request of the app."""
        self._record_app_list("before_request_funcs", f)
        return f

    @setupmethod
    def after_app_request(self, f: T_after_request) -> T_after_request:
        """Like :meth:`after_request`, for every request of the app."""
        self._record_app_list("after_request_funcs", f)
        return f

    @setupmethod
    def teardown_app_request(self, f: T_teardown) -> T_teardown:
        """Like :meth:`teardown_request`, for every request of the app."""
        self._record_app_list("teardown_request_funcs", f)
        return f

    @setupmethod
    def app_context_processor(
        self, f: T_template_context_processor
    ) -> T_template_context_processor:
        """Like :meth:`context_processor`, for every template of the app."""
        self._record_app_list("template_context_processors", f)
        return f

    @setupmethod
    def app_url_value_preprocessor(self, f: T_url_value_preprocessor) -> T_url_value_preprocessor:
        """Like :meth:`url_value_preprocessor`, for every request of the app."""
        self._record_app_list("url_value_preprocessors", f)
        return f

    @setupmethod
    def app_url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Like :meth:`url_defaults`, for every URL built by the app."""
        self._record_app_list("url_default_functions", f)
        return f

    @setupmethod
    def app_errorhandler(
        self, code: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Like :meth:`errorhandler`, for errors anywhere in the app."""
        self._get_exc_class_and_code(code)  # a bad code is an error now, not at registration

        def decorator(f: T_error_handler) -> T_error_handler:
            self.record_once(lambda s: s.app.register_error_handler(code, f))
            return f

        return decorator

    # -- app-wide template helpers ------------------------------------------------------------
    @setupmethod
    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Register the decorated function as a Jinja filter of the app."""

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register ``f`` as a Jinja filter of the app (named ``name`` or after ``f``)."""
        self.record_once(lambda s: s.app.add_template_filter(f, name=name))

    @setupmethod
    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Register the decorated function as a Jinja test of the app."""

        def decorator(f: T_template_test) -> T_template_test:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(self, f: ft.TemplateTestCallable, name: str | None = None) -> None:
        """Register ``f`` as a Jinja test of the app (named ``name`` or after ``f``)."""
        self.record_once(lambda s: s.app.add_template_test(f, name=name))

    @setupmethod
    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Register the decorated function as a Jinja global of the app."""

        def decorator(f: T_template_global) -> T_template_global:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register ``f`` as a Jinja global of the app (named ``name`` or after ``f``)."""
        self.record_once(lambda s: s.app.add_template_global(f, name=name))

    # -- files --------------------------------------------------------------------------------
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The app's ``SEND_FILE_MAX_AGE_DEFAULT`` in seconds (None: revalidate with ETag)."""
        return _max_age_seconds(current_app.config["SEND_FILE_MAX_AGE_DEFAULT"])

    def send_static_file(self, filename: str) -> Response:
        """Serve a file from the blueprint's static folder (its ``static`` endpoint)."""
        return self._send_static_file(
            filename, f"The blueprint {self.name!r} has no static_folder to serve files from."
        )

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.Any]:
        """Open a file relative to the blueprint's ``root_path`` for reading."""
        return self._open_resource(resource, mode, encoding)

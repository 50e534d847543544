"""Blueprints: registration, nesting, deferred setup, hooks and handlers along the chain."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from erlen import Blueprint, Erlen, Response, abort, g, render_template_string, request, url_for
from erlen.blueprints import BlueprintSetupState
from erlen.exceptions import NotFound


def test_routes_get_the_blueprint_name_and_prefix(app: Erlen) -> None:
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/")
    def index() -> str:
        return f"{request.endpoint} {request.blueprint} {url_for('.index')} {url_for('index')}"

    @bp.get("/users")
    def users() -> str:
        return "users"

    @app.route("/")
    def index_app() -> str:
        return url_for("admin.users")

    app.add_url_rule("/top", "index", lambda: "top")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/admin/").text == "admin.index admin /admin/ /top"
    assert client.get("/admin/users").text == "users"
    assert client.get("/").text == "/admin/users"
    assert list(app.iter_blueprints()) == [bp]
    assert app.blueprints == {"admin": bp}


def test_registration_options_override_the_defaults(app: Erlen) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/default", url_defaults={"page": 1})

    @bp.route("/<int:page>")
    @bp.route("")
    def page(page: int, lang: str) -> str:
        return f"page {page} {lang}"

    app.register_blueprint(bp, url_prefix="/pages/", url_defaults={"lang": "en"})
    client = app.test_client()
    assert client.get("/pages/").text == "page 1 en"
    assert client.get("/pages/3").text == "page 3 en"
    assert client.get("/default/").status_code == 404
    rule = next(r for r in app.url_map.iter_rules() if r.rule == "/pages/")
    assert rule.defaults == {"page": 1, "lang": "en"}


def test_rule_defaults_merge_with_blueprint_defaults(app: Erlen) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"a": 1})
    bp.add_url_rule("/x", "x", lambda **kw: str(sorted(kw.items())), defaults={"b": 2})
    app.register_blueprint(bp)
    assert app.test_client().get("/x").text == "[('a', 1), ('b', 2)]"


def test_nesting_joins_names_prefixes_and_request_blueprints(app: Erlen) -> None:
    outer = Blueprint("outer", __name__, url_prefix="/o")
    middle = Blueprint("middle", __name__, url_prefix="/m/")
    inner = Blueprint("inner", __name__)

    @inner.route("/leaf")
    def leaf() -> str:
        return f"{request.endpoint} {request.blueprints} {url_for('.leaf')}"

    middle.register_blueprint(inner, url_prefix="/i")
    outer.register_blueprint(middle)
    app.register_blueprint(outer)
    rv = app.test_client().get("/o/m/i/leaf")
    assert rv.text == (
        "outer.middle.inner.leaf ['outer.middle.inner', 'outer.middle', 'outer'] /o/m/i/leaf"
    )
    assert set(app.blueprints) == {"outer", "outer.middle", "outer.middle.inner"}


def test_nested_without_prefixes_and_with_registration_name(app: Erlen) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__, url_prefix="/c")
    child.add_url_rule("/", "index", lambda: request.endpoint or "")
    parent.register_blueprint(child, name="kid")
    app.register_blueprint(parent)
    assert app.test_client().get("/c/").text == "parent.kid.index"


def test_subdomains_are_joined(app: Erlen) -> None:
    app.config["SERVER_NAME"] = "example.test"
    app.subdomain_matching = True
    api = Blueprint("api", __name__, subdomain="api")
    v1 = Blueprint("v1", __name__, subdomain="v1")
    plain = Blueprint("plain", __name__)
    v1.add_url_rule("/", "index", lambda: "v1 api")
    plain.add_url_rule("/plain", "index", lambda: "plain api")
    api.register_blueprint(v1)
    api.register_blueprint(plain)
    app.register_blueprint(api)
    client = app.test_client()
    assert client.get("/", base_url="http://v1.api.example.test").text == "v1 api"
    assert client.get("/plain", base_url="http://api.example.test").text == "plain api"
    assert client.get("/", base_url="http://api.example.test").status_code == 404
    with app.app_context():
        assert url_for("api.v1.index") == "http://v1.api.example.test/"


def test_registration_subdomain_overrides(app: Erlen) -> None:
    app.config["SERVER_NAME"] = "example.test"
    app.subdomain_matching = True
    bp = Blueprint("bp", __name__, subdomain="one")
    bp.add_url_rule("/", "index", lambda: "hi")
    app.register_blueprint(bp, subdomain="two")
    client = app.test_client()
    assert client.get("/", base_url="http://two.example.test").text == "hi"
    assert client.get("/", base_url="http://one.example.test").status_code == 404


# -- names ------------------------------------------------------------------------------------
def test_name_with_a_dot_is_refused() -> None:
    with pytest.raises(ValueError, match="contains a dot"):
        Blueprint("a.b", __name__)


@pytest.mark.parametrize("name", ["", None, 3])
def test_name_must_be_a_non_empty_string(name: t.Any) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        Blueprint(name, __name__)


def test_registration_name_must_be_a_non_empty_string(app: Erlen) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        app.register_blueprint(Blueprint("bp", __name__), name="")


def test_registration_name_may_contain_a_dot(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/", "index", lambda: request.endpoint or "")
    app.register_blueprint(bp, name="a.b")
    assert app.test_client().get("/").text == "a.b.index"


def test_endpoint_and_view_names_with_dots_are_refused() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match=r"endpoint 'a\.b' contains a dot"):
        bp.add_url_rule("/", "a.b", lambda: "")

    def view() -> str:
        return ""

    view.__name__ = "x.y"
    with pytest.raises(ValueError, match=r"view function name 'x\.y'"):
        bp.add_url_rule("/", view_func=view)


def test_same_blueprint_twice_needs_a_name(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/", "index", lambda: request.endpoint or "")
    app.register_blueprint(bp)
    with pytest.raises(ValueError, match="'bp' is already registered: this blueprint") as info:
        app.register_blueprint(bp, url_prefix="/again")
    assert "name=" in str(info.value)
    app.register_blueprint(bp, name="again", url_prefix="/again")
    client = app.test_client()
    assert client.get("/").text == "bp.index"
    assert client.get("/again/").text == "again.index"


def test_different_blueprint_with_a_taken_name(app: Erlen) -> None:
    app.register_blueprint(Blueprint("bp", __name__))
    with pytest.raises(ValueError, match="a different blueprint"):
        app.register_blueprint(Blueprint("bp", __name__))


def test_blueprint_on_itself_is_refused() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="on itself"):
        bp.register_blueprint(bp)


def test_setup_methods_are_locked_after_registration(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match="'route' can no longer be called on the blueprint"):
        bp.route("/")
    with pytest.raises(AssertionError, match=r"'before_request'.*before registering"):
        bp.before_request(lambda: None)


def test_hook_added_after_the_first_request_is_refused(app: Erlen) -> None:
    app.add_url_rule("/", "index", lambda: "ok")
    app.test_client().get("/")
    with pytest.raises(AssertionError, match="'before_request' can no longer be called"):
        app.before_request(lambda: None)
    with pytest.raises(AssertionError, match="'register_blueprint' can no longer be called"):
        app.register_blueprint(Blueprint("late", __name__))


# -- deferred setup ---------------------------------------------------------------------------
def test_record_and_record_once(app: Erlen) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/p")
    every: list[tuple[str, bool, t.Any]] = []
    once: list[str] = []
    bp.record(lambda s: every.append((s.name, s.first_registration, s.options.get("extra"))))
    bp.record_once(lambda s: once.append(s.name))
    app.register_blueprint(bp, extra=1)
    app.register_blueprint(bp, name="second", extra=2)
    assert every == [("bp", True, 1), ("second", False, 2)]
    assert once == ["bp"]
    other = Erlen("other")
    other.register_blueprint(bp)  # a new app: a first registration again
    assert once == ["bp", "bp"]


def test_setup_state_add_url_rule_and_attributes(app: Erlen) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/p", url_defaults={"d": 1})
    states: list[BlueprintSetupState] = []

    def setup(state: BlueprintSetupState) -> None:
        states.append(state)
        state.add_url_rule("", "root", lambda **kw: "root")
        state.add_url_rule("/x", view_func=lambda **kw: "x")

    bp.record(setup)
    app.register_blueprint(bp)
    (state,) = states
    assert state.app is app
    assert state.blueprint is bp
    assert (state.url_prefix, state.subdomain, state.url_defaults) == ("/p", None, {"d": 1})
    assert state.full_name == "bp"
    client = app.test_client()
    assert client.get("/p").text == "root"
    assert client.get("/p/x").text == "x"
    assert "bp.<lambda>" in app.view_functions


def test_make_setup_state_can_be_overridden(app: Erlen) -> None:
    class State(BlueprintSetupState):
        marker = "custom"

    class MyBlueprint(Blueprint):
        def make_setup_state(
            self, app: Erlen, options: dict[str, t.Any], first_registration: bool = False
        ) -> BlueprintSetupState:
            return State(self, app, options, first_registration)

    seen: list[str] = []
    bp = MyBlueprint("bp", __name__)
    bp.record(lambda s: seen.append(getattr(s, "marker", "")))
    app.register_blueprint(bp)
    assert seen == ["custom"]


def test_endpoint_decorator(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/", "index")

    @bp.endpoint("index")
    def index() -> str:
        return "by endpoint"

    app.register_blueprint(bp)
    assert app.test_client().get("/").text == "by endpoint"


# -- hooks and handlers -----------------------------------------------------------------------
def test_hook_order_along_the_chain(app: Erlen) -> None:
    calls: list[str] = []
    outer = Blueprint("outer", __name__, url_prefix="/o")
    inner = Blueprint("inner", __name__, url_prefix="/i")

    def hooks(scaffold: Erlen | Blueprint, label: str) -> None:
        @scaffold.url_value_preprocessor
        def uvp(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
            calls.append(f"uvp {label}")

        for n in (1, 2):

            def before(n: int = n) -> None:
                calls.append(f"before {label}{n}")

            def after(response: Response, n: int = n) -> Response:
                calls.append(f"after {label}{n}")
                return response

            def teardown(exc: BaseException | None, n: int = n) -> None:
                calls.append(f"teardown {label}{n}")

            scaffold.before_request(before)
            scaffold.after_request(after)
            scaffold.teardown_request(teardown)

    hooks(app, "app")
    hooks(outer, "outer")
    hooks(inner, "inner")

    @inner.route("/")
    def view() -> str:
        calls.append("view")
        return "ok"

    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    client = app.test_client()
    for _ in range(2):  # the second request runs on the cached, flattened chains
        calls.clear()
        assert client.get("/o/i/").text == "ok"
        assert calls == [
            "uvp app",
            "uvp outer",
            "uvp inner",
            "before app1",
            "before app2",
            "before outer1",
            "before outer2",
            "before inner1",
            "before inner2",
            "view",
            "after inner2",
            "after inner1",
            "after outer2",
            "after outer1",
            "after app2",
            "after app1",
            "teardown inner2",
            "teardown inner1",
            "teardown outer2",
            "teardown outer1",
            "teardown app2",
            "teardown app1",
        ]
    assert ("before_request_funcs", "outer.inner") in app._hook_chains


def test_blueprint_hooks_do_not_run_for_other_views(app: Erlen) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__)
    bp.before_request(lambda: calls.append("bp"))
    app.add_url_rule("/", "index", lambda: "app")
    app.register_blueprint(bp)
    assert app.test_client().get("/").text == "app"
    assert calls == []


def test_before_request_short_circuit_in_a_blueprint(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    bp.before_request(lambda: "stopped")
    bp.after_request(lambda r: (r.headers.__setitem__("X-After", "1"), r)[1])
    bp.add_url_rule("/", "index", lambda: "view")
    app.register_blueprint(bp)
    rv = app.test_client().get("/")
    assert (rv.text, rv.headers["X-After"]) == ("stopped", "1")


def test_app_wide_hooks_from_a_blueprint(app: Erlen) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__)

    @bp.before_app_request
    def before() -> None:
        calls.append("before")

    @bp.after_app_request
    def after(response: Response) -> Response:
        calls.append("after")
        return response

    @bp.teardown_app_request
    def teardown(exc: BaseException | None) -> None:
        calls.append("teardown")

    @bp.app_url_value_preprocessor
    def uvp(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            g.lang = values.pop("lang", None)

    @bp.app_url_defaults
    def defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", "en")

    @app.route("/<lang>/")
    def index() -> str:
        return f"{g.lang} {url_for('index')}"

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="twice")  # record_once: the hooks are not doubled
    assert app.test_client().get("/de/").text == "de /en/"
    assert calls == ["before", "after", "teardown"]


def test_blueprint_url_processors_are_local(app: Erlen) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/<lang>")

    @bp.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        assert values is not None
        g.lang = values.pop("lang")

    @bp.url_defaults
    def push(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", g.lang)

    @bp.route("/page")
    def page() -> str:
        return f"{g.lang} {url_for('.page')}"

    @app.route("/")
    def index() -> str:
        return url_for("index")

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/fr/page").text == "fr /fr/page"
    assert client.get("/").text == "/"


def test_error_handlers_local_inherited_and_app_wide(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    outer = Blueprint("outer", __name__, url_prefix="/o")
    inner = Blueprint("inner", __name__, url_prefix="/i")

    @outer.errorhandler(KeyError)
    def outer_key(e: KeyError) -> tuple[str, int]:
        return "outer key", 400

    @inner.errorhandler(404)
    def inner_404(e: NotFound) -> tuple[str, int]:
        return "inner 404", 404

    @outer.app_errorhandler(404)
    def app_404(e: NotFound) -> tuple[str, int]:
        return "app 404", 404

    @inner.route("/key")
    def key() -> str:
        raise KeyError("x")

    @inner.route("/missing")
    def missing() -> str:
        abort(404)

    @app.route("/key")
    def app_key() -> str:
        raise KeyError("x")

    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    client = app.test_client()
    for _ in range(2):  # the second round is answered from the handler cache
        assert client.get("/o/i/key").text == "outer key"
        assert client.get("/o/i/missing").text == "inner 404"
        assert client.get("/nowhere").text == "app 404"
        assert client.get("/key").status_code == 500  # the blueprint's handler is local
    assert (KeyError, "outer.inner") in app._error_handler_cache


def test_app_errorhandler_with_a_bad_code_fails_at_once() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        bp.app_errorhandler(999)


def test_async_hooks_in_a_blueprint(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_request
    async def before() -> None:
        calls.append("before")

    @bp.route("/")
    async def index() -> str:
        return "async bp"

    app.register_blueprint(bp)
    assert app.test_client().get("/").text == "async bp"
    assert calls == ["before"]


# -- templates --------------------------------------------------------------------------------
def test_context_processors_and_template_helpers(app: Erlen) -> None:
    bp = Blueprint("bp", __name__)

    @bp.context_processor
    def local() -> dict[str, t.Any]:
        return {"where": "bp"}

    @bp.app_context_processor
    def everywhere() -> dict[str, t.Any]:
        return {"site": "erlen"}

    @bp.app_template_filter()
    def shout(value: str) -> str:
        return value.upper() + "!"

    @bp.app_template_test("short")
    def is_short(value: str) -> bool:
        return len(value) < 3

    @bp.app_template_global()
    def answer() -> int:
        return 42

    bp.add_app_template_filter(lambda v: v[::-1], name="rev")

    template = (
        "{{ site }} {{ where|default('app') }} {{ 'hi'|shout }} {{ 'ab' is short }}"
        " {{ answer() }} {{ 'abc'|rev }}"
    )

    @bp.route("/bp")
    def in_bp() -> str:
        return render_template_string(template)

    @app.route("/")
    def in_app() -> str:
        return render_template_string(template)

    app.register_blueprint(bp)
    assert app.template_context_processors["bp"] == [local]
    assert everywhere in app.template_context_processors[None]
    client = app.test_client()
    assert client.get("/bp").text == "erlen bp HI! True 42 cba"
    assert client.get("/").text == "erlen app HI! True 42 cba"


# -- static files, resources, CLI -------------------------------------------------------------
def test_blueprint_static_folder(app: Erlen, tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("body {}")
    bp = Blueprint(
        "bp", __name__, static_folder="static", static_url_path="/assets", root_path=str(tmp_path)
    )
    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    rv = client.get("/bp/assets/style.css")
    assert rv.status_code == 200
    assert rv.data == b"body {}"
    assert client.get("/bp/assets/../../etc/passwd").status_code == 404
    with app.test_request_context():
        assert url_for("bp.static", filename="style.css") == "/bp/assets/style.css"
    rv.close()


def test_blueprint_static_max_age(app: Erlen, tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.txt").write_text("a")
    bp = Blueprint("bp", __name__, static_folder="s", root_path=str(tmp_path))
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60
    app.register_blueprint(bp)
    with app.app_context():
        assert bp.get_send_file_max_age("a.txt") == 60
        from datetime import timedelta

        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(minutes=2)
        assert bp.get_send_file_max_age("a.txt") == 120
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = None
        assert bp.get_send_file_max_age("a.txt") is None


def test_send_static_file_without_a_folder() -> None:
    with pytest.raises(RuntimeError, match="no static_folder"):
        Blueprint("bp", __name__).send_static_file("x")


def test_open_resource(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("héllo", encoding="utf-8")
    bp = Blueprint("bp", __name__, root_path=str(tmp_path))
    with bp.open_resource("data.txt") as f:
        assert f.read() == "héllo".encode()
    with bp.open_resource("data.txt", "r") as f:
        assert f.read() == "héllo"
    with bp.open_resource("data.txt", "r", encoding="latin-1") as f:
        assert f.read() == "hÃ©llo"
    with pytest.raises(ValueError, match="only be opened for reading"):
        bp.open_resource("data.txt", "w")


def test_root_path_defaults_to_the_module_folder() -> None:
    bp = Blueprint("bp", __name__)
    assert bp.root_path == str(Path(__file__).parent)


@pytest.mark.parametrize(
    ("ctor_group", "reg_group", "args"),
    [
        (Ellipsis, Ellipsis, ["bp", "hello"]),
        ("tools", Ellipsis, ["tools", "hello"]),
        (Ellipsis, "other", ["other", "hello"]),
        (None, Ellipsis, ["hello"]),
    ],
)
def test_cli_group(ctor_group: t.Any, reg_group: t.Any, args: list[str]) -> None:
    app = Erlen("cli_app")
    kwargs = {} if ctor_group is Ellipsis else {"cli_group": ctor_group}
    bp = Blueprint("bp", __name__, **kwargs)

    @bp.cli.command("hello")
    def hello() -> None:
        print("hello from bp")

    reg = {} if reg_group is Ellipsis else {"cli_group": reg_group}
    app.register_blueprint(bp, **reg)
    rv = app.test_cli_runner().invoke(args=args)
    assert rv.exit_code == 0, rv.output
    assert "hello from bp" in rv.output


def test_blueprint_without_commands_adds_no_group(app: Erlen) -> None:
    app.register_blueprint(Blueprint("bp", __name__))
    assert "bp" not in app.cli.commands


def test_nested_child_without_a_prefix_uses_the_parents(app: Erlen) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__)
    child.add_url_rule("/x", "x", lambda: request.endpoint or "")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert app.test_client().get("/p/x").text == "parent.child.x"

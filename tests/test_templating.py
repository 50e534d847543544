"""Templates: the lazy environment, loaders, autoescaping, context, filters, signals, streaming."""

from __future__ import annotations

import logging
import subprocess
import sys
import typing as t
from datetime import UTC
from pathlib import Path

import pytest
from jinja2 import DictLoader, TemplateNotFound, UndefinedError
from markupsafe import Markup

import erlen
from erlen import (
    Erlen,
    before_render_template,
    flash,
    g,
    get_template_attribute,
    render_template,
    render_template_string,
    session,
    stream_template,
    stream_template_string,
    template_rendered,
)
from erlen.blueprints import Blueprint
from erlen.templating import DispatchingJinjaLoader, Environment


@pytest.fixture
def tapp(tmp_path: Path) -> Erlen:
    """An app whose root is ``tmp_path``, with a templates folder."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "hello.html").write_text("Hello {{ name }}!")
    (templates / "hello.txt").write_text("Hello {{ name }}!")
    (templates / "page.svg").write_text("<svg>{{ name }}</svg>")
    (templates / "_macros.html").write_text(
        "{% macro shout(x) %}{{ x|upper }}!{% endmacro %}{% set answer = 42 %}"
    )
    app = Erlen("tapp", root_path=str(tmp_path))
    app.config["TESTING"] = True
    app.secret_key = "test key"
    return app


def test_environment_is_lazy_and_importing_erlen_does_not_import_jinja() -> None:
    code = (
        "import sys, erlen\n"
        "app = erlen.Erlen('x')\n"
        "app.add_template_filter(len, 'size')\n"
        "@app.route('/')\n"
        "def index(): return 'ok'\n"
        "assert app.test_client().get('/').text == 'ok'\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 was imported'\n"
        "assert 'jinja_env' not in app.__dict__\n"
        "assert app.jinja_env.filters['size'] is len\n"
        "assert 'jinja2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_jinja_env_is_cached_and_of_the_class_attribute(tapp: Erlen) -> None:
    env = tapp.jinja_env
    assert env is tapp.jinja_env
    assert isinstance(env, Environment)
    assert env.app is tapp
    assert isinstance(env.loader, DispatchingJinjaLoader)
    assert Erlen.jinja_environment is Environment


def test_custom_environment_class_and_options(tapp: Erlen) -> None:
    class MyEnv(Environment):
        pass

    class MyApp(Erlen):
        jinja_environment = MyEnv
        jinja_options = {"trim_blocks": True, "loader": DictLoader({"a.html": "A"})}

    app = MyApp("x")
    assert type(app.jinja_env) is MyEnv
    assert app.jinja_env.trim_blocks is True
    with app.app_context():
        assert render_template("a.html") == "A"


def test_create_jinja_environment_override(tapp: Erlen) -> None:
    class MyApp(Erlen):
        def create_jinja_environment(self) -> Environment:
            env = super().create_jinja_environment()
            env.globals["site"] = "Erlen"
            return env

    app = MyApp("x")
    with app.app_context():
        assert render_template_string("{{ site }}") == "Erlen"


def test_render_template_by_name_and_list(tapp: Erlen) -> None:
    with tapp.app_context():
        assert render_template("hello.html", name="Ada") == "Hello Ada!"
        assert render_template(["missing.html", "hello.html"], name="Bo") == "Hello Bo!"


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("hello.html", True), ("hello.txt", False), ("page.svg", True)],
)
def test_autoescape_by_extension(tapp: Erlen, name: str, escaped: bool) -> None:
    with tapp.app_context():
        out = render_template(name, name="<b>")
    assert ("&lt;b&gt;" in out) is escaped
    assert ("<b>" in out) is not escaped


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (None, True),
        ("a.html", True),
        ("a.htm", True),
        ("a.xml", True),
        ("a.xhtml", True),
        ("a.svg", True),
        ("a.txt", False),
        ("a.js", False),
        ("html", False),
    ],
)
def test_select_jinja_autoescape(tapp: Erlen, filename: str | None, expected: bool) -> None:
    assert tapp.select_jinja_autoescape(filename) is expected


def test_string_templates_autoescape_and_markup_and_blocks(tapp: Erlen) -> None:
    with tapp.app_context():
        assert render_template_string("{{ x }}", x="<i>") == "&lt;i&gt;"
        assert render_template_string("{{ x }}", x=Markup("<i>")) == "<i>"
        assert render_template_string("{{ x|safe }}", x="<i>") == "<i>"
        source = "{% autoescape false %}{{ x }}{% endautoescape %}"
        assert render_template_string(source, x="<i>") == "<i>"


def test_missing_template_lists_where_it_looked(tapp: Erlen, tmp_path: Path) -> None:
    with tapp.app_context(), pytest.raises(TemplateNotFound) as info:
        render_template("nope.html")
    message = str(info.value)
    assert "nope.html" in message
    assert str(tmp_path / "templates") in message
    assert "EXPLAIN_TEMPLATE_LOADING" in message


def test_missing_template_without_any_folder() -> None:
    app = Erlen("x", template_folder=None)
    assert app.jinja_loader is None
    with app.app_context(), pytest.raises(TemplateNotFound, match="no template folder"):
        render_template("a.html")


def test_missing_template_in_request_is_500_not_hang(tapp: Erlen) -> None:
    tapp.config["TESTING"] = False
    tapp.add_url_rule("/", "i", lambda: render_template("nope.html"))
    rv = tapp.test_client().get("/")
    assert rv.status_code == 500


def test_template_that_raises_propagates(tapp: Erlen) -> None:
    def boom() -> str:
        raise ZeroDivisionError("in template")

    with tapp.app_context():
        with pytest.raises(ZeroDivisionError, match="in template"):
            render_template_string("{{ boom() }}", boom=boom)
        with pytest.raises(UndefinedError):
            render_template_string("{{ missing.attr }}")


def test_template_that_raises_in_request_gives_500(tapp: Erlen) -> None:
    tapp.config["TESTING"] = False
    tapp.add_url_rule("/", "i", lambda: render_template_string("{{ 1 // 0 }}"))
    assert tapp.test_client().get("/").status_code == 500


def test_render_outside_app_context_names_the_fix() -> None:
    for func in (render_template, render_template_string, stream_template):
        with pytest.raises(RuntimeError, match="app_context"):
            func("x")
    with pytest.raises(RuntimeError, match="app_context"):
        get_template_attribute("x", "y")


def test_default_context_in_a_request(tapp: Erlen) -> None:
    @tapp.route("/page")
    def page() -> str:
        g.who = "gee"
        session["s"] = "sess"
        return render_template_string(
            "{{ request.path }} {{ session.s }} {{ g.who }} {{ config.TESTING }}"
            " {{ url_for('page', q=1) }}"
        )

    assert tapp.test_client().get("/page").text == "/page sess gee True /page?q=1"


def test_default_context_without_request(tapp: Erlen) -> None:
    with tapp.app_context():
        g.x = 1
        out = render_template_string(
            "{{ g.x }} {{ request is defined and not request }} {{ not session }}"
        )
    assert out == "1 True True"


def test_rendering_does_not_open_the_session(tapp: Erlen) -> None:
    tapp.add_url_rule("/", "i", lambda: render_template_string("no session here"))
    rv = tapp.test_client().get("/", headers={"Cookie": "session=garbage"})
    assert "Vary" not in rv.headers
    with tapp.test_request_context():
        render_template_string("x")
        assert erlen.globals.request_ctx._session is None


def test_get_flashed_messages_in_templates(tapp: Erlen) -> None:
    @tapp.route("/")
    def index() -> str:
        flash("hi <there>", "info")
        return render_template_string(
            "{% for c, m in get_flashed_messages(with_categories=true) %}{{ c }}:{{ m }}"
            "{% endfor %}"
        )

    assert tapp.test_client().get("/").text == "info:hi &lt;there&gt;"


def test_context_processors_and_passed_values_win(tapp: Erlen) -> None:
    @tapp.context_processor
    def one() -> dict[str, t.Any]:
        return {"a": "proc", "b": "proc"}

    with tapp.test_request_context():
        assert render_template_string("{{ a }} {{ b }}", b="passed") == "proc passed"


def test_update_template_context_direct(tapp: Erlen) -> None:
    tapp.context_processor(lambda: {"x": 1, "request": "overridden"})
    ctx: dict[str, t.Any] = {"x": 2}
    with tapp.test_request_context():
        tapp.update_template_context(ctx)
    assert ctx["x"] == 2
    assert ctx["request"] == "overridden"
    assert "session" in ctx
    assert "g" in ctx


def test_async_context_processor(tapp: Erlen) -> None:
    async def proc() -> dict[str, t.Any]:
        return {"v": "async"}

    tapp.context_processor(proc)
    with tapp.app_context():
        assert render_template_string("{{ v }}") == "async"


def test_blueprint_templates_and_app_override(tapp: Erlen, tmp_path: Path) -> None:
    bp_root = tmp_path / "bp"
    (bp_root / "tpl" / "bp").mkdir(parents=True)
    (bp_root / "tpl" / "bp" / "only.html").write_text("from blueprint")
    (bp_root / "tpl" / "bp" / "both.html").write_text("blueprint wins?")
    (tmp_path / "templates" / "bp").mkdir()
    (tmp_path / "templates" / "bp" / "both.html").write_text("app wins")
    other_root = tmp_path / "other"
    (other_root / "tpl" / "bp").mkdir(parents=True)
    (other_root / "tpl" / "bp" / "only.html").write_text("second blueprint")

    first = Blueprint("first", "first", template_folder="tpl", root_path=str(bp_root))
    second = Blueprint("second", "second", template_folder="tpl", root_path=str(other_root))
    tapp.register_blueprint(first)
    tapp.register_blueprint(second)
    with tapp.app_context():
        assert render_template("bp/both.html") == "app wins"
        # Registration order decides between blueprints.
        assert render_template("bp/only.html") == "from blueprint"
    assert {"bp/only.html", "bp/both.html", "hello.html"} <= set(tapp.jinja_env.list_templates())


def test_blueprint_context_processor_only_for_its_requests(tapp: Erlen) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @bp.context_processor
    def shop_vars() -> dict[str, t.Any]:
        return {"where": "shop"}

    bp.add_url_rule("/", "index", lambda: render_template_string("{{ where|default('app') }}"))
    tapp.add_url_rule("/", "index", lambda: render_template_string("{{ where|default('app') }}"))
    tapp.register_blueprint(bp)
    client = tapp.test_client()
    assert client.get("/shop/").text == "shop"
    assert client.get("/").text == "app"


def test_explain_template_loading_logs_the_search(
    tapp: Erlen, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bp_root = tmp_path / "bp"
    (bp_root / "tpl").mkdir(parents=True)
    (bp_root / "tpl" / "hello.html").write_text("shadowed")
    tapp.register_blueprint(Blueprint("bp", "bp", template_folder="tpl", root_path=str(bp_root)))
    tapp.register_blueprint(Blueprint("nofolder", "nofolder", root_path=str(bp_root)))
    tapp.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with caplog.at_level(logging.INFO, logger=tapp.logger.name), tapp.app_context():
        assert render_template("hello.html", name="x") == "Hello x!"
        with pytest.raises(TemplateNotFound):
            render_template("nope.html")
    text = caplog.text
    assert "Locating template 'hello.html'" in text
    assert "found at" in text
    assert "ignored: earlier wins" in text
    assert "no template folder" in text
    assert "not found in" in text
    assert "the template was not found" in text


def test_filters_tests_globals_decorators_and_add(tapp: Erlen) -> None:
    @tapp.template_filter()
    def reverse(s: str) -> str:
        return s[::-1]

    @tapp.template_filter("twice")
    def double(s: str) -> str:
        return s * 2

    @tapp.template_filter
    def bare(s: str) -> str:
        return f"[{s}]"

    @tapp.template_test()
    def even(n: int) -> bool:
        return n % 2 == 0

    @tapp.template_test("odd_one")
    def odd(n: int) -> bool:
        return n % 2 == 1

    @tapp.template_test
    def positive(n: int) -> bool:
        return n > 0

    @tapp.template_global()
    def answer() -> int:
        return 42

    @tapp.template_global("site")
    def site_name() -> str:
        return "Erlen"

    @tapp.template_global
    def version() -> str:
        return "0.1"

    assert "jinja_env" not in tapp.__dict__  # registered before the environment exists
    tapp.add_template_filter(str.upper, "up")
    with tapp.app_context():
        out = render_template_string(
            "{{ 'ab'|reverse }} {{ 'ab'|twice }} {{ 'x'|bare }} {{ 'q'|up }}"
            " {{ 2 is even }} {{ 3 is odd_one }} {{ 1 is positive }}"
            " {{ answer() }} {{ site() }} {{ version() }}"
        )
    assert out == "ba abab [x] Q True True True 42 Erlen 0.1"
    # After the environment exists, registration goes straight to it.
    tapp.add_template_test(lambda v: v == 0, "zero")
    tapp.add_template_global(lambda: "late", "late")
    assert "zero" in tapp.jinja_env.tests
    late: t.Any = tapp.jinja_env.globals["late"]
    assert late() == "late"


def test_tojson_uses_app_json_and_is_html_safe(tapp: Erlen) -> None:
    from datetime import datetime

    with tapp.app_context():
        out = render_template_string(
            "<script>var x = {{ x|tojson }};</script>",
            x={"b": "</script><b>&'", "a": datetime(2024, 1, 2, tzinfo=UTC)},
        )
    assert "</script><b>" not in out.split("<script>", 1)[1].split("</script>")[0]
    assert "\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u0027" in out
    # app.json's defaults: sorted keys, dates as HTTP dates.
    assert out.index('"a"') < out.index('"b"')
    assert "Tue, 02 Jan 2024 00:00:00 GMT" in out


def test_templates_auto_reload_follows_debug(tapp: Erlen) -> None:
    tapp.debug = False
    env = tapp.jinja_env
    assert [env.auto_reload] == [False]
    tapp.debug = True
    assert [env.auto_reload] == [True]
    other = Erlen("x")
    other.config["TEMPLATES_AUTO_RELOAD"] = False
    other.debug = True
    assert other.jinja_env.auto_reload is False
    other.debug = False
    assert other.jinja_env.auto_reload is False
    third = Erlen("x")
    third.config["TEMPLATES_AUTO_RELOAD"] = True
    assert third.jinja_env.auto_reload is True


def test_auto_reload_sees_changed_files(tapp: Erlen, tmp_path: Path) -> None:
    import os

    tapp.config["TEMPLATES_AUTO_RELOAD"] = True
    path = tmp_path / "templates" / "hello.html"
    with tapp.app_context():
        assert render_template("hello.html", name="a") == "Hello a!"
        path.write_text("Bye {{ name }}")
        stat = path.stat()
        os.utime(path, (stat.st_atime, stat.st_mtime + 5))
        assert render_template("hello.html", name="a") == "Bye a"


def test_signals(tapp: Erlen) -> None:
    seen: list[tuple[str, t.Any, dict[str, t.Any]]] = []

    def before(sender: Erlen, template: t.Any, context: dict[str, t.Any]) -> None:
        seen.append(("before", template.name, dict(context)))

    def after(sender: Erlen, template: t.Any, context: dict[str, t.Any]) -> None:
        assert sender is tapp
        seen.append(("after", template.name, dict(context)))

    with (
        before_render_template.connected_to(before, tapp),
        template_rendered.connected_to(after, tapp),
        tapp.test_request_context(),
    ):
        render_template("hello.html", name="x")
        assert "".join(stream_template("hello.html", name="y")) == "Hello y!"
    assert [(kind, name) for kind, name, _ in seen] == [
        ("before", "hello.html"),
        ("after", "hello.html"),
        ("before", "hello.html"),
        ("after", "hello.html"),
    ]
    assert seen[0][2]["name"] == "x"
    assert "request" in seen[0][2]


def test_stream_template_keeps_the_request_context(tapp: Erlen) -> None:
    (Path(tapp.root_path) / "templates" / "stream.html").write_text(
        "{% for i in items %}{{ request.args['p'] }}{{ i }};{% endfor %}"
    )

    @tapp.route("/s")
    def streamed() -> t.Any:
        return stream_template("stream.html", items=range(3))

    @tapp.route("/ss")
    def streamed_string() -> t.Any:
        return stream_template_string("{{ request.path }}|{{ session.get('k') }}")

    client = tapp.test_client()
    assert client.get("/s?p=x").text == "x0;x1;x2;"
    assert client.get("/ss").text == "/ss|None"


def test_stream_template_outside_request(tapp: Erlen) -> None:
    with tapp.app_context():
        gen = stream_template_string("{% for i in range(3) %}{{ i }}{% endfor %}")
        assert list(gen) != []
    with tapp.app_context():
        assert "".join(stream_template_string("{{ 1 + 1 }}")) == "2"


def test_get_template_attribute(tapp: Erlen) -> None:
    with tapp.app_context():
        shout = get_template_attribute("_macros.html", "shout")
        assert shout("hi") == "HI!"
        assert get_template_attribute("_macros.html", "answer") == 42


def test_package_exports() -> None:
    for name in (
        "render_template",
        "render_template_string",
        "stream_template",
        "stream_template_string",
        "get_template_attribute",
    ):
        assert getattr(erlen, name) is getattr(erlen.templating, name)
    with pytest.raises(AttributeError):
        erlen.templating.no_such_name  # noqa: B018


def test_template_globals_are_read_as_jinja_layers_them(app: Erlen) -> None:
    # Erlen's Template merges the ChainMap of globals itself; the layering must not change:
    # render values over the template's globals over the environment's, read at render time.
    env = app.jinja_env
    env.globals["who"] = "env"
    template = env.from_string("{{ who }} {{ what }}", globals={"what": "template"})
    with app.app_context():
        assert template.render() == "env template"
        env.globals["who"] = "changed"  # after the template was made: still seen
        assert template.render() == "changed template"
        assert template.render(what="render", who="me") == "me render"
        env.globals["what"] = "env"  # the template's own global stays on top
        assert template.render() == "changed template"


def test_a_shared_context_gets_no_globals(app: Erlen) -> None:
    app.jinja_env.globals["who"] = "env"
    template = app.jinja_env.from_string("[{{ who }}]")
    with app.app_context():
        context = template.new_context({"other": 1}, shared=True)
        assert "who" not in context
        assert "".join(template.root_render_func(context)) == "[]"


class _DictWithAttribute(dict[str, t.Any]):
    label = "the attribute"


class _Plain:
    def __init__(self) -> None:
        self.name = "attr"

    def __getitem__(self, key: str) -> str:
        return f"item {key}"


_GETATTR_CASES = [
    ({"name": "item"}, "name"),
    ({"name": "item"}, "missing"),
    ({"items": "shadowed key"}, "items"),  # the method wins, as in Jinja
    ({"keys": 1}, "keys"),
    ({"__class__": 1}, "__class__"),
    ({"__len__": 1}, "__len__"),
    ({}, "get"),
    ({None: 1}, "None"),
    (_DictWithAttribute(label="the key"), "label"),  # a subclass's attribute wins
    (_DictWithAttribute(name="key"), "name"),
    (_Plain(), "name"),
    (_Plain(), "other"),
    ("text", "upper"),
    (42, "real"),
    ([1, 2], "missing"),
]


@pytest.mark.parametrize(("obj", "attribute"), _GETATTR_CASES)
def test_getattr_gives_jinjas_answers(app: Erlen, obj: t.Any, attribute: str) -> None:
    import jinja2

    plain = jinja2.Environment()
    ours = app.jinja_env.getattr(obj, attribute)
    jinjas = plain.getattr(obj, attribute)
    if isinstance(jinjas, jinja2.Undefined):
        assert isinstance(ours, jinja2.Undefined)
        assert ours._undefined_obj is obj
        assert ours._undefined_name == attribute
    else:
        assert ours == jinjas


def test_dict_rows_render_as_in_jinja(app: Erlen) -> None:
    import jinja2

    source = (
        "{% for row in rows %}{{ row.id }}|{{ row.name }}|{{ row.items is defined }}"
        "|{{ row.missing is defined }}|{{ row['items'] }};{% endfor %}"
    )
    rows = [{"id": 1, "name": "<a>", "items": "key"}, {"id": 2, "name": "b"}]
    with app.app_context():
        ours = app.jinja_env.from_string(source).render(rows=rows)
    jinjas = jinja2.Environment(autoescape=True).from_string(source).render(rows=rows)
    assert ours == jinjas
    assert "1|&lt;a&gt;|True|False|key;" in ours
    strict = app.jinja_env.overlay(undefined=jinja2.StrictUndefined)
    with app.app_context(), pytest.raises(UndefinedError, match="missing"):
        strict.from_string("{{ row.missing }}").render(row={"id": 1})

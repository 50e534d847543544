"""The ``erlen`` command: app discovery, environment, dotenv, run, routes, shell, plugins."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import textwrap
import time
import typing as t
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from erlen import Blueprint, Erlen, current_app, serving
from erlen.cli import (
    AppGroup,
    ErlenGroup,
    FlaskGroup,
    NoAppException,
    ScriptInfo,
    cli,
    find_best_app,
    load_dotenv,
    locate_app,
    prepare_import,
    with_appcontext,
)
from erlen.testing import ErlenCliRunner

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """Each test runs in an empty folder with a clean environment, and leaves no modules,
    sys.path entries or variables behind."""
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    for key in list(os.environ):
        if key.startswith(("ERLEN_", "FLASK_")) or key == "PYTHONSTARTUP":
            del os.environ[key]
    monkeypatch.chdir(tmp_path)
    importlib.invalidate_caches()
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        del sys.modules[name]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[t.Any, ...], dict[str, t.Any]]]:
    """``erlen run`` calls, without starting a server."""
    calls: list[tuple[tuple[t.Any, ...], dict[str, t.Any]]] = []
    monkeypatch.setattr(serving, "run_simple", lambda *a, **kw: calls.append((a, kw)))
    return calls


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


APP_SOURCE = """
    from erlen import Erlen
    app = Erlen(__name__)

    @app.get("/")
    def index():
        return "hi"

    @app.cli.command("hello")
    def hello():
        print("hello from", __name__)
"""


# -- discovery -------------------------------------------------------------------------------------
def test_default_files_wsgi_before_app(isolated: Path, runner: CliRunner) -> None:
    write(isolated / "app.py", APP_SOURCE)
    result = runner.invoke(cli, ["hello"])
    assert result.output == "hello from app\n"
    write(isolated / "wsgi.py", APP_SOURCE)
    sys.modules.pop("app", None)
    result = runner.invoke(cli, ["hello"])
    assert result.output == "hello from wsgi\n"


@pytest.mark.parametrize(
    "value",
    ["mymod", "mymod.py", "mymod:app", "mymod:application", "mymod:make()", "mymod:make"],
)
def test_module_file_and_name_forms(isolated: Path, value: str) -> None:
    write(
        isolated / "mymod.py",
        """
        from erlen import Erlen
        app = application = Erlen("mymod")
        def make():
            return app
        """,
    )
    assert ScriptInfo(value).load_app().import_name == "mymod"


def test_package_and_dotted_module(isolated: Path) -> None:
    write(isolated / "pkg" / "__init__.py", "from erlen import Erlen\napp = Erlen('pkg')\n")
    write(isolated / "pkg" / "sub.py", "from erlen import Erlen\nmain = Erlen('pkg.sub')\n")
    assert ScriptInfo("pkg").load_app().import_name == "pkg"
    assert ScriptInfo("pkg.sub").load_app().import_name == "pkg.sub"
    assert ScriptInfo(str(isolated / "pkg" / "__init__.py")).load_app().import_name == "pkg"
    assert prepare_import(str(isolated / "pkg" / "sub.py")) == "pkg.sub"


def test_factory_with_literal_arguments(isolated: Path) -> None:
    write(
        isolated / "fact.py",
        """
        from erlen import Erlen
        def create_app(name, *, debug=False, extra=None):
            app = Erlen(name)
            app.config["ARGS"] = (debug, extra)
            return app
        """,
    )
    app = ScriptInfo("fact:create_app('made', debug=True, extra=[1, {'a': None}])").load_app()
    assert app.import_name == "made"
    assert app.config["ARGS"] == (True, [1, {"a": None}])


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("create_app(__import__('os').system('echo pwned'))", "must be Python literals"),
        ("create_app(**{'a': 1})", "must be Python literals"),
        ("create_app(", "Could not parse"),
        ("a.b", "expected an attribute name or a call"),
        ("missing", "has no attribute 'missing'"),
        ("VALUE", "is not an Erlen application"),
        ("VALUE()", "is not callable"),
        ("create_app(1, 2, 3)", "could not be called with these arguments"),
    ],
)
def test_bad_app_expressions_have_clear_errors(isolated: Path, expr: str, message: str) -> None:
    write(
        isolated / "fact.py",
        """
        from erlen import Erlen
        VALUE = 42
        def create_app(name="x"):
            return Erlen(name)
        """,
    )
    with pytest.raises(NoAppException, match=message):
        ScriptInfo(f"fact:{expr}").load_app()
    assert not (isolated / "pwned").exists()


def test_single_instance_several_instances_and_factories(isolated: Path) -> None:
    write(isolated / "one.py", "from erlen import Erlen\nweb = Erlen('one')\n")
    assert ScriptInfo("one").load_app().import_name == "one"
    write(isolated / "two.py", "from erlen import Erlen\na = Erlen('a')\nb = Erlen('b')\n")
    with pytest.raises(NoAppException, match=r"several Erlen applications \(a, b\)"):
        ScriptInfo("two").load_app()
    write(
        isolated / "fa.py", "from erlen import Erlen\ndef create_app():\n    return Erlen('fa')\n"
    )
    assert ScriptInfo("fa").load_app().import_name == "fa"
    write(isolated / "fb.py", "from erlen import Erlen\ndef make_app():\n    return Erlen('fb')\n")
    assert ScriptInfo("fb").load_app().import_name == "fb"
    write(isolated / "none.py", "X = 1\n")
    with pytest.raises(NoAppException, match="has no Erlen application"):
        ScriptInfo("none").load_app()


def test_factory_that_needs_arguments_vs_one_that_fails_inside(isolated: Path) -> None:
    write(isolated / "needs.py", "def create_app(config):\n    return None\n")
    with pytest.raises(NoAppException, match="cannot be called without arguments"):
        ScriptInfo("needs").load_app()
    write(isolated / "inside.py", "def create_app():\n    return len(1)\n")
    with pytest.raises(TypeError, match="has no len"):
        ScriptInfo("inside").load_app()
    with pytest.raises(TypeError, match="has no len"):
        ScriptInfo("inside:create_app()").load_app()


def test_module_not_found_vs_import_error_inside(isolated: Path) -> None:
    with pytest.raises(NoAppException, match="no such module"):
        ScriptInfo("nosuchmodule").load_app()
    with pytest.raises(NoAppException, match="no such module"):
        ScriptInfo("nosuchpkg.sub").load_app()
    write(isolated / "broken.py", "import some_missing_dependency\n")
    with pytest.raises(NoAppException, match="was found, but importing it failed") as info:
        ScriptInfo("broken").load_app()
    assert "some_missing_dependency" in str(info.value)


def test_no_app_anywhere(isolated: Path, runner: CliRunner) -> None:
    with pytest.raises(NoAppException, match="Could not locate an Erlen application"):
        ScriptInfo().load_app()
    result = runner.invoke(cli, ["routes"])
    assert result.exit_code == 2
    assert "Could not locate an Erlen application" in result.output
    result = runner.invoke(cli, ["nosuchcommand"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_folder_means_its_wsgi_or_app_file(isolated: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", str(ROOT / "examples" / "hello"), "routes"])
    assert result.exit_code == 0, result.output
    assert "/api/greet" in result.output
    (isolated / "empty").mkdir()
    with pytest.raises(NoAppException, match=r"has no wsgi\.py or app\.py"):
        ScriptInfo("empty").load_app()


def test_erlen_app_and_flask_app_variables(isolated: Path, runner: CliRunner) -> None:
    write(isolated / "envapp.py", APP_SOURCE)
    result = runner.invoke(cli, ["hello"], env={"ERLEN_APP": "envapp"})
    assert result.output == "hello from envapp\n"
    result = runner.invoke(cli, ["hello"], env={"FLASK_APP": "envapp"})
    assert result.output == "hello from envapp\n"
    assert "ERLEN_APP" not in os.environ  # the FLASK_ twin is removed after the command


# -- global options --------------------------------------------------------------------------------
def test_debug_flag_and_variables(isolated: Path, runner: CliRunner) -> None:
    write(
        isolated / "app.py",
        """
        from erlen import Erlen, current_app
        app = Erlen(__name__)
        @app.cli.command()
        def show():
            print("debug", current_app.debug)
        """,
    )
    assert runner.invoke(cli, ["show"]).output == "debug False\n"
    assert runner.invoke(cli, ["--debug", "show"]).output == "debug True\n"
    assert os.environ["ERLEN_DEBUG"] == "1"
    assert runner.invoke(cli, ["--no-debug", "show"]).output == "debug False\n"
    del os.environ["ERLEN_DEBUG"]
    assert runner.invoke(cli, ["show"], env={"FLASK_DEBUG": "1"}).output == "debug True\n"
    assert runner.invoke(cli, ["show"], env={"ERLEN_DEBUG": "true"}).output == "debug True\n"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "Erlen 0.1.0" in result.output
    assert "Python " in result.output


def test_help_lists_the_apps_commands_and_reports_a_missing_app(
    isolated: Path, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["--help"])
    assert "Could not locate an Erlen application" in result.output
    assert "routes" in result.output
    write(isolated / "helpapp.py", APP_SOURCE)
    (isolated / ".env").write_text("ERLEN_APP=helpapp\n")
    result = runner.invoke(cli, ["--help"])
    assert "hello" in result.output
    result = runner.invoke(cli, [])
    assert "hello" in result.output
    del os.environ["ERLEN_APP"]
    (isolated / ".env").unlink()
    for args in (
        ["--help", "--app", "helpapp"],
        ["-Ahelpapp", "--help"],
        ["--app=helpapp", "--help"],
    ):
        result = runner.invoke(cli, args)
        assert "hello" in result.output, args


def test_help_shows_an_import_error(isolated: Path, runner: CliRunner) -> None:
    write(isolated / "app.py", "raise RuntimeError('broken at import')\n")
    result = runner.invoke(cli, ["--help"])
    assert "broken at import" in result.output
    assert "routes" in result.output


def noop_group(**kwargs: t.Any) -> ErlenGroup:
    group = ErlenGroup(create_app=lambda: Erlen("dot"), **kwargs)
    group.add_command(click.Command("noop", callback=lambda: None))
    return group


# -- dotenv ----------------------------------------------------------------------------------------
def test_dotenv_precedence(isolated: Path, runner: CliRunner) -> None:
    (isolated / ".flaskenv").write_text("A=flaskenv\nB=flaskenv\nC=flaskenv\nD=flaskenv\n")
    (isolated / ".erlenenv").write_text("A=erlenenv\nB=erlenenv\nC=erlenenv\n")
    (isolated / ".env").write_text("A=env\nB=env\n")
    (isolated / "custom.env").write_text("A=custom\n")
    os.environ["E"] = "process"
    (isolated / "more.env").write_text("E=file\n")
    assert load_dotenv(isolated / "custom.env")
    assert [os.environ[k] for k in "ABCD"] == ["custom", "env", "erlenenv", "flaskenv"]
    load_dotenv(isolated / "more.env")
    assert os.environ["E"] == "process"  # never overwritten


def test_dotenv_found_in_a_parent_folder_and_env_file_option(
    isolated: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / ".env").write_text("FROM_PARENT=1\n")
    (isolated / "sub").mkdir()
    (isolated / "sub" / "x.env").write_text("FROM_OPTION=1\n")
    monkeypatch.chdir(isolated / "sub")
    runner.invoke(noop_group(), ["-e", "x.env", "noop"])
    assert os.environ["FROM_PARENT"] == os.environ["FROM_OPTION"] == "1"
    result = runner.invoke(noop_group(), ["-e", "missing.env", "noop"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_skip_dotenv(isolated: Path, runner: CliRunner) -> None:
    (isolated / ".env").write_text("SKIPPED=1\n")
    runner.invoke(noop_group(), ["noop"], env={"FLASK_SKIP_DOTENV": "1"})
    assert "SKIPPED" not in os.environ
    runner.invoke(noop_group(load_dotenv=False), ["noop"])
    assert "SKIPPED" not in os.environ
    runner.invoke(noop_group(), ["noop"])
    assert os.environ["SKIPPED"] == "1"


def test_without_python_dotenv(
    isolated: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    assert load_dotenv() is False  # no files, no tip
    (isolated / ".env").write_text("X=1\n")
    result = runner.invoke(noop_group(), ["noop"])
    assert "python-dotenv is not installed" in result.output
    assert "X" not in os.environ
    result = runner.invoke(noop_group(), ["-e", ".env", "noop"])
    assert result.exit_code == 2
    assert "python-dotenv must be installed" in result.output


# -- erlen run -------------------------------------------------------------------------------------
def test_run_passes_its_options(
    isolated: Path, runner: CliRunner, served: list[t.Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(serving.RELOADER_MARKER, raising=False)
    write(isolated / "app.py", APP_SOURCE)
    (isolated / "a.cfg").write_text("")
    (isolated / "b.cfg").write_text("")
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    args, kwargs = served[-1]
    assert args[:2] == ("127.0.0.1", 5000)
    assert kwargs["use_reloader"] is False
    assert kwargs["use_debugger"] is False
    assert kwargs["threaded"] is True
    assert "Debug mode: off" in result.output
    result = runner.invoke(
        cli,
        [
            "--debug",
            "run",
            "--host",
            "::1",
            "--port",
            "8001",
            "--without-threads",
            "--no-debugger",
            "--extra-files",
            f"a.cfg{os.pathsep}b.cfg",
            "--exclude-patterns",
            "*.tmp",
        ],
    )
    assert result.exit_code == 0, result.output
    args, kwargs = served[-1]
    assert args[:2] == ("::1", 8001)
    assert kwargs["use_reloader"] is True
    assert kwargs["use_debugger"] is False
    assert kwargs["threaded"] is False
    assert [os.path.basename(p) for p in kwargs["extra_files"]] == ["a.cfg", "b.cfg"]
    assert kwargs["exclude_patterns"] == ["*.tmp"]
    assert "Debug mode: on" in result.output
    assert os.environ["ERLEN_RUN_FROM_CLI"] == "true"


def test_run_reads_erlen_run_and_flask_run_variables(
    isolated: Path, runner: CliRunner, served: list[t.Any]
) -> None:
    write(isolated / "app.py", APP_SOURCE)
    runner.invoke(cli, ["run"], env={"ERLEN_RUN_PORT": "8100", "ERLEN_RUN_HOST": "0.0.0.0"})
    assert served[-1][0][:2] == ("0.0.0.0", 8100)
    runner.invoke(cli, ["run"], env={"FLASK_RUN_PORT": "8200", "FLASK_RUN_RELOAD": "1"})
    assert served[-1][0][1] == 8200
    assert served[-1][1]["use_reloader"] is True
    runner.invoke(cli, ["run"], env={"FLASK_RUN_PORT": "8200", "ERLEN_RUN_PORT": "8300"})
    assert served[-1][0][1] == 8300  # the ERLEN_ spelling wins


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "not in the range"),
        (["--port", "http"], "is not a valid integer"),
        (["--key", "key.pem"], "--key needs --cert"),
        (["--cert", "cert.pem"], "--cert FILE needs --key FILE"),
        (["--cert", "adhoc", "--key", "key.pem"], "not used with --cert adhoc"),
        (["--cert", "nosuch.pem"], "expected a certificate file"),
        (["--cert", "tls_mod:NOT_A_CONTEXT"], "expected a certificate file"),
        (["--cert", "tls_mod:context", "--key", "key.pem"], "holds the key"),
    ],
)
def test_run_rejects_bad_options(
    isolated: Path, runner: CliRunner, served: list[t.Any], args: list[str], message: str
) -> None:
    write(isolated / "app.py", APP_SOURCE)
    (isolated / "cert.pem").write_text("")
    (isolated / "key.pem").write_text("")
    write(
        isolated / "tls_mod.py",
        "import ssl\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nNOT_A_CONTEXT = 1\n",
    )
    result = runner.invoke(cli, ["run", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert served == []


def test_run_tls_options(isolated: Path, runner: CliRunner, served: list[t.Any]) -> None:
    write(isolated / "app.py", APP_SOURCE)
    (isolated / "cert.pem").write_text("")
    (isolated / "key.pem").write_text("")
    write(
        isolated / "tls_mod.py", "import ssl\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    )
    runner.invoke(cli, ["run", "--cert", "cert.pem", "--key", "key.pem"])
    cert, key = served[-1][1]["ssl_context"]
    assert (os.path.basename(cert), os.path.basename(key)) == ("cert.pem", "key.pem")
    runner.invoke(cli, ["run", "--cert", "adhoc"])
    assert served[-1][1]["ssl_context"] == "adhoc"
    runner.invoke(cli, ["run", "--cert", "tls_mod:context"])
    import ssl

    assert isinstance(served[-1][1]["ssl_context"], ssl.SSLContext)


def test_run_in_the_reloader_child_survives_a_broken_app(
    isolated: Path, runner: CliRunner, served: list[t.Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated / "app.py", "def broken(:\n")
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 1  # outside the reloader, the error ends the command
    assert served == []
    monkeypatch.setenv(serving.RELOADER_MARKER, "true")
    result = runner.invoke(cli, ["run", "--reload"])
    assert result.exit_code == 0, result.output
    args, kwargs = served[-1]
    assert str(isolated / "app.py") in kwargs["extra_files"]  # watched, to notice the fix
    with pytest.raises(SyntaxError):
        args[2]({}, lambda *a: None)


def test_examples_hello_is_served_by_the_documented_command(
    runner: CliRunner, served: list[t.Any]
) -> None:
    result = runner.invoke(cli, ["--app", str(ROOT / "examples" / "hello"), "run"])
    assert result.exit_code == 0, result.output
    app = served[-1][0][2]
    assert app.test_client().get("/?name=<x>").data == b"<h1>Hello, &lt;x&gt;!</h1>" + (
        b"<p>Try <a href='/api/greet?name=Erlen'>the JSON API</a>.</p>"
    )


def test_real_erlen_run_of_examples_hello(isolated: Path) -> None:
    """Once for real: the console script, a free port, a GET, stopped by its process id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in (serving.RELOADER_MARKER,)}
    command = [sys.executable, "-m", "erlen", "--app", str(ROOT / "examples" / "hello")]
    proc = subprocess.Popen(
        [*command, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        import http.client

        deadline = time.monotonic() + 10
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/greet?name=CLI")
                body = conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert b"Hello, CLI!" in body
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=5)
    assert b"do not use it in production" in err
    assert b"Serving Erlen app" in out


def test_python_dash_m_erlen() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "erlen", "--version"], capture_output=True, timeout=30, check=True
    )
    assert b"Erlen 0.1.0" in result.stdout


# -- erlen routes ----------------------------------------------------------------------------------
def routes_app() -> Erlen:
    app = Erlen("routed", static_folder=None, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/b", "zeta", lambda: "", methods=["POST", "GET"])
    app.add_url_rule("/a", "alpha", lambda: "", subdomain="api")
    app.add_url_rule("/c", "mid", lambda: "", methods=["DELETE"])
    return app


def lines_of(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()[2:]]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("endpoint", ["alpha", "mid", "zeta"]),
        ("rule", ["alpha", "zeta", "mid"]),
        ("match", ["zeta", "alpha", "mid"]),
        ("methods", ["mid", "alpha", "zeta"]),
        ("domain", ["zeta", "mid", "alpha"]),
    ],
)
def test_routes_sorting(sort: str, order: list[str]) -> None:
    result = routes_app().test_cli_runner().invoke(cli, ["routes", "--sort", sort])
    assert result.exit_code == 0, result.output
    assert lines_of(result.output) == order
    assert "Subdomain" in result.output.splitlines()[0]


def test_routes_methods_and_empty_map() -> None:
    runner = routes_app().test_cli_runner()
    output = runner.invoke(cli, ["routes"]).output
    assert "HEAD" not in output
    assert "OPTIONS" not in output
    assert "GET, HEAD, OPTIONS, POST" in runner.invoke(cli, ["routes", "--all-methods"]).output
    result = runner.invoke(cli, ["routes", "--sort", "size"])
    assert result.exit_code == 2
    empty = Erlen("empty", static_folder=None).test_cli_runner()
    assert empty.invoke(cli, ["routes"]).output == "No routes were registered.\n"
    hosts = Erlen("hosts", static_folder=None, host_matching=True)
    hosts.add_url_rule("/", "i", lambda: "", host="a.test")
    assert "Host" in hosts.test_cli_runner().invoke(cli, ["routes"]).output


# -- erlen shell -----------------------------------------------------------------------------------
def test_shell_namespace_banner_and_startup(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Erlen("shelled")

    @app.shell_context_processor
    def extra() -> dict[str, t.Any]:
        return {"answer": 42}

    startup = isolated / "startup.py"
    startup.write_text("from_startup = 'yes'\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    hooked: list[bool] = []
    monkeypatch.setattr(sys, "__interactivehook__", lambda: hooked.append(True), raising=False)
    result = app.test_cli_runner().invoke(
        cli,
        ["shell"],
        input="print(app.name, answer, from_startup, g is not None)\n",
    )
    assert result.exit_code == 0, result.output
    assert "App: shelled" in result.output
    assert "shelled 42 yes True" in result.output
    assert hooked == [True]


# -- custom commands, groups, blueprints, plugins --------------------------------------------------
def test_app_commands_groups_and_appcontext() -> None:
    app = Erlen("custom")

    @app.cli.command("name")
    def name() -> None:
        click.echo(current_app.name)

    @app.cli.command("bare", with_appcontext=False)
    def bare() -> None:
        click.echo(f"context: {bool(current_app)}")

    group = app.cli.group("db")(lambda: None)
    assert isinstance(group, AppGroup)

    @group.command("init")
    @click.option("--force", is_flag=True)
    def init(force: bool) -> None:
        click.echo(f"init {current_app.name} {force}")

    @group.command  # without parentheses, as click allows
    def drop() -> None:
        click.echo(f"drop {current_app.name}")

    assert isinstance(drop, click.Command)
    assert drop.name == "drop"

    runner = app.test_cli_runner()
    assert runner.invoke(args=["name"]).output == "custom\n"
    assert runner.invoke(args=["bare"]).output == "context: False\n"
    assert runner.invoke(args=["db", "init", "--force"]).output == "init custom True\n"
    assert runner.invoke(args=["db", "drop"]).output == "drop custom\n"


def test_with_appcontext_loads_the_app_from_script_info() -> None:
    app = Erlen("ctxapp")

    @click.command()
    @with_appcontext
    def show() -> None:
        click.echo(current_app.name)

    result = CliRunner().invoke(show, obj=ScriptInfo(create_app=lambda: app))
    assert result.output == "ctxapp\n"


def test_blueprint_cli_groups() -> None:
    app = Erlen("bpcli")
    grouped = Blueprint("users", __name__)
    flat = Blueprint("tools", __name__, cli_group=None)

    @grouped.cli.command("add")
    def add() -> None:
        click.echo("user added")

    @flat.cli.command("clean")
    def clean() -> None:
        click.echo("cleaned")

    app.register_blueprint(grouped)
    app.register_blueprint(flat)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "add"]).output == "user added\n"
    assert runner.invoke(args=["clean"]).output == "cleaned\n"


def test_cli_runner_uses_a_script_info_that_loads_this_app() -> None:
    app = Erlen("runner")
    seen: list[t.Any] = []

    @app.cli.command()
    @click.pass_obj
    def info(obj: ScriptInfo) -> None:
        seen.append(obj.load_app())

    runner = app.test_cli_runner()
    assert isinstance(runner, ErlenCliRunner)
    runner.invoke(args=["info"])
    assert seen == [app]


def test_custom_group_with_create_app_and_flask_alias(runner: CliRunner) -> None:
    assert FlaskGroup is ErlenGroup
    app = Erlen("scripted")

    @app.cli.command()
    def hi() -> None:
        click.echo("hi from script")

    group = ErlenGroup(create_app=lambda: app, add_version_option=False, name="manage")
    assert runner.invoke(group, ["hi"]).output == "hi from script\n"
    assert runner.invoke(group, ["--version"]).exit_code == 2
    bare = ErlenGroup(add_default_commands=False, create_app=lambda: app)
    assert "routes" not in bare.commands


def write_plugin(root: Path, dist: str, group: str, name: str, target: str) -> None:
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {target}\n")


def test_plugins_from_erlen_and_flask_entry_points(isolated: Path, runner: CliRunner) -> None:
    plugins = isolated / "plugins"
    plugins.mkdir()
    write(
        plugins / "my_plugin_mod.py",
        """
        import click
        @click.command()
        def native():
            click.echo("erlen plugin")
        @click.command()
        def legacy():
            click.echo("flask plugin")
        """,
    )
    write_plugin(plugins, "erlen_native_plugin", "erlen.commands", "native", "my_plugin_mod:native")
    write_plugin(plugins, "flask_legacy_plugin", "flask.commands", "legacy", "my_plugin_mod:legacy")
    write_plugin(plugins, "broken_plugin", "erlen.commands", "broken", "no_such_mod:cmd")
    sys.path.insert(0, str(plugins))
    importlib.invalidate_caches()
    group = ErlenGroup(create_app=lambda: Erlen("plugged"))
    result = runner.invoke(group, ["native"])
    assert result.output.endswith("erlen plugin\n")
    assert "'broken' from 'no_such_mod:cmd' could not be loaded" in result.output
    assert runner.invoke(group, ["legacy"]).output == "flask plugin\n"
    result = runner.invoke(group, ["--help"])
    assert "legacy" in result.output
    assert "native" in result.output


def test_find_best_app_and_locate_app_directly(isolated: Path) -> None:
    import types

    module = types.ModuleType("m")
    module.application = Erlen("direct")  # type: ignore[attr-defined]
    assert find_best_app(module).import_name == "direct"
    assert locate_app("nosuch_module_xyz", None, raise_if_not_found=False) is None

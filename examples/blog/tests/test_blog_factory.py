"""The application factory, the instance folder, the ``init-db`` command and the error pages."""

from __future__ import annotations

import os
import runpy
import stat
import typing as t
from pathlib import Path

import pytest
from blog import create_app
from blog.db import get_db

from erlen import Erlen
from erlen.testing import ErlenClient, ErlenCliRunner

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query

BLOG_FOLDER = Path(__file__).resolve().parent.parent


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder named by ``BLOG_INSTANCE_PATH`` (and no BLOG_* settings)."""
    for name in list(os.environ):
        if name.startswith("BLOG_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "instance"
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(folder))
    return folder


def test_config_for_tests() -> None:
    assert not create_app({"SECRET_KEY": "x", "DATABASE": ":memory:"}).testing


def test_testing_flag(app: Erlen) -> None:
    assert app.testing


def test_first_run_creates_the_instance_folder(instance: Path) -> None:
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["DATABASE"] == str(instance / "blog.sqlite")
    assert (instance / "blog.sqlite").is_file()
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text()
    assert len(app.secret_key) == 64
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    # The tables exist: the first page works with nothing set up.
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert "No posts yet" in response.text


def test_restart_keeps_the_key_and_the_data(instance: Path) -> None:
    first = create_app()
    with first.app_context():
        get_db().execute("INSERT INTO user (username, password) VALUES ('bob', 'x')")
        get_db().commit()
    second = create_app()
    assert second.secret_key == first.secret_key
    with second.app_context():
        assert get_db().execute("SELECT username FROM user").fetchone()[0] == "bob"


def test_instance_config_and_environment(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance.mkdir()
    (instance / "config.py").write_text("SECRET_KEY = 'from-config'\nMAX_CONTENT_LENGTH = 10\n")
    app = create_app()
    assert app.secret_key == "from-config"
    assert app.config["MAX_CONTENT_LENGTH"] == 10
    assert not (instance / "secret_key").exists()
    monkeypatch.setenv("BLOG_SECRET_KEY", "from-env")
    assert create_app().secret_key == "from-env"


def test_empty_secret_key_file_is_an_error_that_says_what_to_do(instance: Path) -> None:
    instance.mkdir()
    (instance / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="delete it"):
        create_app()


def test_default_instance_folder_is_next_to_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLOG_INSTANCE_PATH", raising=False)
    app = create_app({"SECRET_KEY": "x", "DATABASE": ":memory:"})
    assert app.instance_path == str(BLOG_FOLDER / "instance")


def test_wsgi_module_for_production_servers(instance: Path) -> None:
    namespace = runpy.run_path(str(BLOG_FOLDER / "wsgi.py"))
    assert isinstance(namespace["app"], Erlen)
    assert namespace["app"].instance_path == str(instance)


def test_security_headers(client: ErlenClient) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_stylesheet(client: ErlenClient) -> None:
    page = client.get("/")
    assert '<link rel="stylesheet" href="/static/style.css">' in page.text
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b"--accent" in response.data
    response.close()


def test_404_page(client: ErlenClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<title>Page not found · Erlen Blog</title>" in response.text
    assert "Back to the posts" in response.text


def test_a_malformed_host_gets_the_400_page(client: ErlenClient) -> None:
    # The error page extends base.html, whose stylesheet link is a url_for().
    response = client.get("/", headers={"Host": "example.com:99999x"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert '<link rel="stylesheet" href="/static/style.css">' in response.text


def test_404_for_a_missing_post_names_it(client: ErlenClient) -> None:
    response = client.get("/999")
    assert response.status_code == 404
    assert "There is no post 999." in response.text


def test_api_errors_are_json(client: ErlenClient) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.is_json
    assert "error" in response.json


def test_405_page(client: ErlenClient) -> None:
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "Method Not Allowed" in response.text
    assert "Erlen Blog" in response.text  # the site's layout


def test_413_page(alice: AuthActions) -> None:
    big = b"x" * (2 * 1024 * 1024 + 1)
    response = alice.client.post("/create", data={"title": "t", "body": big.decode()})
    assert response.status_code == 413
    assert "Erlen Blog" in response.text


def test_init_db_command(runner: ErlenCliRunner, alice: AuthActions, query: Query) -> None:
    alice.create_post()
    assert query("SELECT COUNT(*) FROM post")[0][0] == 1
    result = runner.invoke(args=["init-db", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Initialised the database." in result.output
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0
    assert query("SELECT COUNT(*) FROM user")[0][0] == 0


def test_init_db_asks_first(runner: ErlenCliRunner, alice: AuthActions, query: Query) -> None:
    alice.create_post()
    result = runner.invoke(args=["init-db"], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert query("SELECT COUNT(*) FROM post")[0][0] == 1
    result = runner.invoke(args=["init-db"], input="y\n")
    assert result.exit_code == 0
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0


def test_init_db_removes_uploads(runner: ErlenCliRunner, app: Erlen, alice: AuthActions) -> None:
    import io

    alice.create_post(attachment=(io.BytesIO(b"hi"), "note.txt"))
    uploads = Path(app.config["UPLOAD_FOLDER"])
    assert list(uploads.iterdir())
    assert runner.invoke(args=["init-db", "--yes"]).exit_code == 0
    assert not uploads.exists()


def test_init_db_through_the_erlen_command(instance: Path) -> None:
    from erlen.cli import cli

    app = create_app()
    result = app.test_cli_runner().invoke(cli, ["init-db", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Initialised" in result.output

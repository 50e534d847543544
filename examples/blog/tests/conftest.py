"""Fixtures for the blog's tests: an app on a temporary database, a client, a CLI runner."""

from __future__ import annotations

import re
import sqlite3
import sys
import typing as t
from pathlib import Path

import pytest

# The blog is not installed: put its folder (examples/blog) on sys.path, as running pytest
# inside that folder would, so that `import blog` works from the repository root too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blog import create_app
from blog.db import get_db

from erlen import Erlen
from erlen.testing import ErlenClient, ErlenCliRunner, TestResponse

# Every request made through a test client here also checks PEP 3333 compliance.
ErlenClient.validate_wsgi = True

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Erlen:
    """The blog on an empty database in ``tmp_path``.

    Passwords are hashed with a cheap PBKDF2 here so that the tests stay fast; the blog itself
    uses scrypt.
    """
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "blog.sqlite"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


@pytest.fixture
def client(app: Erlen) -> ErlenClient:
    """A test client of the blog."""
    return app.test_client()


@pytest.fixture
def runner(app: Erlen) -> ErlenCliRunner:
    """A runner for the blog's ``erlen`` commands."""
    return app.test_cli_runner()


class AuthActions:
    """Register, log in and send forms as a browser would, with the page's CSRF token."""

    def __init__(self, client: ErlenClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        """The token of the client's session, read from a form as a browser would."""
        match = CSRF_FIELD.search(self.client.get("/auth/login").text)
        assert match is not None, "the login form has no csrf_token field"
        return match.group(1)

    def post(
        self, url: str, data: t.Mapping[str, object] | None = None, **kwargs: object
    ) -> TestResponse:
        """POST a form with the session's CSRF token added."""
        return self.client.post(
            url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs
        )

    def register(self, username: str = "alice", password: str = "password1") -> TestResponse:
        """Create an account."""
        return self.post("/auth/register", {"username": username, "password": password})

    def login(self, username: str = "alice", password: str = "password1") -> TestResponse:
        """Log in (registering first is up to the test)."""
        return self.post("/auth/login", {"username": username, "password": password})

    def logout(self) -> TestResponse:
        """Log out."""
        return self.post("/auth/logout")

    def create_post(self, title: str = "First post", body: str = "Hello.", **extra: object) -> int:
        """Publish a post as the logged-in user and return its id."""
        response = self.post("/create", {"title": title, "body": body, **extra})
        assert response.status_code == 302, response.text
        return int(response.headers["Location"].rstrip("/").rpartition("/")[2])


@pytest.fixture
def auth(client: ErlenClient) -> AuthActions:
    """Actions of a user of :func:`client`."""
    return AuthActions(client)


@pytest.fixture
def alice(auth: AuthActions) -> AuthActions:
    """``alice`` registered and logged in."""
    auth.register()
    auth.login()
    return auth


Query = t.Callable[..., list[sqlite3.Row]]


@pytest.fixture
def query(app: Erlen) -> Query:
    """Run SQL on the blog's database: ``query("SELECT * FROM post WHERE id = ?", 1)``."""

    def run(sql: str, *params: object) -> list[sqlite3.Row]:
        with app.app_context():
            rows = get_db().execute(sql, params).fetchall()
            get_db().commit()
            return rows

    return run

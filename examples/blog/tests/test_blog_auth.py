"""Registering, logging in and out, and the pages that need a logged-in user."""

from __future__ import annotations

import typing as t

import pytest

from erlen import g, session
from erlen.security import check_password_hash
from erlen.testing import ErlenClient

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query


def test_register_page(client: ErlenClient) -> None:
    response = client.get("/auth/register")
    assert response.status_code == 200
    assert '<input type="password" name="password"' in response.text
    assert 'name="csrf_token"' in response.text


def test_register(auth: AuthActions, query: Query) -> None:
    response = auth.register("alice", "password1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    (user,) = query("SELECT * FROM user")
    assert user["username"] == "alice"
    assert user["password"].startswith("pbkdf2:sha256:1000$")
    assert check_password_hash(user["password"], "password1")
    page = auth.client.get("/auth/login")
    assert "Your account is ready. Log in." in page.text


def test_register_strips_the_username(auth: AuthActions, query: Query) -> None:
    auth.register("  alice ", "password1")
    assert query("SELECT username FROM user")[0][0] == "alice"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "password1", "3 to 32 letters"),
        ("al", "password1", "3 to 32 letters"),
        ("a" * 33, "password1", "3 to 32 letters"),
        ("<script>", "password1", "3 to 32 letters"),
        ("alice", "", "At least 8 characters."),
        ("alice", "short", "At least 8 characters."),
        ("alice", "x" * 1025, "At most 1024 characters."),
    ],
)
def test_register_validation(
    auth: AuthActions, query: Query, username: str, password: str, message: str
) -> None:
    response = auth.register(username, password)
    assert response.status_code == 400
    assert message in response.text
    assert query("SELECT COUNT(*) FROM user")[0][0] == 0


def test_register_keeps_the_username_escaped(auth: AuthActions) -> None:
    response = auth.register('"><b>x', "password1")
    assert response.status_code == 400
    assert 'value="&#34;&gt;&lt;b&gt;x"' in response.text


def test_register_missing_fields(auth: AuthActions) -> None:
    response = auth.post("/auth/register", {})
    assert response.status_code == 400
    assert "3 to 32 letters" in response.text


def test_register_taken_name(auth: AuthActions, query: Query) -> None:
    auth.register("alice", "password1")
    response = auth.register("alice", "password2")
    assert response.status_code == 400
    assert "The name alice is taken." in response.text
    assert query("SELECT COUNT(*) FROM user")[0][0] == 1


def test_login_page(client: ErlenClient) -> None:
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.text


def test_login(auth: AuthActions) -> None:
    auth.register()
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with auth.client:
        page = auth.client.get("/")
        assert session["user_id"] == 1
        assert g.user["username"] == "alice"
    assert "Welcome back, alice." in page.text
    assert "Log out" in page.text
    assert "New post" in page.text


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong-one"), ("bob", "password1")])
def test_login_refused(auth: AuthActions, username: str, password: str) -> None:
    auth.register()
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Incorrect username or password." in response.text
    with auth.client.session_transaction() as sess:
        assert "user_id" not in sess


def test_login_replaces_the_session(auth: AuthActions) -> None:
    auth.register()
    before = auth.csrf_token()
    auth.login()
    assert auth.csrf_token() != before  # nothing from before the login carries over


def test_logout(alice: AuthActions) -> None:
    response = alice.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with alice.client:
        page = alice.client.get("/")
        assert "user_id" not in session
        assert g.user is None
    assert "You are logged out." in page.text
    assert "Log in" in page.text


def test_logout_needs_a_post(alice: AuthActions) -> None:
    assert alice.client.get("/auth/logout").status_code == 405


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_login_required(client: ErlenClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next={path}"


@pytest.mark.parametrize("path", ["/create", "/1/update", "/1/delete"])
def test_login_required_for_posts(auth: AuthActions, path: str) -> None:
    response = auth.post(path, {"title": "t", "body": "b"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_login_returns_to_the_page_asked_for(auth: AuthActions) -> None:
    auth.register()
    response = auth.client.get("/create", follow_redirects=True)
    assert "Log in to do that." in response.text
    assert '<input type="hidden" name="next" value="/create">' in response.text
    response = auth.post(
        "/auth/login", {"username": "alice", "password": "password1", "next": "/create"}
    )
    assert response.headers["Location"] == "/create"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x", ""]
)
def test_login_never_redirects_off_site(auth: AuthActions, target: str) -> None:
    auth.register()
    response = auth.post(
        "/auth/login", {"username": "alice", "password": "password1", "next": target}
    )
    assert response.headers["Location"] == "/"


def test_session_with_a_wrong_user_id_is_logged_out(client: ErlenClient) -> None:
    with client.session_transaction() as sess:
        sess["user_id"] = "1"
    with client:
        client.get("/")
        assert g.user is None


def test_session_of_a_deleted_user(alice: AuthActions, query: Query) -> None:
    query("DELETE FROM user")
    with alice.client:
        page = alice.client.get("/")
        assert g.user is None
    assert "Log in" in page.text

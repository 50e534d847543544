"""Every form POST needs the session's CSRF token; the JSON API does not."""

from __future__ import annotations

import typing as t

import pytest
from blog.csrf import generate_csrf_token

from erlen import Erlen
from erlen.testing import ErlenClient

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query

FORMS = [
    ("/auth/register", {"username": "mallory", "password": "password1"}),
    ("/auth/login", {"username": "alice", "password": "password1"}),
    ("/auth/logout", {}),
    ("/create", {"title": "Forged", "body": "x"}),
    ("/1/update", {"title": "Forged", "body": "x"}),
    ("/1/delete", {}),
]


@pytest.fixture
def with_post(alice: AuthActions) -> AuthActions:
    """alice, logged in, with post 1."""
    alice.create_post()
    return alice


@pytest.mark.parametrize(("path", "data"), FORMS)
@pytest.mark.parametrize("token", [None, "", "forged", "é"])
def test_forms_refuse_a_missing_or_wrong_token(
    with_post: AuthActions,
    query: Query,
    path: str,
    data: dict[str, str],
    token: str | None,
) -> None:
    form = dict(data) if token is None else {**data, "csrf_token": token}
    response = with_post.client.post(path, data=form)
    assert response.status_code == 400
    assert "security token is missing or has expired" in response.text
    # Nothing happened: still logged in, one user, the post unchanged.
    assert tuple(query("SELECT title FROM post")[0]) == ("First post",)
    assert query("SELECT COUNT(*) FROM user")[0][0] == 1
    with with_post.client.session_transaction() as sess:
        assert sess["user_id"] == 1


def test_a_token_from_another_session_is_refused(app: Erlen, with_post: AuthActions) -> None:
    other = app.test_client()
    other.get("/auth/login")
    with other.session_transaction() as sess:
        foreign = sess["csrf_token"]
    response = with_post.client.post("/create", data={"title": "t", "csrf_token": foreign})
    assert response.status_code == 400


def test_no_session_no_token(client: ErlenClient) -> None:
    response = client.post("/auth/login", data={"csrf_token": "anything"})
    assert response.status_code == 400


def test_the_token_is_kept_for_the_session(app: Erlen) -> None:
    with app.test_request_context():
        first = generate_csrf_token()
        assert generate_csrf_token() == first
        assert len(first) >= 32


def test_get_requests_need_no_token(client: ErlenClient) -> None:
    assert client.get("/auth/login").status_code == 200


def test_the_json_api_is_exempt(with_post: AuthActions) -> None:
    response = with_post.client.post("/api/posts", json={"title": "From the API"})
    assert response.status_code == 201


def test_a_form_body_to_the_api_is_not_accepted(with_post: AuthActions, query: Query) -> None:
    # The exemption covers JSON only: a form a hostile page could send is refused.
    response = with_post.client.post("/api/posts", data={"title": "Forged"})
    assert response.status_code == 415
    assert query("SELECT COUNT(*) FROM post")[0][0] == 1

"""The JSON API: list, read, and create with validation errors as 400 ``{"errors": {...}}``."""

from __future__ import annotations

import typing as t

import pytest

from erlen.testing import ErlenClient

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query


def test_list_empty(client: ErlenClient) -> None:
    response = client.get("/api/posts")
    assert response.status_code == 200
    assert response.is_json
    assert response.json == {"posts": []}


def test_list(alice: AuthActions) -> None:
    alice.create_post("One", "1")
    alice.create_post("Two", "2")
    posts = alice.client.get("/api/posts").json["posts"]
    assert [p["title"] for p in posts] == ["Two", "One"]
    first = posts[1]
    assert first["id"] == 1
    assert first["body"] == "1"
    assert first["author"] == "alice"
    assert first["url"] == "http://localhost/1"
    assert first["attachment"] is None
    assert first["created"].endswith("Z")
    assert first["created"][10] == "T"


def test_read(alice: AuthActions) -> None:
    alice.create_post("One", "body")
    alice.logout()
    response = alice.client.get("/api/posts/1")
    assert response.status_code == 200
    assert response.json["title"] == "One"
    assert response.json["author"] == "alice"


def test_read_missing(client: ErlenClient) -> None:
    response = client.get("/api/posts/42")
    assert response.status_code == 404
    assert response.json == {"error": "There is no post 42."}


def test_read_bad_id(client: ErlenClient) -> None:
    response = client.get("/api/posts/abc")
    assert response.status_code == 404
    assert response.is_json


def test_method_not_allowed_is_json(client: ErlenClient) -> None:
    response = client.delete("/api/posts")
    assert response.status_code == 405
    assert response.is_json


def test_create(alice: AuthActions, query: Query) -> None:
    response = alice.client.post("/api/posts", json={"title": " Via API ", "body": "text"})
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/posts/1"
    assert response.json["id"] == 1
    assert response.json["title"] == "Via API"
    assert response.json["author"] == "alice"
    assert tuple(query("SELECT title, body, author_id FROM post")[0]) == ("Via API", "text", 1)
    assert "Via API" in alice.client.get("/").text  # the pages see it too


def test_create_without_a_body_field(alice: AuthActions, query: Query) -> None:
    assert alice.client.post("/api/posts", json={"title": "t"}).status_code == 201
    assert query("SELECT body FROM post")[0][0] == ""


def test_create_needs_a_login(client: ErlenClient, query: Query) -> None:
    response = client.post("/api/posts", json={"title": "t"})
    assert response.status_code == 401
    assert "Log in first" in response.json["error"]
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0


def test_create_needs_json(alice: AuthActions) -> None:
    response = alice.client.post("/api/posts", data="title=t", content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.json["error"]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"title": "A title is required."}),
        ({"title": ""}, {"title": "A title is required."}),
        ({"title": "  "}, {"title": "A title is required."}),
        ({"title": None}, {"title": "A title is required."}),
        ({"title": 5}, {"title": "A title is required."}),
        ({"title": "x" * 121}, {"title": "At most 120 characters."}),
        ({"title": "t", "body": 3}, {"body": "The body must be text."}),
        ({"title": "t", "body": None}, {"body": "The body must be text."}),
        ({"title": "t", "body": "x" * 20_001}, {"body": "At most 20000 characters."}),
        (
            {"title": ["t"], "body": {}},
            {"title": "A title is required.", "body": "The body must be text."},
        ),
        ({"title": "t", "author_id": 2, "id": 9}, {"_body": "Unknown fields: author_id, id."}),
        ([], {"_body": "The body must be a JSON object."}),
        ("title", {"_body": "The body must be a JSON object."}),
    ],
)
def test_create_validation(
    alice: AuthActions, query: Query, payload: t.Any, errors: dict[str, str]
) -> None:
    response = alice.client.post("/api/posts", json=payload)
    assert response.status_code == 400
    assert response.json == {"errors": errors}
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0


@pytest.mark.parametrize(
    "raw", [b"{", b"\xff\xfe", b"", b'{"title": "t",}', b"[1, 2", b"null", b"42"]
)
def test_create_malformed_json(alice: AuthActions, raw: bytes) -> None:
    response = alice.client.post("/api/posts", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"errors": {"_body": "The body must be a JSON object."}}

"""The index, a post's page, and writing, editing and deleting posts (HTML forms)."""

from __future__ import annotations

import typing as t

import pytest

from erlen.testing import ErlenClient

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query


def test_index_empty(client: ErlenClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No posts yet." in response.text
    assert "Register</a> to write the first one" in response.text


def test_index_empty_logged_in(alice: AuthActions) -> None:
    assert "Write the first one" in alice.client.get("/").text


def test_index_lists_posts_newest_first(alice: AuthActions) -> None:
    alice.create_post("Older", "one")
    alice.create_post("Newer", "two")
    page = alice.client.get("/").text
    assert page.index("Newer") < page.index("Older")
    assert "by <strong>alice</strong>" in page
    assert 'href="/2/update"' in page
    assert 'href="/1"' in page


def test_edit_link_only_for_the_author(alice: AuthActions) -> None:
    alice.create_post()
    alice.logout()
    assert 'href="/1/update"' not in alice.client.get("/").text
    alice.register("bob", "password2")
    alice.login("bob", "password2")
    page = alice.client.get("/").text
    assert "First post" in page
    assert 'href="/1/update"' not in page


def test_detail(alice: AuthActions) -> None:
    alice.create_post("Line one", "first\nsecond")
    alice.logout()
    response = alice.client.get("/1")
    assert response.status_code == 200
    assert "<title>Line one · Erlen Blog</title>" in response.text
    assert '<div class="body">first\nsecond</div>' in response.text


def test_html_in_posts_is_escaped(alice: AuthActions) -> None:
    alice.create_post("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
    page = alice.client.get("/").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_create_page(alice: AuthActions) -> None:
    response = alice.client.get("/create")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'type="file" name="attachment"' in response.text


def test_create(alice: AuthActions, query: Query) -> None:
    response = alice.post("/create", {"title": "  Hello  ", "body": "World"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/1"
    (post,) = query("SELECT * FROM post")
    assert (post["title"], post["body"], post["author_id"], post["attachment"]) == (
        "Hello",
        "World",
        1,
        None,
    )
    assert "Your post is published." in alice.client.get("/1").text


def test_create_with_an_empty_body(alice: AuthActions, query: Query) -> None:
    alice.post("/create", {"title": "Title only"})
    assert query("SELECT body FROM post")[0][0] == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "b"}, "A title is required."),
        ({"title": "   ", "body": "b"}, "A title is required."),
        ({"body": "b"}, "A title is required."),
        ({"title": "x" * 121, "body": "b"}, "At most 120 characters."),
        ({"title": "t", "body": "x" * 20_001}, "At most 20000 characters."),
    ],
)
def test_create_validation(
    alice: AuthActions, query: Query, data: dict[str, str], message: str
) -> None:
    response = alice.post("/create", data)
    assert response.status_code == 400
    assert message in response.text
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0


def test_create_keeps_what_was_typed(alice: AuthActions) -> None:
    response = alice.post("/create", {"title": "", "body": "my <draft>"})
    assert "my &lt;draft&gt;</textarea>" in response.text


def test_update_page(alice: AuthActions) -> None:
    alice.create_post("Mine", "text")
    response = alice.client.get("/1/update")
    assert response.status_code == 200
    assert 'value="Mine"' in response.text
    assert ">text</textarea>" in response.text
    assert 'action="/1/delete"' in response.text
    assert "remove_attachment" not in response.text  # nothing attached


def test_update(alice: AuthActions, query: Query) -> None:
    alice.create_post()
    response = alice.post("/1/update", {"title": "Changed", "body": "New body"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/1"
    assert tuple(query("SELECT title, body FROM post")[0]) == ("Changed", "New body")
    assert "Your changes are saved." in alice.client.get("/1").text


def test_update_validation(alice: AuthActions, query: Query) -> None:
    alice.create_post()
    response = alice.post("/1/update", {"title": "", "body": "x"})
    assert response.status_code == 400
    assert "A title is required." in response.text
    assert query("SELECT title FROM post")[0][0] == "First post"


def test_delete(alice: AuthActions, query: Query) -> None:
    alice.create_post()
    response = alice.post("/1/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0
    assert "Deleted “First post”." in alice.client.get("/").text


def test_delete_needs_a_post(alice: AuthActions) -> None:
    alice.create_post()
    assert alice.client.get("/1/delete").status_code == 405


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/1/update"), ("POST", "/1/update"), ("POST", "/1/delete")]
)
def test_another_user_cannot_change_a_post(
    alice: AuthActions, query: Query, method: str, path: str
) -> None:
    alice.create_post()
    alice.logout()
    alice.register("bob", "password2")
    alice.login("bob", "password2")
    if method == "GET":
        response = alice.client.get(path)
    else:
        response = alice.post(path, {"title": "Bob was here", "body": ""})
    assert response.status_code == 403
    assert "Only the author of a post can change it." in response.text
    assert tuple(query("SELECT title FROM post")[0]) == ("First post",)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/7"), ("GET", "/7/update"), ("POST", "/7/update"), ("POST", "/7/delete")],
)
def test_missing_post(alice: AuthActions, method: str, path: str) -> None:
    response = alice.client.get(path) if method == "GET" else alice.post(path, {"title": "t"})
    assert response.status_code == 404
    assert "There is no post 7." in response.text


@pytest.mark.parametrize("path", ["/0", "/-1", "/abc", "/1.5"])
def test_bad_post_ids(client: ErlenClient, path: str) -> None:
    assert client.get(path).status_code == 404

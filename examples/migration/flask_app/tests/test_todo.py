"""The to-do application through the test client: pages, session, flashing and the JSON API."""

from __future__ import annotations

from flask import session
from flask.testing import FlaskClient


def test_empty_list(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing to do." in response.text


def test_add_shows_it_and_flashes(client: FlaskClient) -> None:
    response = client.post("/add", data={"title": "Buy <milk>"}, follow_redirects=True)
    assert response.request.path == "/"
    assert "<li>\n    Buy &lt;milk&gt;" in response.text  # escaped by the template
    assert "Added &#39;Buy &lt;milk&gt;&#39;." in response.text
    assert client.get("/").text.count("Added") == 0  # a flash is shown once


def test_add_without_title_flashes_an_error(client: FlaskClient) -> None:
    response = client.post("/add", data={"title": "  "}, follow_redirects=True)
    assert '<p class="error">A to-do needs a title.</p>' in response.text
    assert "Nothing to do." in response.text


def test_the_list_lives_in_the_session(client: FlaskClient) -> None:
    with client.session_transaction() as sess:
        sess["todos"] = [{"title": "Write tests", "done": False}]
    with client:
        client.post("/done/1")
        assert session["todos"] == [{"title": "Write tests", "done": True}]
    assert "<s>Write tests</s>" in client.get("/").text


def test_done_out_of_range_is_404(client: FlaskClient) -> None:
    assert client.post("/done/1").status_code == 404
    assert client.post("/done/0").status_code == 404
    assert client.post("/done/x").status_code == 404


def test_api_create_and_list(client: FlaskClient) -> None:
    response = client.post("/api/todos", json={"title": " Call Ada "})
    assert response.status_code == 201
    assert response.json == {"title": "Call Ada", "done": False}
    assert client.get("/api/todos").json == {"todos": [{"title": "Call Ada", "done": False}]}


def test_api_rejects_bad_input_with_json(client: FlaskClient) -> None:
    for body in (
        {"data": "not json", "content_type": "application/json"},
        {"json": [1]},
        {"json": {"title": 3}},
        {"json": {"title": ""}},
        {"data": "title=x"},
    ):
        response = client.post("/api/todos", **body)  # type: ignore[arg-type]
        assert response.status_code == 400
        assert response.json == {"error": 'Send a JSON object such as {"title": "Buy milk"}.'}


def test_a_full_list_is_409(client: FlaskClient) -> None:
    for n in range(3):
        assert client.post("/api/todos", json={"title": f"job {n}"}).status_code == 201
    response = client.post("/api/todos", json={"title": "one more"})
    assert response.status_code == 409
    assert response.json == {"error": "The list is full: finish something first."}
    assert client.post("/add", data={"title": "one more"}).status_code == 409

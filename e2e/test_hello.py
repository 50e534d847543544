"""A smoke test of the harness: ``examples/hello`` in Chromium under both servers."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from conftest import LiveServer


def test_index_escapes_the_name(hello_server: LiveServer, page: Page, artifacts: Path) -> None:
    response = page.goto(hello_server.url("/?name=<b>Erlen</b>"))
    assert response is not None
    assert response.status == 200
    heading = page.locator("h1")
    expect(heading).to_have_text("Hello, <b>Erlen</b>!")  # shown as text, not as markup
    expect(page.locator("h1 b")).to_have_count(0)
    page.screenshot(path=artifacts / f"hello-{hello_server.kind}.png")
    assert (artifacts / f"hello-{hello_server.kind}.png").stat().st_size > 0


def test_link_to_the_json_api(hello_server: LiveServer, page: Page) -> None:
    page.goto(hello_server.url("/"))
    with page.expect_response("**/api/greet*") as info:
        page.get_by_role("link", name="the JSON API").click()
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"message": "Hello, Erlen!"}


def test_unknown_url_is_a_404(hello_server: LiveServer, page: Page) -> None:
    response = page.goto(hello_server.url("/no/such/page"))
    assert response is not None
    assert response.status == 404


def test_both_servers_answered(hello_server: LiveServer, page: Page) -> None:
    page.goto(hello_server.url("/user/42"))
    expect(page.locator("body")).to_contain_text('"id"')
    log = hello_server.log()
    # each server logs its own way: the dev server's request line, gunicorn's access log
    assert "/user/42" in log

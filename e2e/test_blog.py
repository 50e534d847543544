"""``examples/blog`` in headless Chromium, served by the development server and by gunicorn.

Each server keeps its database for the whole session, so every test registers users of its own
(:func:`unique`) and looks only at its own posts.
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from pathlib import Path

from playwright.sync_api import FilePayload, Locator, Page, expect

from conftest import LiveServer

PASSWORD = "correct horse battery"


def unique(prefix: str) -> str:
    """A name no other test uses (usernames allow letters, digits, ``_``, ``.`` and ``-``)."""
    return f"{prefix}_{secrets.token_hex(4)}"


def png(width: int = 16, height: int = 8) -> bytes:
    """A small valid PNG: an orange rectangle (RGB, 8 bits per channel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x88\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def flash(page: Page) -> Locator:
    """The flashed messages at the top of the page."""
    return page.locator(".flashes .flash")


def register(page: Page, server: LiveServer, username: str) -> None:
    """Create an account through the form; the blog then shows its login page."""
    page.goto(server.url("/auth/register"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(server.url("/auth/login"))
    expect(flash(page)).to_have_text("Your account is ready. Log in.")


def log_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Log in through the form; the blog then shows the index with the user's name."""
    page.goto(server.url("/auth/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url("/"))
    expect(flash(page)).to_have_text(f"Welcome back, {username}.")
    expect(page.locator("header .who")).to_have_text(username)


def log_out(page: Page, server: LiveServer) -> None:
    """Log out with the header's button (a POST that carries the CSRF token)."""
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(server.url("/"))
    expect(flash(page)).to_have_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def write_post(
    page: Page, server: LiveServer, title: str, body: str, attachment: FilePayload | None = None
) -> int:
    """Publish a post from the "New post" page and return its id."""
    page.get_by_role("link", name="New post").click()
    expect(page).to_have_url(server.url("/create"))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill(body)
    if attachment is not None:
        page.get_by_label("Image or document").set_input_files(attachment)
    page.get_by_role("button", name="Publish").click()
    expect(flash(page)).to_have_text("Your post is published.")
    expect(page.locator("h1")).to_have_text(title)
    match = re.fullmatch(re.escape(server.base_url) + r"/(\d+)", page.url)
    assert match is not None, f"a new post should be shown at /<id>, not {page.url}"
    return int(match.group(1))


def post_card(page: Page, title: str) -> Locator:
    """The index's card of the post titled ``title``."""
    return page.locator("article.post").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def test_register_log_in_write_edit_log_out(
    blog_server: LiveServer, page: Page, artifacts: Path
) -> None:
    username = unique("ada")
    register(page, blog_server, username)
    log_in(page, blog_server, username)

    title = unique("First post")
    post_id = write_post(page, blog_server, title, "Hello from a real browser.")
    expect(page.locator(".post .body")).to_have_text("Hello from a real browser.")

    page.get_by_role("link", name="All posts").click()
    card = post_card(page, title)
    expect(card).to_have_count(1)
    expect(card.locator(".meta strong")).to_have_text(username)
    expect(card.locator(".body")).to_have_text("Hello from a real browser.")

    card.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(blog_server.url(f"/{post_id}/update"))
    expect(page.get_by_label("Title")).to_have_value(title)
    new_title = title + " (edited)"
    page.get_by_label("Title").fill(new_title)
    page.get_by_label("Body").fill("Edited in Chromium.")
    page.get_by_role("button", name="Save").click()
    expect(flash(page)).to_have_text("Your changes are saved.")
    expect(page.locator("h1")).to_have_text(new_title)

    page.goto(blog_server.url("/"))
    expect(post_card(page, title)).to_have_count(0)
    edited = post_card(page, new_title)
    expect(edited.locator(".body")).to_have_text("Edited in Chromium.")
    # the page is styled: the stylesheet loaded under the blog's Content-Security-Policy
    expect(page.locator("body")).to_have_css("background-color", "rgb(245, 246, 248)")
    page.screenshot(path=artifacts / f"blog-index-{blog_server.kind}.png", full_page=True)

    log_out(page, blog_server)
    expect(edited.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    response = page.goto(blog_server.url(f"/{post_id}/update"))
    assert response is not None
    expect(page).to_have_url(re.compile(r"/auth/login\?next=/\d+/update$"))
    expect(flash(page)).to_have_text("Log in to do that.")


def test_another_user_cannot_edit(blog_server: LiveServer, page: Page) -> None:
    author, other = unique("author"), unique("other")
    register(page, blog_server, author)
    log_in(page, blog_server, author)
    title = unique("Mine")
    post_id = write_post(page, blog_server, title, "Only I may change this.")
    log_out(page, blog_server)

    register(page, blog_server, other)
    log_in(page, blog_server, other)
    card = post_card(page, title)
    expect(card).to_have_count(1)
    expect(card.locator(".meta strong")).to_have_text(author)
    expect(card.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    page.goto(blog_server.url(f"/{post_id}"))
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    response = page.goto(blog_server.url(f"/{post_id}/update"))
    assert response is not None
    assert response.status == 403
    expect(page.locator(".error-code")).to_have_text("403")
    expect(page.locator(".error-page")).to_contain_text("Only the author of a post can change it.")
    expect(page.get_by_label("Title")).to_have_count(0)

    # Nor can they delete it, even with a valid CSRF token of their own session.
    page.goto(blog_server.url("/"))
    token = page.locator("input[name=csrf_token]").first.input_value()
    refused = page.request.post(
        blog_server.url(f"/{post_id}/delete"), form={"csrf_token": token}, max_redirects=0
    )
    assert refused.status == 403
    page.reload()
    expect(post_card(page, title)).to_have_count(1)


def test_upload_a_document_and_an_image(
    blog_server: LiveServer, page: Page, artifacts: Path
) -> None:
    username = unique("uploader")
    register(page, blog_server, username)
    log_in(page, blog_server, username)

    notes = b"Notes uploaded through a real multipart form.\n"
    title = unique("With notes")
    write_post(
        page,
        blog_server,
        title,
        "See the attachment.",
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": notes},
    )
    link = page.get_by_role("link", name="Attachment: notes.txt")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith("/uploads/")
    assert href.endswith("-notes.txt")
    download = page.request.get(blog_server.url(href))
    assert download.status == 200
    assert download.body() == notes
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["x-content-type-options"] == "nosniff"

    image_title = unique("With a picture")
    post_id = write_post(
        page,
        blog_server,
        image_title,
        "An image, shown inline.",
        {"name": "orange.png", "mimeType": "image/png", "buffer": png(16, 8)},
    )
    image = page.locator("img.attachment")
    expect(image).to_be_visible()
    # the browser decoded the uploaded bytes: the served file is the same PNG
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [16, 8]
    page.screenshot(path=artifacts / f"blog-post-image-{blog_server.kind}.png", full_page=True)
    src = image.get_attribute("src")
    assert src is not None

    # Edit: remove the attachment; its URL is gone too.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Remove the current attachment").check()
    page.get_by_role("button", name="Save").click()
    expect(flash(page)).to_have_text("Your changes are saved.")
    expect(page).to_have_url(blog_server.url(f"/{post_id}"))
    expect(page.locator("img.attachment")).to_have_count(0)
    assert page.request.get(blog_server.url(src)).status == 404


def test_an_unsafe_attachment_is_refused(blog_server: LiveServer, page: Page) -> None:
    username = unique("mallory")
    register(page, blog_server, username)
    log_in(page, blog_server, username)
    page.get_by_role("link", name="New post").click()
    title = unique("Script")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Image or document").set_input_files(
        {"name": "page.html", "mimeType": "text/html", "buffer": b"<script>alert(1)</script>"}
    )
    with page.expect_response(blog_server.url("/create")) as info:
        page.get_by_role("button", name="Publish").click()
    assert info.value.status == 400
    expect(page.locator("#attachment-error")).to_contain_text("Attach an image or a document")
    expect(page.get_by_label("Title")).to_have_value(title)  # what was typed is kept
    page.goto(blog_server.url("/"))
    expect(post_card(page, title)).to_have_count(0)


def test_a_wrong_password_is_refused(blog_server: LiveServer, page: Page) -> None:
    username = unique("grace")
    register(page, blog_server, username)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    with page.expect_response(blog_server.url("/auth/login")) as info:
        page.get_by_role("button", name="Log in").click()
    assert info.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Incorrect username or password.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    log_in(page, blog_server, username)  # and the right one still works


def test_an_unknown_page_has_the_blogs_404(blog_server: LiveServer, page: Page) -> None:
    response = page.goto(blog_server.url("/no/such/page"))
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    page.get_by_role("link", name="Back to the posts").click()
    expect(page).to_have_url(blog_server.url("/"))
    expect(page.locator("h1")).to_have_text("Posts")

"""Attachments: saved under the instance folder with a safe name, served back, never escaped."""

from __future__ import annotations

import io
import typing as t
from pathlib import Path

import pytest

from erlen import Erlen

if t.TYPE_CHECKING:
    from conftest import AuthActions, Query

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name: str, data: bytes = PNG) -> tuple[io.BytesIO, str]:
    """A file field for the test client."""
    return (io.BytesIO(data), name)


def stored_files(app: Erlen) -> list[str]:
    """The names in the upload folder."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_upload_an_image(app: Erlen, alice: AuthActions, query: Query) -> None:
    alice.create_post(attachment=upload("My Photo.PNG"))
    (stored,) = stored_files(app)
    assert stored.endswith("-My_Photo.PNG")
    assert len(stored.partition("-")[0]) == 16  # a random prefix
    assert query("SELECT attachment FROM post")[0][0] == stored
    page = alice.client.get("/1").text
    assert f'<img class="attachment" src="/uploads/{stored}"' in page
    response = alice.client.get(f"/uploads/{stored}")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_upload_a_document(app: Erlen, alice: AuthActions) -> None:
    alice.create_post(attachment=upload("notes.txt", b"plain text"))
    (stored,) = stored_files(app)
    page = alice.client.get("/").text
    assert f'href="/uploads/{stored}">Attachment: notes.txt</a>' in page
    assert "<img" not in page
    response = alice.client.get(f"/uploads/{stored}")
    assert response.data == b"plain text"
    assert response.mimetype == "text/plain"
    response.close()


def test_the_api_links_the_attachment(app: Erlen, alice: AuthActions) -> None:
    alice.create_post(attachment=upload("a.gif"))
    (stored,) = stored_files(app)
    assert (
        alice.client.get("/api/posts/1").json["attachment"] == f"http://localhost/uploads/{stored}"
    )


def test_a_hostile_file_name_is_made_safe(app: Erlen, alice: AuthActions) -> None:
    alice.create_post(attachment=upload("../../../etc/pass wd.png"))
    (stored,) = stored_files(app)
    assert stored.endswith("-etc_pass_wd.png")
    assert not (Path(app.config["UPLOAD_FOLDER"]).parent / "etc").exists()


@pytest.mark.parametrize(
    "name", ["page.html", "drawing.svg", "script.js", "noextension", "...png", "png", "é.exe"]
)
def test_only_images_and_documents(app: Erlen, alice: AuthActions, query: Query, name: str) -> None:
    response = alice.post("/create", {"title": "t", "body": "", "attachment": upload(name)})
    assert response.status_code == 400
    assert "Attach an image or a document: gif, jpeg, jpg, pdf, png, txt, webp." in response.text
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0
    assert stored_files(app) == []


def test_an_empty_file_field_is_no_attachment(alice: AuthActions, query: Query) -> None:
    alice.create_post(attachment=upload(""))
    assert query("SELECT attachment FROM post")[0][0] is None


def test_too_large(app: Erlen, alice: AuthActions, query: Query) -> None:
    big = upload("big.png", b"\x00" * (2 * 1024 * 1024 + 1))
    response = alice.post("/create", {"title": "t", "attachment": big})
    assert response.status_code == 413
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0
    assert stored_files(app) == []


def test_replace_the_attachment(app: Erlen, alice: AuthActions, query: Query) -> None:
    alice.create_post(attachment=upload("old.png"))
    (old,) = stored_files(app)
    assert "Remove the current attachment (old.png)" in alice.client.get("/1/update").text
    response = alice.post("/1/update", {"title": "t", "body": "", "attachment": upload("new.png")})
    assert response.status_code == 302
    (new,) = stored_files(app)
    assert new.endswith("-new.png")
    assert query("SELECT attachment FROM post")[0][0] == new
    assert alice.client.get(f"/uploads/{old}").status_code == 404


def test_a_bad_replacement_keeps_the_old_one(app: Erlen, alice: AuthActions) -> None:
    alice.create_post(attachment=upload("old.png"))
    before = stored_files(app)
    response = alice.post("/1/update", {"title": "t", "attachment": upload("x.html")})
    assert response.status_code == 400
    assert stored_files(app) == before


def test_keep_the_attachment_when_editing_the_text(
    app: Erlen, alice: AuthActions, query: Query
) -> None:
    alice.create_post(attachment=upload("keep.png"))
    (stored,) = stored_files(app)
    alice.post("/1/update", {"title": "New title", "body": ""})
    assert query("SELECT attachment FROM post")[0][0] == stored
    assert stored_files(app) == [stored]


def test_remove_the_attachment(app: Erlen, alice: AuthActions, query: Query) -> None:
    alice.create_post(attachment=upload("gone.png"))
    alice.post("/1/update", {"title": "t", "body": "", "remove_attachment": "1"})
    assert query("SELECT attachment FROM post")[0][0] is None
    assert stored_files(app) == []


def test_a_file_already_gone_is_no_error(app: Erlen, alice: AuthActions, query: Query) -> None:
    alice.create_post(attachment=upload("gone.png"))
    (stored,) = stored_files(app)
    (Path(app.config["UPLOAD_FOLDER"]) / stored).unlink()
    assert alice.post("/1/delete").status_code == 302
    assert query("SELECT COUNT(*) FROM post")[0][0] == 0


def test_delete_removes_the_file(app: Erlen, alice: AuthActions) -> None:
    alice.create_post(attachment=upload("a.png"))
    alice.create_post(attachment=upload("b.png"))
    alice.post("/1/delete")
    (left,) = stored_files(app)
    assert left.endswith("-b.png")


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/../blog.sqlite",
        "/uploads/..%2Fblog.sqlite",
        "/uploads/%2e%2e/blog.sqlite",
        "/uploads/%2E%2E%2Fblog.sqlite",
        "/uploads/sub/../../blog.sqlite",
        "/uploads//etc/passwd",
        "/uploads/%2Fetc%2Fpasswd",
        "/uploads/..%5Cblog.sqlite",
        "/uploads/C:%5Cwindows",
        "/uploads/a%00.png",
        "/uploads/NUL.png",
        "/uploads/missing.png",
    ],
)
def test_downloads_stay_in_the_upload_folder(app: Erlen, alice: AuthActions, path: str) -> None:
    alice.create_post(attachment=upload("a.png"))  # the folder exists and holds a file
    response = alice.client.get(path, follow_redirects=True)  # "//" is merged first: a 308
    assert response.status_code == 404
    assert b"SQLite" not in response.data
    assert b"root:" not in response.data

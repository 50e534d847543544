"""View helpers: redirect, abort, flash, file sending, debug flags."""

from __future__ import annotations

import io
import os
import typing as t
from pathlib import Path

import pytest

from erlen import (
    Erlen,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    send_file,
    send_from_directory,
)
from erlen.exceptions import NotFound
from erlen.helpers import get_debug_flag, get_load_dotenv


def test_redirect_outside_app() -> None:
    rv = redirect("/there", 301)
    assert (rv.status_code, rv.headers["Location"]) == (301, "/there")
    assert b"/there" in rv.data


@pytest.mark.parametrize("location", ["/a\r\nSet-Cookie: x=1", "/a\nb"])
def test_redirect_refuses_header_injection(location: str) -> None:
    with pytest.raises(ValueError, match="newline"):
        redirect(location)


def test_redirect_escapes_html_body() -> None:
    rv = redirect('/"><script>')
    assert b"<script>" not in rv.data


def test_redirect_quotes_non_ascii() -> None:
    assert redirect("/café").headers["Location"] == "/caf%C3%A9"


def test_abort_outside_app() -> None:
    with pytest.raises(NotFound):
        abort(404)


def test_flash_and_get_flashed(app: Erlen) -> None:
    @app.route("/add")
    def add() -> str:
        flash("saved")
        flash("careful", "warning")
        return "ok"

    @app.route("/show")
    def show() -> dict[str, t.Any]:
        first = get_flashed_messages(with_categories=True)
        again = get_flashed_messages()
        warnings = get_flashed_messages(category_filter=["warning"])
        return {"first": first, "again": again, "warnings": warnings}

    client = app.test_client()
    client.get("/add")
    data = client.get("/show").json
    assert data["first"] == [["message", "saved"], ["warning", "careful"]]
    assert data["again"] == ["saved", "careful"]
    assert data["warnings"] == ["careful"]
    assert client.get("/show").json["first"] == []


def test_send_file_path(app: Erlen, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_bytes(b"contents")
    with app.test_request_context():
        rv = send_file(target, as_attachment=True)
        rv.direct_passthrough = False
        assert rv.get_data() == b"contents"
        assert rv.mimetype == "text/plain"
        assert rv.headers["Content-Disposition"] == 'attachment; filename="report.txt"'
        rv.close()


def test_send_file_non_ascii_name(app: Erlen) -> None:
    with app.test_request_context():
        rv = send_file(io.BytesIO(b"x"), download_name="résumé.pdf", as_attachment=True)
        assert "filename*=UTF-8''r%C3%A9sum%C3%A9.pdf" in rv.headers["Content-Disposition"]
        rv.close()


def test_send_file_object_needs_type(app: Erlen) -> None:
    with app.test_request_context(), pytest.raises(TypeError, match="mimetype"):
        send_file(io.BytesIO(b"x"))


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "NUL", "sub/../../x", "missing"])
def test_send_from_directory_refuses(app: Erlen, tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.txt").write_text("s")
    public = tmp_path / "public"
    public.mkdir()
    with app.test_request_context(), pytest.raises(NotFound):
        send_from_directory(public, name)


def test_send_from_directory_serves(app: Erlen, tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body{}")
    app.add_url_rule("/f/<path:name>", "f", lambda name: send_from_directory(tmp_path, name))
    rv = app.test_client().get("/f/a.css")
    assert (rv.status_code, rv.data, rv.mimetype) == (200, b"body{}", "text/css")


def test_send_from_directory_stats_the_file_once(
    app: Erlen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.css").write_text("body{}")
    real_stat = os.stat
    stats: list[str] = []

    def counting_stat(path: t.Any, *args: t.Any, **kwargs: t.Any) -> os.stat_result:
        stats.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    with app.test_request_context():
        monkeypatch.setattr(os, "stat", counting_stat)
        rv = send_from_directory(tmp_path, "a.css")
        monkeypatch.undo()
        rv.close()
    # (mimetypes may stat its own files on first use)
    assert [p for p in stats if p.startswith(str(tmp_path))] == [str(tmp_path / "a.css")]
    assert rv.headers["Content-Length"] == "6"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        ({"ERLEN_DEBUG": "1"}, True),
        ({"FLASK_DEBUG": "true"}, True),
        ({"ERLEN_DEBUG": "0"}, False),
        ({"FLASK_DEBUG": "no"}, False),
    ],
)
def test_get_debug_flag(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("ERLEN_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert get_debug_flag() is expected


def test_get_load_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERLEN_SKIP_DOTENV", raising=False)
    monkeypatch.delenv("FLASK_SKIP_DOTENV", raising=False)
    assert get_load_dotenv() is True
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    assert get_load_dotenv() is False
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "0")
    assert get_load_dotenv() is True


def test_lazy_file_opens_on_first_use_and_not_after_close(tmp_path: t.Any) -> None:
    from erlen.helpers import _LazyFile

    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789")
    lazy = _LazyFile(str(path))
    assert lazy._file is None
    assert lazy.seekable()
    assert lazy.seek(2) == 2
    assert lazy.read(3) == b"234"
    assert lazy.tell() == 5  # delegated to the open file
    assert isinstance(lazy.fileno(), int)
    lazy.close()
    assert lazy.closed

    never = _LazyFile(str(tmp_path / "missing.bin"))
    never.close()  # nothing was opened, nothing fails
    with pytest.raises(ValueError, match="closed file"):
        never.read()

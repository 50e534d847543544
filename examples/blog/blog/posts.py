"""The blog's pages: the index, a post, and writing, editing and deleting one's own posts."""

from __future__ import annotations

import os
import secrets
import sqlite3
import typing as t

from erlen import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from erlen.datastructures import FileStorage
from erlen.typing import ResponseReturnValue
from erlen.utils import secure_filename

from .auth import login_required
from .db import get_db

bp = Blueprint("blog", __name__)

MAX_TITLE_LENGTH = 120
MAX_BODY_LENGTH = 20_000
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
#: What an attachment may be. Never HTML or SVG: served from this site, they could run script.
ALLOWED_EXTENSIONS = IMAGE_EXTENSIONS | {"pdf", "txt"}

POST_QUERY = (
    "SELECT p.id, title, body, created, author_id, username, attachment"
    " FROM post p JOIN user u ON p.author_id = u.id"
)


def validate_post(title: t.Any, body: t.Any) -> dict[str, str]:
    """The problems with a post's fields, by field name (empty when it is fine)."""
    errors: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = "A title is required."
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = f"At most {MAX_TITLE_LENGTH} characters."
    if not isinstance(body, str):
        errors["body"] = "The body must be text."
    elif len(body) > MAX_BODY_LENGTH:
        errors["body"] = f"At most {MAX_BODY_LENGTH} characters."
    return errors


def attachment_error(file: FileStorage | None) -> str | None:
    """Why an uploaded file cannot be attached, or None (also when nothing was uploaded)."""
    if file is None or not file.filename:
        return None
    name = secure_filename(file.filename)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        return "Attach an image or a document: " + ", ".join(sorted(ALLOWED_EXTENSIONS)) + "."
    return None


def save_attachment(file: FileStorage) -> str:
    """Store an upload (checked by :func:`attachment_error`) and return its stored name."""
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    # The random prefix keeps two uploads of "photo.png" apart and makes names unguessable.
    stored = f"{secrets.token_hex(8)}-{secure_filename(file.filename or '')}"
    file.save(os.path.join(folder, stored))
    return stored


def delete_attachment(stored: str | None) -> None:
    """Remove a stored upload, if there is one."""
    if stored:
        try:
            os.remove(os.path.join(current_app.config["UPLOAD_FOLDER"], stored))
        except FileNotFoundError:
            pass


def is_image(stored: str | None) -> bool:
    """Whether a stored attachment is shown inline as an image."""
    return bool(stored) and str(stored).rpartition(".")[2].lower() in IMAGE_EXTENSIONS


def get_post(post_id: int, check_author: bool = True) -> sqlite3.Row:
    """The post, a 404 when there is none, a 403 when ``check_author`` and it is not yours."""
    post: sqlite3.Row | None = (
        get_db().execute(f"{POST_QUERY} WHERE p.id = ?", (post_id,)).fetchone()
    )
    if post is None:
        abort(404, description=f"There is no post {post_id}.")
    if check_author and post["author_id"] != g.user["id"]:
        abort(403, description="Only the author of a post can change it.")
    return post


@bp.app_template_filter("is_image")
def is_image_filter(stored: str | None) -> bool:
    """``{% if post.attachment|is_image %}`` in templates."""
    return is_image(stored)


@bp.route("/")
def index() -> ResponseReturnValue:
    """Every post, newest first."""
    posts = get_db().execute(f"{POST_QUERY} ORDER BY created DESC, p.id DESC").fetchall()
    return render_template("blog/index.html", posts=posts)


@bp.route("/<int:post_id>")
def detail(post_id: int) -> ResponseReturnValue:
    """One post with its attachment."""
    return render_template("blog/detail.html", post=get_post(post_id, check_author=False))


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> ResponseReturnValue:
    """Write a post, with an optional attachment."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        title = request.form.get("title", "")
        body = request.form.get("body", "")
        file = request.files.get("attachment")
        errors = validate_post(title, body)
        problem = attachment_error(file)
        if problem:
            errors["attachment"] = problem
        if not errors:
            stored = save_attachment(file) if file is not None and file.filename else None
            db = get_db()
            cursor = db.execute(
                "INSERT INTO post (title, body, author_id, attachment) VALUES (?, ?, ?, ?)",
                (title.strip(), body, g.user["id"], stored),
            )
            db.commit()
            flash("Your post is published.", "success")
            return redirect(url_for("blog.detail", post_id=cursor.lastrowid))
    return render_template("blog/create.html", errors=errors), (400 if errors else 200)


@bp.route("/<int:post_id>/update", methods=("GET", "POST"))
@login_required
def update(post_id: int) -> ResponseReturnValue:
    """Edit one of your posts: its text, and replace or remove its attachment."""
    post = get_post(post_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        title = request.form.get("title", "")
        body = request.form.get("body", "")
        file = request.files.get("attachment")
        errors = validate_post(title, body)
        problem = attachment_error(file)
        if problem:
            errors["attachment"] = problem
        if not errors:
            stored = post["attachment"]
            if file is not None and file.filename:
                delete_attachment(stored)
                stored = save_attachment(file)
            elif request.form.get("remove_attachment"):
                delete_attachment(stored)
                stored = None
            db = get_db()
            db.execute(
                "UPDATE post SET title = ?, body = ?, attachment = ? WHERE id = ?",
                (title.strip(), body, stored, post_id),
            )
            db.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for("blog.detail", post_id=post_id))
    return render_template("blog/update.html", post=post, errors=errors), (400 if errors else 200)


@bp.post("/<int:post_id>/delete")
@login_required
def delete(post_id: int) -> ResponseReturnValue:
    """Delete one of your posts and its attachment."""
    post = get_post(post_id)
    db = get_db()
    db.execute("DELETE FROM post WHERE id = ?", (post_id,))
    db.commit()
    delete_attachment(post["attachment"])
    flash(f"Deleted “{post['title']}”.", "success")
    return redirect(url_for("blog.index"))


@bp.route("/uploads/<path:filename>")
def uploaded_file(filename: str) -> ResponseReturnValue:
    """An attachment; ``send_from_directory`` answers 404 for any path outside the folder."""
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename)

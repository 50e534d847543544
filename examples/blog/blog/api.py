"""The JSON API next to the pages: list and read posts, and write one when logged in."""

from __future__ import annotations

import sqlite3
import typing as t

from erlen import Blueprint, g, jsonify, request, url_for
from erlen.typing import ResponseReturnValue

from .db import get_db
from .posts import POST_QUERY, get_post, validate_post

bp = Blueprint("api", __name__, url_prefix="/api")


def post_json(post: sqlite3.Row) -> dict[str, t.Any]:
    """A post as the API shows it (``created`` in ISO 8601, UTC)."""
    attachment = post["attachment"]
    return {
        "id": post["id"],
        "title": post["title"],
        "body": post["body"],
        "author": post["username"],
        "created": post["created"].replace(" ", "T") + "Z",
        "url": url_for("blog.detail", post_id=post["id"], _external=True),
        "attachment": (
            url_for("blog.uploaded_file", filename=attachment, _external=True)
            if attachment
            else None
        ),
    }


@bp.get("/posts")
def list_posts() -> ResponseReturnValue:
    """``{"posts": [...]}``, newest first."""
    rows = get_db().execute(f"{POST_QUERY} ORDER BY created DESC, p.id DESC").fetchall()
    return {"posts": [post_json(row) for row in rows]}


@bp.get("/posts/<int:post_id>")
def read_post(post_id: int) -> ResponseReturnValue:
    """One post; a 404 (as JSON) when there is none."""
    return post_json(get_post(post_id, check_author=False))


@bp.post("/posts")
def create_post() -> ResponseReturnValue:
    """Write a post from ``{"title": ..., "body": ...}``; a 400 ``{"errors": {...}}`` if bad."""
    if g.user is None:
        return {"error": "Log in first: the API uses the site's session cookie."}, 401
    if not request.is_json:
        return {"error": "Send the post as JSON (Content-Type: application/json)."}, 415
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"errors": {"_body": "The body must be a JSON object."}}, 400
    title = data.get("title")
    body = data.get("body", "")
    errors = validate_post(title, body)
    unknown = sorted(set(data) - {"title", "body"})
    if unknown:
        errors["_body"] = "Unknown fields: " + ", ".join(unknown) + "."
    if errors or not isinstance(title, str) or not isinstance(body, str):
        return {"errors": errors}, 400
    db = get_db()
    cursor = db.execute(
        "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
        (title.strip(), body, g.user["id"]),
    )
    db.commit()
    post_id = cursor.lastrowid
    assert post_id is not None
    response = jsonify(post_json(get_post(post_id, check_author=False)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.read_post", post_id=post_id)
    return response

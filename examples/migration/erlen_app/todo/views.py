"""The HTML pages and the JSON API, each a blueprint over the same session-held list."""

from __future__ import annotations

import typing as t

from erlen import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from erlen.typing import ResponseReturnValue
from erlen.exceptions import BadRequest

bp = Blueprint("todo", __name__)
api = Blueprint("api", __name__)


def _todos() -> list[dict[str, t.Any]]:
    return t.cast("list[dict[str, t.Any]]", session.setdefault("todos", []))


def _add(title: str) -> dict[str, t.Any]:
    todos = _todos()
    if len(todos) >= current_app.config["MAX_TODOS"]:
        abort(409, description="The list is full: finish something first.")
    todo = {"title": title, "done": False}
    todos.append(todo)
    session.modified = True  # the list changed in place
    return todo


@bp.get("/")
def index() -> ResponseReturnValue:
    """The list, and a form to add to it."""
    return render_template("todo/index.html", todos=_todos())


@bp.post("/add")
def add() -> ResponseReturnValue:
    """Add the posted title, or flash why not."""
    title = request.form.get("title", "").strip()
    if title:
        _add(title)
        flash(f"Added {title!r}.")
    else:
        flash("A to-do needs a title.", "error")
    return redirect(url_for(".index"))


@bp.post("/done/<int:number>")
def done(number: int) -> ResponseReturnValue:
    """Tick off the to-do shown at position ``number`` (from 1)."""
    todos = _todos()
    if not 1 <= number <= len(todos):
        abort(404)
    todos[number - 1]["done"] = True
    session.modified = True
    return redirect(url_for(".index"))


@api.get("/todos")
def list_todos() -> ResponseReturnValue:
    """The list as JSON."""
    return {"todos": _todos()}


@api.post("/todos")
def create_todo() -> ResponseReturnValue:
    """Add ``{"title": "..."}``; anything else is a 400 that says what to send."""
    data = request.get_json(silent=True)
    title = data.get("title") if isinstance(data, dict) else None
    if not isinstance(title, str) or not title.strip():
        raise BadRequest('Send a JSON object such as {"title": "Buy milk"}.')
    return _add(title.strip()), 201


@api.errorhandler(BadRequest)
@api.errorhandler(409)
def json_error(error: t.Any) -> ResponseReturnValue:
    """Errors of the API are JSON too."""
    return {"error": error.description}, error.code

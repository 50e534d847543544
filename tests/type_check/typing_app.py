"""Checked by mypy (not run): decorators keep the decorated function's type."""

from __future__ import annotations

from typing import Any, assert_type

from erlen import Erlen, Response, jsonify
from erlen.typing import ResponseReturnValue

app = Erlen(__name__)


@app.route("/")
def index() -> str:
    return "index"


@app.get("/json")
def as_json() -> Response:
    return jsonify(a=1)


@app.post("/tuple")
def as_tuple() -> ResponseReturnValue:
    return "created", 201


@app.before_request
def before() -> None:
    return None


@app.after_request
def after(response: Response) -> Response:
    return response


@app.errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    return "missing", 404


@app.route("/async")
async def async_view() -> str:
    return "async"


assert_type(index(), str)
assert_type(as_json(), Response)
assert_type(after(Response()), Response)
assert_type(not_found(Exception()), tuple[str, int])


def set_globals() -> None:
    """``g`` takes any attribute, as Flask's does under mypy."""
    from erlen import g

    g.user = {"id": 1}
    assert_type(g.user, Any)
    del g.user

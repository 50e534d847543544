"""Benchmark endpoints in Flask's API; flask_app.py and erlen_app.py differ only in the import."""

from __future__ import annotations

from typing import Any

from erlen import Flask, make_response, render_template, request, session

from ._assets import ROWS, SECRET_KEY, STATIC_DIR, TEMPLATE_DIR, TITLE

app = Flask(
    __name__, static_folder=STATIC_DIR, static_url_path="/static", template_folder=TEMPLATE_DIR
)
app.secret_key = SECRET_KEY


@app.get("/")
def index() -> str:
    return "Hello, World!"


@app.get("/json")
def json_view() -> dict[str, Any]:
    return {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}


@app.get("/async-json")
async def async_json_view() -> dict[str, Any]:
    return {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}


def user_post(user_id: int, post_id: int) -> str:
    return f"user {user_id} post {post_id}"


def look_alike(user_id: int, post_id: int) -> str:
    return "wrong route"


# Fifty dynamic routes of the same shape, the one requested registered in the middle.
for i in range(50):
    if i == 25:
        app.add_url_rule("/users/<int:user_id>/posts/<int:post_id>", view_func=user_post)
    else:
        app.add_url_rule(f"/group{i}/<int:user_id>/posts/<int:post_id>", f"group{i}", look_alike)


@app.get("/search")
def search() -> str:
    q = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    return f"q={q} page={page}"


@app.post("/echo")
def echo() -> Any:
    return request.get_json()


@app.post("/form")
def form() -> str:
    return f"{request.form['name']} <{request.form['email']}>"


@app.get("/cookie")
def cookie() -> Any:
    theme = request.cookies.get("theme", "light")
    response = make_response(f"theme={theme}")
    response.set_cookie("last_theme", theme, httponly=True)
    return response


@app.post("/upload")
def upload() -> str:
    upload = request.files["file"]
    return f"{request.form['title']} {upload.filename} {len(upload.read())}"


@app.post("/form100")
def form100() -> str:
    form = request.form
    return f"{len(form)} {form['field0']} {form['field99']}"


@app.get("/template")
def template() -> str:
    return render_template("table.html", title=TITLE, rows=ROWS)


@app.get("/session")
def session_view() -> str:
    count = session.get("count", 0) + 1
    session["count"] = count
    return f"count={count}"

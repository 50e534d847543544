"""The benchmark endpoints in idiomatic Bottle."""

from __future__ import annotations

from typing import Any

import jinja2
from bottle import Bottle, request, response, static_file

from ._assets import ROWS, STATIC_DIR, TEMPLATE_DIR, TITLE

# Bottle's own jinja2_template does not autoescape; an Environment as Jinja2 documents it does.
jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)

app = Bottle()


@app.get("/")
def index() -> str:
    return "Hello, World!"


@app.get("/json")
def json_view() -> dict[str, Any]:
    return {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}


def user_post(user_id: int, post_id: int) -> str:
    return f"user {user_id} post {post_id}"


def look_alike(user_id: int, post_id: int) -> str:
    return "wrong route"


# Fifty dynamic routes of the same shape, the one requested registered in the middle.
for i in range(50):
    if i == 25:
        app.route("/users/<user_id:int>/posts/<post_id:int>", "GET", user_post)
    else:
        app.route(f"/group{i}/<user_id:int>/posts/<post_id:int>", "GET", look_alike)


@app.get("/search")
def search() -> str:
    q = request.query.get("q", "")
    page = int(request.query.get("page", 1))
    return f"q={q} page={page}"


@app.post("/echo")
def echo() -> Any:
    return request.json


@app.post("/form")
def form() -> str:
    return f"{request.forms.getunicode('name')} <{request.forms.getunicode('email')}>"


@app.get("/cookie")
def cookie() -> str:
    theme = request.get_cookie("theme", "light")
    response.set_cookie("last_theme", theme, httponly=True, path="/")
    return f"theme={theme}"


@app.post("/upload")
def upload() -> str:
    upload = request.files.get("file")
    return f"{request.forms.getunicode('title')} {upload.raw_filename} {len(upload.file.read())}"


@app.post("/form100")
def form100() -> str:
    forms = request.forms
    return f"{len(forms)} {forms.getunicode('field0')} {forms.getunicode('field99')}"


@app.get("/template")
def template() -> str:
    return jinja.get_template("table.html").render(title=TITLE, rows=ROWS)


@app.get("/static/<filename:path>")
def static(filename: str) -> Any:
    return static_file(filename, root=STATIC_DIR)

"""The benchmark endpoints in idiomatic Falcon: one resource class per route."""

from __future__ import annotations

import falcon
import jinja2

from ._assets import ROWS, STATIC_DIR, TEMPLATE_DIR, TITLE

jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)


class Index:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class Json:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "message": "Hello, World!",
            "id": 42,
            "tags": ["fast", "small"],
            "active": True,
        }


class UserPost:
    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: int, post_id: int
    ) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"user {user_id} post {post_id}"


class LookAlike:
    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: int, post_id: int
    ) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "wrong route"


class Search:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = req.get_param("q", default="")
        page = req.get_param_as_int("page", default=1)
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"q={q} page={page}"


class Echo:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = req.get_media()


class Form:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{form['name']} <{form['email']}>"


class Upload:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        title = filename = None
        size = 0
        for part in req.get_media():
            if part.name == "file":
                filename = part.filename
                size = len(part.stream.read())
            elif part.name == "title":
                title = part.text
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{title} {filename} {size}"


class Form100:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"{len(form)} {form['field0']} {form['field99']}"


class Template:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = jinja.get_template("table.html").render(title=TITLE, rows=ROWS)


class Cookie:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        theme = req.cookies.get("theme", "light")
        resp.set_cookie("last_theme", theme, path="/", secure=False, http_only=True)
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"theme={theme}"


app = falcon.App()
app.add_route("/", Index())
app.add_route("/json", Json())
# Fifty dynamic routes of the same shape, the one requested registered in the middle.
look_alike = LookAlike()
for i in range(50):
    if i == 25:
        app.add_route("/users/{user_id:int}/posts/{post_id:int}", UserPost())
    else:
        app.add_route(f"/group{i}/{{user_id:int}}/posts/{{post_id:int}}", look_alike)
app.add_route("/search", Search())
app.add_route("/echo", Echo())
app.add_route("/form", Form())
app.add_route("/cookie", Cookie())
app.add_route("/upload", Upload())
app.add_route("/form100", Form100())
app.add_route("/template", Template())
app.add_static_route("/static", STATIC_DIR)

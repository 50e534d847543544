"""The smallest Erlen application: ``make run`` serves it at http://127.0.0.1:5000."""

from __future__ import annotations

from markupsafe import escape

from erlen import Erlen, jsonify, request

app = Erlen(__name__)


@app.get("/")
def index() -> str:
    name = escape(request.args.get("name", "World"))  # never echo input unescaped
    return f"<h1>Hello, {name}!</h1><p>Try <a href='/api/greet?name=Erlen'>the JSON API</a>.</p>"


@app.get("/api/greet")
def greet() -> object:
    return jsonify(message=f"Hello, {request.args.get('name', 'World')}!")


@app.get("/user/<int:user_id>")
def user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)

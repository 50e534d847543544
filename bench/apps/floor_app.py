"""The floor: a hand-written WSGI callable doing each endpoint's work and nothing else.

No framework can beat it by much; the gap between a framework and this is the framework's
overhead. It parses only what each endpoint needs, with the cheapest correct standard-library
calls, and knows nothing of routing beyond the paths below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

TEXT = [("Content-Type", "text/plain; charset=utf-8")]
JSON = [("Content-Type", "application/json")]
_ok = "200 OK"
# PERF: json.dumps with any argument builds a new encoder per call; bind one compact encoder.
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _fields(data: str) -> dict[str, str]:
    """Split a query string or urlencoded body; unquote only where it is needed."""
    fields: dict[str, str] = {}
    for pair in data.split("&"):
        name, _, value = pair.partition("=")
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        fields.setdefault(name, value)
    return fields


def _body(environ: Environ) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    return environ["wsgi.input"].read(int(length)) if length else b""


def _text(
    start_response: StartResponse, text: str, headers: list[tuple[str, str]] = TEXT
) -> list[bytes]:
    body = text.encode()
    start_response(_ok, [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _json(start_response: StartResponse, data: Any) -> list[bytes]:
    body = _dumps(data).encode()
    start_response(_ok, [*JSON, ("Content-Length", str(len(body)))])
    return [body]


def index(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    return _text(start_response, "Hello, World!")


def json_view(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    data = {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}
    return _json(start_response, data)


def search(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    args = _fields(environ.get("QUERY_STRING", ""))
    return _text(start_response, f"q={args.get('q', '')} page={int(args.get('page', 1))}")


def echo(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, json.loads(_body(environ)))


def form(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    fields = _fields(_body(environ).decode())
    return _text(start_response, f"{fields['name']} <{fields['email']}>")


def cookie(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    cookies: dict[str, str] = {}
    for item in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = item.strip().partition("=")
        cookies.setdefault(name, value)
    theme = cookies.get("theme", "light")
    headers = [*TEXT, ("Set-Cookie", f"last_theme={theme}; HttpOnly; Path=/")]
    return _text(start_response, f"theme={theme}", headers)


def not_found(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response("404 Not Found", [*TEXT, ("Content-Length", "9")])
    return [b"Not Found"]


ROUTES: dict[tuple[str, str], Callable[[Environ, StartResponse], Iterable[bytes]]] = {
    ("GET", "/"): index,
    ("GET", "/json"): json_view,
    ("GET", "/search"): search,
    ("POST", "/echo"): echo,
    ("POST", "/form"): form,
    ("GET", "/cookie"): cookie,
}


def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """Dispatch on method and path: a dict for the static paths, a split for the dynamic one."""
    method = environ["REQUEST_METHOD"]
    path = environ["PATH_INFO"]
    view = ROUTES.get((method, path))
    if view is not None:
        return view(environ, start_response)
    parts = path.split("/")
    if (
        method == "GET"
        and len(parts) == 5
        and parts[1] == "users"
        and parts[3] == "posts"
        and parts[2].isdigit()
        and parts[4].isdigit()
    ):
        return _text(start_response, f"user {int(parts[2])} post {int(parts[4])}")
    return not_found(environ, start_response)

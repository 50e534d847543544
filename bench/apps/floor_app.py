"""The floor: a hand-written WSGI callable doing each endpoint's work and nothing else.

No framework can beat it by much; the gap between a framework and this is the framework's
overhead. It parses only what each endpoint needs, with the cheapest correct standard-library
calls, and knows nothing of routing beyond the paths below.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_plus

from ._assets import ROWS, SECRET_KEY, STATIC_DIR, STATIC_NAME, TEMPLATE_DIR, TITLE

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


def upload(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    # Walk the body from delimiter to delimiter by index, reading each part's disposition.
    boundary = environ["CONTENT_TYPE"].partition("boundary=")[2].strip('"')
    delimiter = b"\r\n--" + boundary.encode()
    body = _body(environ)
    title = filename = ""
    size = 0
    pos = body.find(delimiter[2:])
    while pos != -1 and body[pos + len(delimiter) - 2 : pos + len(delimiter)] != b"--":
        head_start = pos + len(delimiter)
        head_end = body.find(b"\r\n\r\n", head_start)
        end = body.find(delimiter, head_end)
        disposition = body[head_start:head_end].split(b"\r\n", 1)[0].decode()
        if 'filename="' in disposition:
            filename = disposition.partition('filename="')[2].partition('"')[0]
            size = end - head_end - 4
        elif 'name="title"' in disposition:
            title = body[head_end + 4 : end].decode()
        pos = end + 2
    return _text(start_response, f"{title} {filename} {size}")


def form100(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    fields = _fields(_body(environ).decode())
    return _text(start_response, f"{len(fields)} {fields['field0']} {fields['field99']}")


_jinja: Any = None


def template(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    global _jinja
    if _jinja is None:  # a loaded, cached template, as any framework keeps it
        import jinja2

        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
        _jinja = env.get_template("table.html")
    body = _jinja.render(title=TITLE, rows=ROWS).encode()
    start_response(
        _ok, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


_signer: Any = None


def session_view(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    # The same cookie format as Flask's (itsdangerous, HMAC-SHA1, compact JSON), by hand.
    global _signer
    if _signer is None:
        import hashlib

        from itsdangerous import URLSafeTimedSerializer

        class Compact:
            loads = staticmethod(json.loads)
            dumps = staticmethod(_dumps)

        _signer = URLSafeTimedSerializer(
            SECRET_KEY,
            salt="cookie-session",
            serializer=Compact,
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
        )
    data: dict[str, Any] = {}
    for item in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = item.strip().partition("=")
        if name == "session":
            try:
                data = _signer.loads(value, max_age=31 * 86400)
            except Exception:
                data = {}
    data["count"] = count = data.get("count", 0) + 1
    cookie = f"session={_signer.dumps(data)}; HttpOnly; Path=/"
    body = f"count={count}".encode()
    start_response(
        _ok,
        [*TEXT, ("Content-Length", str(len(body))), ("Vary", "Cookie"), ("Set-Cookie", cookie)],
    )
    return [body]


_STATIC_PATH = os.path.join(STATIC_DIR, STATIC_NAME)


def _file_chunks(f: Any) -> Iterator[bytes]:
    with f:
        while chunk := f.read(65536):
            yield chunk


def static(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    # The validators a static file needs (ETag, Last-Modified), then the file read in chunks.
    st = os.stat(_STATIC_PATH)
    etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
    headers = [
        ("Content-Type", "application/octet-stream"),
        ("ETag", etag),
        ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
        ("Cache-Control", "no-cache"),
    ]
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm and (inm.strip() == "*" or etag in inm):
        start_response("304 Not Modified", headers)
        return []
    f = open(_STATIC_PATH, "rb")  # noqa: SIM115 - closed by the generator
    start_response(_ok, [*headers, ("Content-Length", str(st.st_size))])
    wrapper = environ.get("wsgi.file_wrapper")
    return wrapper(f, 65536) if wrapper is not None else _file_chunks(f)


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
    ("POST", "/upload"): upload,
    ("POST", "/form100"): form100,
    ("GET", "/template"): template,
    ("GET", "/session"): session_view,
    ("GET", "/static/" + STATIC_NAME): static,
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

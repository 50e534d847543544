"""An application ready for a production WSGI server (see docs/deployment.md).

    gunicorn --workers 4 --bind 127.0.0.1:8000 'wsgi:app'       # from this folder
    waitress-serve --listen 127.0.0.1:8000 wsgi:app

Behind one reverse proxy (nginx, Caddy) that sets X-Forwarded-For/-Proto/-Host, set
ERLEN_BEHIND_PROXY=1 so that ProxyFix trusts exactly those headers (under gunicorn; waitress
has its own --trusted-proxy options).
"""

from __future__ import annotations

import os
import typing as t

from erlen import Erlen, Response, jsonify, request, stream_with_context
from erlen.middleware import ProxyFix

app = Erlen(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 1 MiB: larger bodies get a 413
app.config["SECRET_KEY"] = os.environ.get("ERLEN_SECRET_KEY", "change-me")

if os.environ.get("ERLEN_BEHIND_PROXY") == "1":
    # One proxy in front: trust one X-Forwarded-For/-Proto/-Host hop, never more.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]


@app.get("/")
def index() -> t.Any:
    return jsonify(
        message="hello",
        scheme=request.scheme,
        host=request.host,
        remote_addr=request.remote_addr,
    )


@app.post("/form")
def form() -> t.Any:
    return jsonify(dict(request.form.items()))


@app.post("/upload")
def upload() -> t.Any:
    uploaded = request.files["file"]
    data = uploaded.read()
    return jsonify(filename=uploaded.filename, size=len(data))


@app.get("/stream")
def stream() -> Response:
    def generate() -> t.Iterator[str]:
        for n in range(3):
            yield f"chunk {n}\n"

    return Response(stream_with_context(generate()), mimetype="text/plain")

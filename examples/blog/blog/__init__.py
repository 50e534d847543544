"""A small blog built with Erlen exactly as one would build it with Flask.

``create_app()`` is the application factory: ``erlen --app examples/blog/blog run`` (or
``make run``) finds and calls it. Everything the blog writes (the SQLite database, uploads,
the generated secret key) lives in the instance folder, ``examples/blog/instance/`` unless
``BLOG_INSTANCE_PATH`` names another one.
"""

from __future__ import annotations

import os
import secrets
import typing as t

from erlen import Erlen, Response, jsonify, render_template, request
from erlen.exceptions import HTTPException

#: The HTTP errors that get the blog's own page (or JSON under ``/api/``).
HANDLED_ERRORS = (400, 401, 403, 404, 405, 413, 415)


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Erlen:
    """Create and configure the blog; ``test_config`` replaces the instance configuration."""
    instance_path = os.environ.get("BLOG_INSTANCE_PATH")
    app = Erlen(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}  # tidier HTML source
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
        UPLOAD_FOLDER=os.path.join(app.instance_path, "uploads"),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,  # a larger upload is a 413
        PASSWORD_HASH_METHOD="scrypt",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config is None:
        # instance/config.py, then BLOG_* environment variables (BLOG_SECRET_KEY=...).
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("BLOG")
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)

    from . import api, auth, csrf, db, posts

    db.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)
    app.register_blueprint(api.bp)

    for code in HANDLED_ERRORS:
        app.register_error_handler(code, handle_http_error)
    app.after_request(set_security_headers)
    return app


def load_or_create_secret_key(instance_path: str) -> str:
    """The key in ``instance_path/secret_key``, written (readable by the owner only) on first use.

    A fresh checkout then has a strong key with nothing to configure, and sessions survive a
    restart. Several workers starting at once agree on one key: only one can create the file.
    """
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as f:
            key = f.read().strip()
        if not key:
            raise RuntimeError(
                f"The secret key file {path!r} is empty; delete it and a new key is made."
            ) from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def handle_http_error(error: HTTPException) -> tuple[t.Any, int]:
    """Errors as JSON under ``/api/``, as a page in the site's layout everywhere else."""
    code = error.code or 500
    if request.path.startswith("/api/"):
        return jsonify(error=error.description), code
    template = "404.html" if code == 404 else "error.html"
    return render_template(template, error=error), code


def set_security_headers(response: Response) -> Response:
    """Headers that keep uploaded files and the pages from being misread or framed."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response

"""The applications the browser tests serve, as WSGI entry points for both servers.

The development server loads them with ``erlen --app 'e2e_apps:hello()' run`` and gunicorn
with ``gunicorn 'e2e_apps:hello()'``, both from this folder, so that each server imports the
example exactly as a user's deployment would. Settings come from the environment that
``conftest.py`` gives the server process:

- ``ERLEN_E2E_INSTANCE``: a fresh instance folder (the blog's SQLite database, uploads and
  secret key: gunicorn's workers agree on the key through the file the first one writes, as
  in a real deployment).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from erlen import Erlen

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load_module(name: str, path: Path) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"Cannot import {path}: check that the example exists.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def hello() -> Erlen:
    """``examples/hello/app.py``'s application."""
    module = _load_module("hello_app", EXAMPLES / "hello" / "app.py")
    app: Erlen = module.app  # type: ignore[attr-defined]
    return app


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"Set {name} in the server's environment (e2e/conftest.py does).")
    return value


def blog() -> Erlen:
    """``examples/blog``'s application, made by its factory with its instance folder in
    ``ERLEN_E2E_INSTANCE`` and its configuration read as in a deployment."""
    os.environ["BLOG_INSTANCE_PATH"] = _setting("ERLEN_E2E_INSTANCE")
    sys.path.insert(0, str(EXAMPLES / "blog"))
    module = importlib.import_module("blog")  # the package examples/blog/blog
    app: Erlen = module.create_app()
    return app

"""The blog for a production server: ``gunicorn --chdir examples/blog 'wsgi:app'``."""

from __future__ import annotations

from blog import create_app

app = create_app()

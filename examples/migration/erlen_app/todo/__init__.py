"""A small to-do list kept in the visitor's session: the application factory."""

from __future__ import annotations

import typing as t

from erlen import Flask


def create_app(test_config: dict[str, t.Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides the settings in tests."""
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY="dev", MAX_TODOS=50)
    if test_config is not None:
        app.config.update(test_config)

    from . import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api, url_prefix="/api")
    return app

"""Fixtures for the to-do tests (at the project root, so that ``todo`` is importable)."""

from __future__ import annotations

import pytest
from erlen import Flask
from erlen.testing import FlaskClient
from todo import create_app


@pytest.fixture
def app() -> Flask:
    """A fresh application in testing mode."""
    return create_app({"TESTING": True, "MAX_TODOS": 3})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()

"""app.logger and the default handler."""

from __future__ import annotations

import io
import logging

from erlen import Erlen
from erlen.logging import default_handler, has_level_handler, wsgi_errors_stream


def test_logger_name_and_default_handler(app: Erlen) -> None:
    assert app.logger.name == app.name
    assert isinstance(default_handler, logging.Handler)


def test_debug_sets_level() -> None:
    other = Erlen("logging_debug_app")
    other.config["DEBUG"] = True
    assert other.logger.level == logging.DEBUG
    quiet = Erlen("logging_quiet_app")
    assert quiet.logger.level == logging.NOTSET


def test_has_level_handler() -> None:
    logger = logging.getLogger("erlen.test.levels")
    logger.propagate = False
    logger.handlers.clear()
    assert not has_level_handler(logger)
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    assert has_level_handler(logger)
    handler.setLevel(logging.CRITICAL)
    logger.setLevel(logging.INFO)
    assert not has_level_handler(logger)
    logger.removeHandler(handler)


def test_errors_stream_uses_request_environ(app: Erlen) -> None:
    buffer = io.StringIO()
    with app.test_request_context(errors_stream=buffer):
        wsgi_errors_stream().write("to wsgi.errors")
    assert buffer.getvalue() == "to wsgi.errors"


def test_default_handler_writes_to_wsgi_errors(app: Erlen) -> None:
    buffer = io.StringIO()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "to the errors stream", None, None)
    with app.test_request_context(errors_stream=buffer):
        default_handler.emit(record)
    assert "ERROR" in buffer.getvalue()
    assert "to the errors stream" in buffer.getvalue()

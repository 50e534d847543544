"""The application logger and its default handler."""

from __future__ import annotations

import logging
import sys
import typing as t

from .globals import _cv_request

if t.TYPE_CHECKING:
    from .app import Erlen


def wsgi_errors_stream() -> t.TextIO:
    """``environ["wsgi.errors"]`` during a request, otherwise ``sys.stderr``.

    Resolved on every write, so the default handler follows the current request.
    """
    ctx = _cv_request.get(None)
    if ctx is not None:
        return t.cast(t.TextIO, ctx.request.environ.get("wsgi.errors", sys.stderr))
    return sys.stderr


class _WSGIErrorsStream:
    """A file-like object that writes to :func:`wsgi_errors_stream` at each call."""

    def write(self, text: str) -> int:
        return wsgi_errors_stream().write(text)

    def flush(self) -> None:
        wsgi_errors_stream().flush()


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler in the logger's hierarchy handles its effective level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: The handler added to ``app.logger`` when nothing else handles its level.
default_handler = logging.StreamHandler(_WSGIErrorsStream())
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Erlen) -> logging.Logger:
    """``logging.getLogger(app.name)``, at DEBUG in debug mode when no level is set, with
    :data:`default_handler` added only when no handler covers the logger's level."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger

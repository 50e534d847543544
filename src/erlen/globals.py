"""The context-bound globals: ``current_app``, ``g``, ``request``, ``session``."""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from .local import LocalProxy

if t.TYPE_CHECKING:
    from .app import Erlen
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

_no_app_msg = """\
Working outside of application context: this code needs the current application \
(current_app, g, url_for outside a request, ...), but no application context is active.
Fix: run it inside a request, or push a context yourself:

    with app.app_context():
        ...

In tests, use `with app.app_context():` or make the call through `app.test_client()`."""

_no_req_msg = """\
Working outside of request context: this code needs the current request (request, \
session, ...), but no request is being handled.
Fix: call it from a view function or a request hook. In tests, build a request context:

    with app.test_request_context("/path"):
        ...

or make the call through `app.test_client()`."""

_cv_app: ContextVar[AppContext] = ContextVar("erlen.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("erlen.request_ctx")

app_ctx: AppContext = LocalProxy(  # type: ignore[assignment]
    _cv_app, unbound_message=_no_app_msg
)
current_app: Erlen = LocalProxy(  # type: ignore[assignment]
    _cv_app, "app", unbound_message=_no_app_msg
)
g: _AppCtxGlobals = LocalProxy(  # type: ignore[assignment]
    _cv_app, "g", unbound_message=_no_app_msg
)
request_ctx: RequestContext = LocalProxy(  # type: ignore[assignment]
    _cv_request, unbound_message=_no_req_msg
)
request: Request = LocalProxy(  # type: ignore[assignment]
    _cv_request, "request", unbound_message=_no_req_msg
)
session: SessionMixin = LocalProxy(  # type: ignore[assignment]
    _cv_request, "session", unbound_message=_no_req_msg
)

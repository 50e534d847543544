"""Application and request contexts, bound to context variables while they are active."""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import update_wrapper

from . import signals
from .exceptions import HTTPException
from .globals import _cv_app, _cv_request
from .utils import cached_property

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Erlen
    from .routing import MapAdapter
    from .sessions import SessionMixin
    from .wrappers import Request, Response

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])
_sentinel: t.Any = object()


class _AppCtxGlobals:
    """The ``g`` object: a plain namespace that lives as long as the application context."""

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    if t.TYPE_CHECKING:
        # So that type checkers accept ``g.user = ...`` as they do for Flask's ``g``; at run
        # time plain assignment already works. PERF: no real __setattr__ on every assignment.
        def __setattr__(self, name: str, value: t.Any) -> None: ...
        def __delattr__(self, name: str) -> None: ...

    def get(self, name: str, default: t.Any = None) -> t.Any:
        """Get an attribute, or ``default``."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove an attribute and return it (``default``, or KeyError, when absent)."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """Get an attribute, setting it to ``default`` first when absent."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)
        if ctx is not None:
            return f"<erlen.g of {ctx.app.name!r}>"
        return object.__repr__(self)


class AppContext:
    """Makes ``current_app`` and ``g`` available; pushed for every request and CLI command."""

    def __init__(self, app: Erlen) -> None:
        self.app = app
        self._cv_tokens: list[contextvars.Token[AppContext]] = []

    @cached_property
    def g(self) -> _AppCtxGlobals:
        """The namespace behind ``erlen.g``, made on first use (PERF: most requests never
        touch it)."""
        return self.app.app_ctx_globals_class()

    @cached_property
    def url_adapter(self) -> MapAdapter | None:
        """The URL adapter for building URLs outside a request (needs ``SERVER_NAME``)."""
        # PERF: made on first use; the request's own adapter serves url_for in a request.
        return self.app.create_url_adapter(None)

    def push(self) -> None:
        """Bind this context to the current thread or task."""
        self._cv_tokens.append(_cv_app.set(self))
        if signals.appcontext_pushed.receivers:
            try:
                signals.appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)
            except BaseException:
                # A failed push leaves nothing bound, so the thread's next request is clean.
                _cv_app.reset(self._cv_tokens.pop())
                raise

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        """Unbind this context, running the teardown functions when it is the last push."""
        ctx = _cv_app.get(None)
        if ctx is not self:
            # Checked first and nothing changed, so that the caller can still pop in order.
            raise AssertionError(f"Popped wrong application context ({ctx!r} instead of {self!r}).")
        try:
            if len(self._cv_tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            _cv_app.reset(self._cv_tokens.pop())
        if signals.appcontext_popped.receivers:
            signals.appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)


class RequestContext:
    """Everything about one request: the request, its session, the URL adapter, and the
    functions registered with :func:`after_this_request`.

    It is pushed when the request starts (pushing an application context too, unless one
    for the same app is already active) and popped when it ends. The object accepts
    arbitrary attributes.
    """

    #: The flashed messages of this request, once read (see :func:`~erlen.flash`).
    flashes: list[tuple[str, str]] | None = None
    _session: SessionMixin | None = None
    _url_adapter: MapAdapter | object | None = _sentinel  # not bound yet

    def __init__(
        self,
        app: Erlen,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
            request.json_module = app.json
        self.request: Request = request
        self._url_adapter = self._bind_url_adapter()
        if session is not None:
            self._session = session
        self._after_request_functions: list[t.Callable[[Response], Response]] = []
        self._cv_tokens: list[tuple[contextvars.Token[RequestContext], AppContext | None]] = []

    @classmethod
    def _unbound(cls, app: Erlen, environ: WSGIEnvironment) -> RequestContext:
        """A context whose URL adapter is made on first use (the plain path matches the
        usual request without one, see ``Erlen._match_without_adapter``)."""
        ctx = cls.__new__(cls)
        ctx.app = app
        ctx.request = request = app.request_class(environ)
        request.json_module = app.json
        ctx._after_request_functions = []
        ctx._cv_tokens = []
        return ctx

    def _bind_url_adapter(self) -> MapAdapter | None:
        try:
            return self.app.create_url_adapter(self.request)
        except HTTPException as e:  # a refused Host: routing raises it
            self.request.routing_exception = e
            return None

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to this request (``None`` when its Host was refused)."""
        adapter = self._url_adapter
        if adapter is _sentinel:
            adapter = self._url_adapter = self._bind_url_adapter()
        return adapter  # type: ignore[return-value]

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    @property
    def session(self) -> SessionMixin:
        """The session, opened on first use."""
        # PERF: the session is opened lazily, so a request that never touches it pays
        # nothing for cookie parsing and signature checks.
        session = self._session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._session = session
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._session = value

    def copy(self) -> RequestContext:
        """A new context for the same request and session, for use in another thread."""
        return self.__class__(
            self.app, environ=self.request.environ, request=self.request, session=self._session
        )

    def match_request(self) -> None:
        """Match the request's URL; a routing error is kept for the dispatcher to raise."""
        try:
            rule, view_args = self.url_adapter.match(return_rule=True)  # type: ignore[union-attr]
        except HTTPException as e:
            self.request.routing_exception = e
        else:
            self.request.url_rule = rule
            self.request.view_args = view_args

    def push(self) -> None:
        """Bind this context (and an application context, if needed) and match the URL."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        self._cv_tokens.append((_cv_request.set(self), app_ctx))
        if self.url_adapter is not None and self.request.url_rule is None:
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        """Unbind this context; the last pop runs the teardown functions and closes the request."""
        if not self._cv_tokens:
            # push() failed before binding anything (an appcontext_pushed receiver raised):
            # there is nothing to unbind, and the error that stopped it must surface as is.
            return
        clear_request = len(self._cv_tokens) == 1
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                self.request.close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            if clear_request:
                ctx.request.environ["erlen.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(f"Popped wrong request context ({ctx!r} instead of {self!r}).")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        req = self.request
        return f"<{type(self).__name__} {req.url!r} [{req.method}] of {self.app.name}>"


def has_request_context() -> bool:
    """Whether a request is being handled (``request`` and ``session`` work)."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """Whether an application context is active (``current_app`` and ``g`` work)."""
    return _cv_app.get(None) is not None


def after_this_request(f: _F) -> _F:
    """Run ``f(response)`` after this request, before the ``after_request`` functions."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "after_this_request() needs an active request: call it from a view or a"
            " before_request function."
        )
    ctx._after_request_functions.append(f)
    return f


def copy_current_request_context(f: _F) -> _F:
    """Decorate ``f`` so that it runs inside a copy of the current request context.

    Use it for work handed to another thread or greenlet that needs ``request``/``session``.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "copy_current_request_context() needs an active request: decorate the function"
            " inside a view, not at import time."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]

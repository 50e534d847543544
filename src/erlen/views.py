"""Class-based views: :class:`View` and the per-method :class:`MethodView`.

``app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))`` turns a class
into a view function; the rule's methods come from the class, so a method it does not
handle is answered 405 by the router.
"""

from __future__ import annotations

import inspect
import typing as t

from . import typing as ft
from .exceptions import MethodNotAllowed
from .globals import current_app, request

#: The methods a :class:`MethodView` looks for as lower-case handler names.
http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """Subclass and implement :meth:`dispatch_request`; register with :meth:`as_view`.

    Class attributes configure the generated view function: :attr:`methods`,
    :attr:`provide_automatic_options`, :attr:`decorators` (applied in order, the first one
    innermost) and :attr:`init_every_request`.
    """

    #: The methods of the rule (default: ``GET``, as for a function view).
    methods: t.ClassVar[t.Collection[str] | None] = None
    #: Whether the rule answers OPTIONS automatically (``None``: the app's default).
    provide_automatic_options: t.ClassVar[bool | None] = None
    #: Decorators applied to the generated view function, the first one innermost.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    #: Create an instance for every request (``True``, safe for ``self`` state) or one
    #: instance at :meth:`as_view` shared by all requests and threads (``False``, faster).
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self, *args: t.Any, **kwargs: t.Any) -> ft.ResponseReturnValue:
        """Answer the request; the URL values arrive as keyword arguments.

        (``*args, **kwargs`` so that an override may name its URL values, or take none.)
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement dispatch_request() (or derive from"
            " MethodView and define get(), post(), ...)."
        )

    @classmethod
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> ft.RouteCallable:
        """A view function for this class, named ``name`` (the default endpoint).

        ``class_args`` and ``class_kwargs`` go to the constructor. The function carries
        ``view_class``, ``methods`` and ``provide_automatic_options`` for ``add_url_rule``.
        """
        # PERF: whether dispatch_request is a coroutine function is decided here, once; a
        # sync one is called directly instead of through ensure_sync on every request.
        is_async = inspect.iscoroutinefunction(cls.dispatch_request)

        if cls.init_every_request:

            def view(**kwargs: t.Any) -> ft.ResponseReturnValue:
                instance = view.view_class(  # type: ignore[attr-defined]
                    *class_args, **class_kwargs
                )
                if is_async:
                    return current_app.ensure_sync(instance.dispatch_request)(**kwargs)  # type: ignore[no-any-return]
                return instance.dispatch_request(**kwargs)  # type: ignore[no-any-return]

        else:
            shared = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> ft.ResponseReturnValue:
                if is_async:
                    return current_app.ensure_sync(shared.dispatch_request)(**kwargs)  # type: ignore[no-any-return]
                return shared.dispatch_request(**kwargs)

        view.view_class = cls  # type: ignore[attr-defined]
        wrapped: t.Any = view
        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                wrapped = decorator(wrapped)
        # Set after decorating, so the result carries them even when a decorator dropped them.
        wrapped.view_class = cls
        wrapped.__name__ = name
        wrapped.__doc__ = cls.__doc__
        wrapped.__module__ = cls.__module__
        wrapped.methods = cls.methods
        wrapped.provide_automatic_options = cls.provide_automatic_options
        return t.cast(ft.RouteCallable, wrapped)


class MethodView(View):
    """A view that dispatches to the method named after the HTTP method (``get``, ``post``).

    :attr:`methods` is worked out from the handlers a class defines or inherits, so the
    router answers 405 for the others. ``HEAD`` falls back to ``get``.
    """

    # PERF: the names of the handlers that are coroutine functions, per class.
    _async_handlers: t.ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods: set[str] = set()
            for base in cls.__bases__:
                base_methods = getattr(base, "methods", None)
                if base_methods:
                    methods.update(base_methods)
            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())
            if methods:
                cls.methods = methods
        cls._async_handlers = frozenset(
            key for key in http_method_funcs if inspect.iscoroutinefunction(getattr(cls, key, None))
        )

    def dispatch_request(self, **kwargs: t.Any) -> ft.ResponseReturnValue:
        """Call the handler for the request's method (``head`` falls back to ``get``)."""
        key = request.method.lower()
        handler = getattr(self, key, None)
        if handler is None and key == "head":
            key = "get"
            handler = getattr(self, key, None)
        if handler is None:
            # Reached only when ``methods`` lists a method the class has no handler for.
            allowed = sorted(name.upper() for name in http_method_funcs if hasattr(self, name))
            raise MethodNotAllowed(
                valid_methods=allowed,
                description=(f"{type(self).__name__} has no {key}() handler for {request.method}."),
            )
        if key in self._async_handlers:
            return current_app.ensure_sync(handler)(**kwargs)  # type: ignore[no-any-return]
        return handler(**kwargs)  # type: ignore[no-any-return]

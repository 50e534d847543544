"""Mount WSGI applications under path prefixes."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class DispatcherMiddleware:
    """Send each request to the application mounted at the longest matching prefix.

    ``DispatcherMiddleware(frontend, {"/api": api_app})`` sends ``/api/users`` to ``api_app``
    with ``SCRIPT_NAME`` extended by ``/api`` and ``PATH_INFO`` ``/users``; anything else goes
    to ``frontend``. Prefixes match whole path segments only (``/apiary`` is not under ``/api``).
    """

    def __init__(
        self, app: WSGIApplication, mounts: t.Mapping[str, WSGIApplication] | None = None
    ) -> None:
        self.app = app
        self.mounts: dict[str, WSGIApplication] = {
            "/" + prefix.strip("/"): mounted for prefix, mounted in (mounts or {}).items()
        }

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or ""
        prefix = path
        rest = ""
        app = self.app
        while prefix:
            mounted = self.mounts.get(prefix)
            if mounted is not None:
                app = mounted
                break
            prefix, sep, last = prefix.rpartition("/")
            rest = f"/{last}{rest}" if sep else rest
        else:
            prefix = ""
            rest = path
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        environ["PATH_INFO"] = rest
        return app(environ, start_response)

"""Functions used inside views: ``url_for``, ``redirect``, ``abort``, ``flash``, ..."""

from __future__ import annotations

import mimetypes
import os
import typing as t
from functools import update_wrapper

from .globals import _cv_app, _cv_request, current_app, request_ctx

if t.TYPE_CHECKING:
    from .wrappers import Response
    from .wrappers import Response as _ResponseClass

_G = t.TypeVar("_G", bound=t.Iterator[t.Any])


def get_debug_flag() -> bool:
    """Debug mode from ``ERLEN_DEBUG`` (or ``FLASK_DEBUG``)."""
    from .app import get_debug_flag as flag

    return flag()


def get_load_dotenv(default: bool = True) -> bool:
    """Whether to load ``.env`` files: not when ``ERLEN_SKIP_DOTENV`` (or FLASK_) is set."""
    value = os.environ.get("ERLEN_SKIP_DOTENV") or os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in ("0", "false", "no")


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Build the URL of ``endpoint`` with ``values`` for its variables.

    Values the rule does not use become the query string. ``.name`` is relative to the
    current blueprint. Inside a request the URL is relative unless ``_external``; outside
    one it is absolute and needs ``SERVER_NAME``.
    """
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(
    location: str, code: int = 302, Response: type[_ResponseClass] | None = None
) -> _ResponseClass:
    """A redirect response (through ``app.redirect`` when an application is active)."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.redirect(location, code=code)
    from .utils import redirect as _redirect

    return t.cast("_ResponseClass", _redirect(location, code=code, Response=Response))


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error for ``code`` (through ``app.aborter`` when an app is active)."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    from .exceptions import abort as _abort

    _abort(code, *args, **kwargs)


def make_response(*args: t.Any) -> Response:
    """Turn view-style return values into a response, to add headers inside a view:
    ``resp = make_response(render_template(...), 200)``."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def stream_with_context(generator_or_function: t.Any) -> t.Any:
    """Keep the request context alive while a streamed response is generated.

    Wrap a generator (or decorate a generator function); the context is pushed around each
    step and popped when the generator finishes or is closed (for example when the client
    disconnects), so teardown still runs.
    """
    try:
        gen = iter(generator_or_function)
    except TypeError:

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(generator_or_function(*args, **kwargs))

        return update_wrapper(decorator, generator_or_function)

    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "stream_with_context() needs an active request: use it inside a view, on the"
            " generator the view returns."
        )
    app_ctx = _cv_app.get()

    def generator() -> t.Iterator[t.Any]:
        # The view's contexts are popped when it returns; re-push them for the stream's
        # lifetime so request, session and g keep working, and pop them at the end.
        with app_ctx, ctx:
            yield None  # primed below, inside the view's contexts
            try:
                yield from gen
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()

    wrapped = generator()
    next(wrapped)
    return wrapped


def flash(message: str, category: str = "message") -> None:
    """Store a message in the session for the next request (``get_flashed_messages``)."""
    from .signals import message_flashed

    session = request_ctx.session
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """The flashed messages, taken from the session once per request (later calls in the same
    request return the same list)."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    flashes = ctx.flashes
    if flashes is None:
        flashes = ctx.session.pop("_flashes") if "_flashes" in ctx.session else []
        ctx.flashes = flashes
    if category_filter:
        wanted = set(category_filter)
        flashes = [f for f in flashes if f[0] in wanted]
    if not with_categories:
        return [x[1] for x in flashes]
    return [tuple(x) for x in flashes]


def send_from_directory(
    directory: str | os.PathLike[str], path: str | os.PathLike[str], **kwargs: t.Any
) -> Response:
    """Serve ``path`` from ``directory``; a path that escapes it, or is missing, gives 404."""
    from .exceptions import NotFound
    from .security import safe_join

    full = safe_join(os.fspath(directory), os.fspath(path))
    if full is None or not os.path.isfile(full):
        raise NotFound()
    return send_file(full, **kwargs)


def send_file(
    path_or_file: str | os.PathLike[str] | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: int | None = None,
) -> Response:
    """Send a file (a path or a binary file object) as the response body, in chunks."""
    from urllib.parse import quote

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if isinstance(path_or_file, str | os.PathLike):
        path = os.fspath(path_or_file)
        file: t.IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed with the response
        size: int | None = os.fstat(file.fileno()).st_size
        if download_name is None:
            download_name = os.path.basename(path)
    else:
        file = path_or_file
        size = None
        if mimetype is None and download_name is None:
            raise TypeError(
                "send_file() with a file object needs mimetype= or download_name= to know the"
                " content type."
            )
    if mimetype is None:
        mimetype = mimetypes.guess_type(download_name or "")[0] or "application/octet-stream"
    environ = request_ctx.request.environ
    wrapper = environ.get("wsgi.file_wrapper")
    body: t.Any = wrapper(file, 8192) if wrapper is not None else _iter_file(file)
    rv: Response = app.response_class(body, mimetype=mimetype, direct_passthrough=True)
    if size is not None:
        rv.headers["Content-Length"] = str(size)
    if as_attachment and download_name is not None:
        try:
            download_name.encode("ascii")
            disposition = f'attachment; filename="{download_name}"'
        except UnicodeEncodeError:
            disposition = f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        rv.headers["Content-Disposition"] = disposition
    rv.cache_control.no_cache = max_age is None
    if max_age is not None:
        rv.cache_control.max_age = max_age
        rv.cache_control.public = True
    if hasattr(body, "close"):
        rv.call_on_close(file.close)
    return rv


def _iter_file(file: t.IO[bytes], chunk_size: int = 8192) -> t.Iterator[bytes]:
    try:
        while chunk := file.read(chunk_size):
            yield chunk
    finally:
        file.close()

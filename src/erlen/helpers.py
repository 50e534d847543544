"""Functions used inside views: ``url_for``, ``redirect``, ``abort``, ``flash``, ..."""

from __future__ import annotations

import contextvars
import functools
import io
import mimetypes
import os
import stat
import time
import typing as t
import unicodedata
import zlib
from datetime import datetime
from functools import update_wrapper
from urllib.parse import quote

from .exceptions import NotFound
from .exceptions import abort as _abort
from .globals import _cv_app, _cv_request, _no_app_msg, _no_req_msg, current_app, request_ctx
from .http import http_date, quote_header_value
from .security import _POSIX, safe_join
from .signals import message_flashed
from .wrappers._conditional import answers_not_modified
from .wrappers.response import Response as _PlainResponse

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

    Wrap a generator (or decorate a generator function). Each step runs with ``request``,
    ``session`` and ``g`` of the view that made it; the contexts are torn down when the
    generator finishes or is closed (for example when the client disconnects), or, if the
    server abandons it, when it is garbage collected.
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
    # The stream's steps run in a private copy of the view's context variables, never in
    # the worker thread's own: a stream the server abandons (client gone) and that is
    # collected later, maybe on another thread, cannot leave a context current on the
    # worker, where the next request would reuse its app context and ``g``
    # (pallets/flask#6123).
    step_context = contextvars.copy_context()
    # Hold both contexts open past the view's own pop: one more push each, made in the
    # private copy and kept *under* the view's push, so that the view's pop (in the worker's
    # context) takes its own token and the teardown waits for the stream's end.
    step_context.run(app_ctx.push)
    step_context.run(ctx.push)
    app_ctx._cv_tokens.insert(0, app_ctx._cv_tokens.pop())
    ctx._cv_tokens.insert(0, ctx._cv_tokens.pop())

    def release(error: BaseException | None) -> None:
        # Back on top, so that these pops take the stream's own tokens; the last pop of
        # each context runs its teardown here, with the stream's error (if any).
        ctx._cv_tokens.append(ctx._cv_tokens.pop(0))
        app_ctx._cv_tokens.append(app_ctx._cv_tokens.pop(0))
        try:
            close = getattr(gen, "close", None)
            if close is not None:
                close()
        finally:
            try:
                ctx.pop(error)
            finally:
                app_ctx.pop(error)

    def generator() -> t.Iterator[t.Any]:
        error: BaseException | None = None
        try:
            yield None  # primed below: from here on, close() or collection releases
            while True:
                try:
                    chunk = step_context.run(next, gen)
                except StopIteration:
                    return
                yield chunk
        except BaseException as e:
            error = e
            raise
        finally:
            step_context.run(release, error)

    wrapped = generator()
    next(wrapped)
    return wrapped


def flash(message: str, category: str = "message") -> None:
    """Store a message in the session for the next request (``get_flashed_messages``)."""
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
    """Serve ``path`` (untrusted, for example from the URL) from ``directory``.

    The path is joined with :func:`~erlen.security.safe_join`: ``..``, absolute paths, drive
    letters, backslashes, NUL bytes and Windows device names give 404, as does a missing file
    or a folder. ``kwargs`` go to :func:`send_file`.
    """
    directory = os.fspath(directory)
    # PERF: the static folder is already absolute; on POSIX that is a "/" test, no call.
    if not (directory.startswith("/") if _POSIX else os.path.isabs(directory)):
        directory = os.path.join(current_app.root_path, directory)
    full = safe_join(directory, os.fspath(path))
    if full is None:
        raise NotFound()
    try:
        st = os.stat(full)
    except (OSError, ValueError):
        raise NotFound() from None
    if not stat.S_ISREG(st.st_mode):
        raise NotFound()
    # PERF: the stat made for the check is reused, not repeated.
    return send_file(_CheckedPath(full, st), **kwargs)


class _CheckedPath(os.PathLike[str]):
    """An absolute path with the ``os.stat`` result it was checked with, so that
    :func:`send_file` does not stat the file again."""

    __slots__ = ("path", "st")

    def __init__(self, path: str, st: os.stat_result) -> None:
        self.path = path
        self.st = st

    def __fspath__(self) -> str:
        return self.path


#: The size of the chunks a file is read in when the server offers no ``wsgi.file_wrapper``.
FILE_CHUNK_SIZE = 64 * 1024


def send_file(
    path_or_file: str | os.PathLike[str] | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: int | t.Callable[[str | None], int | None] | None = None,
) -> Response:
    """Send a file as the response, streamed in chunks (never read whole).

    ``path_or_file`` is a path (relative paths are relative to the app's ``root_path``;
    never pass an untrusted one, use :func:`send_from_directory`) or a binary file object.
    The content type is guessed from ``download_name`` (default: the file's name); a file
    object needs ``mimetype`` or ``download_name``. ``download_name`` is sent in
    Content-Disposition (``attachment`` with ``as_attachment``, else ``inline``), with an
    RFC 5987 ``filename*`` for non-ASCII names. With ``conditional``, the request's
    If-None-Match, If-Modified-Since and Range headers give 304, 206 or 416. ``max_age``
    (seconds, or a function of the path; default ``app.get_send_file_max_age``) sets
    Cache-Control; None means ``no-cache`` (revalidate with the ETag). With
    ``USE_X_SENDFILE`` the server sends the file named in the ``X-Sendfile`` header.
    """
    # PERF: the context variables themselves, not the proxies (~1 µs each on this path).
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        raise RuntimeError(_no_app_msg)
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(_no_req_msg)
    app = app_ctx.app
    req = ctx.request
    path: str | None = None
    size: int | None = None
    mtime: float | None = None
    file: t.IO[bytes] | None = None
    st: os.stat_result | None = None
    if type(path_or_file) is _CheckedPath:
        # PERF: send_from_directory's path, absolute and stat'ed already. A type test, as
        # isinstance() against os.PathLike (an ABC) runs Python code.
        path, st = path_or_file.path, path_or_file.st
    elif isinstance(path_or_file, str | os.PathLike):
        path = os.fspath(path_or_file)
        if not os.path.isabs(path):
            path = os.path.join(app.root_path, path)
        st = os.stat(path)
    else:
        file = path_or_file
        if isinstance(t.cast(object, file), io.TextIOBase):
            raise TypeError(
                "send_file() needs a binary file: open it with 'rb', or wrap text in"
                " io.BytesIO(text.encode())."
            )
        size = _file_size(file)
    if st is not None:
        size, mtime = st.st_size, st.st_mtime
    if download_name is None and path is not None:
        download_name = os.path.basename(path)
    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "send_file() with a file object needs mimetype= or download_name= to know the"
                " content type."
            )
        mimetype = _guess_mimetype(download_name)
    if as_attachment and download_name is None:
        raise TypeError("send_file(as_attachment=True) needs download_name= for a file object.")

    use_x_sendfile = path is not None and bool(app.config["USE_X_SENDFILE"])
    body: t.Any
    lazy: _LazyFile | None = None
    if use_x_sendfile:
        body = []
    else:
        if file is None:
            # PERF: opened once the conditions are checked, so a 304 never opens it (an
            # open and close cost ~10 µs, ten times the rest of the answer).
            lazy = _LazyFile(t.cast(str, path))
        source: t.Any = file if lazy is None else lazy
        wrapper = req.environ.get("wsgi.file_wrapper")
        # PERF: the server's file wrapper may use sendfile(2); otherwise read in chunks.
        body = wrapper(source, FILE_CHUNK_SIZE) if wrapper is not None else _FileIter(source)
    # PERF: the values below are built here from trusted parts (numbers, dates, a sanitised
    # file name), so they are appended without Headers' per-item checks and lookups.
    if last_modified is None:
        last_modified = mtime
    validators: list[tuple[str, str]] = []
    if last_modified is not None:
        validators.append(("Last-Modified", http_date(last_modified)))
    file_etag: str | None = None
    if not isinstance(etag, str) and etag and path is not None and mtime is not None:
        file_etag = _file_etag(path, mtime, t.cast(int, size))
        validators.append(("ETag", f'"{file_etag}"'))
    if max_age is None:
        max_age = app.get_send_file_max_age
    if callable(max_age):
        max_age = max_age(path)
    if max_age is not None and max_age > 0:
        validators.append(("Cache-Control", f"public, max-age={int(max_age)}"))
        validators.append(("Expires", http_date(time.time() + max_age)))
    else:
        validators.append(("Cache-Control", "no-cache"))

    if (
        conditional
        and file is None
        and not use_x_sendfile
        and not isinstance(etag, str)
        and app.response_class is _PlainResponse
        and answers_not_modified(
            req.environ, file_etag, validators[0][1] if last_modified is not None else None
        )
    ):
        # PERF: a revalidation that gets a 304 (most requests for a cached asset) is
        # answered with the headers make_conditional would keep, without building the 200
        # it would then strip; tests/test_static.py holds the two paths to the same bytes.
        validators.append(("Date", http_date()))
        validators.append(("Accept-Ranges", "bytes"))
        return _PlainResponse._prebuilt(304, validators, body)

    rv: Response = app.response_class(body, mimetype=mimetype, direct_passthrough=True)
    headers = rv.headers
    add = headers._list.append
    if use_x_sendfile:
        headers["X-Sendfile"] = t.cast(str, path)  # checked: a path may hold anything
    if size is not None:
        add(("Content-Length", str(size)))
    if download_name is not None:
        kind = "attachment" if as_attachment else "inline"
        add(("Content-Disposition", content_disposition(kind, download_name)))
    if isinstance(etag, str):
        # A given tag goes where the computed one would, after Last-Modified.
        before = 1 if last_modified is not None else 0
        headers._list.extend(validators[:before])
        rv.set_etag(etag)
        headers._list.extend(validators[before:])
    else:
        headers._list.extend(validators)

    if conditional:
        try:
            rv.make_conditional(req, accept_ranges=not use_x_sendfile, complete_length=size)
        except BaseException:
            rv.close()  # a 416 is raised: do not leak the open file
            raise
    if lazy is not None and 200 <= rv.status_code < 300:
        lazy.open()  # a file that cannot be opened is an error now, before any header is sent
    return rv


class _LazyFile:
    """A binary file that is opened on first use; until then ``close()`` does nothing.

    It stands for the file in :func:`send_file`'s body and in a server's
    ``wsgi.file_wrapper``, which may also ask for ``fileno()`` or ``seek()``.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: t.IO[bytes] | None = None
        self.closed = False

    def open(self) -> t.IO[bytes]:
        """The open file (opened now, the first time)."""
        file = self._file
        if file is None:
            if self.closed:
                raise ValueError("I/O operation on closed file.")
            file = self._file = open(self.path, "rb")  # noqa: SIM115 - closed with the response
        return file

    def read(self, size: int = -1) -> bytes:
        """Read from the file."""
        return self.open().read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move in the file."""
        return self.open().seek(offset, whence)

    def seekable(self) -> bool:
        """Always true: it is a regular file."""
        return True

    def close(self) -> None:
        """Close the file if it was opened."""
        self.closed = True
        if self._file is not None:
            self._file.close()

    def __getattr__(self, name: str) -> t.Any:
        # fileno, tell, readinto, ...: whatever a server's file wrapper asks of the file.
        return getattr(self.open(), name)


def content_disposition(kind: str, filename: str) -> str:
    """A Content-Disposition value naming ``filename`` (RFC 6266).

    An ASCII name is sent as ``filename``; any other gets an ASCII fallback in ``filename``
    and the exact name, UTF-8 and percent-encoded, in ``filename*`` (RFC 5987). Control
    characters never reach the header.
    """
    if filename.isascii() and filename.isprintable():
        return f"{kind}; filename={quote_header_value(filename, allow_token=False)}"
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in fallback if c.isprintable()) or "download"
    encoded = quote(filename, safe="!#$&+-.^_`|~")
    quoted = quote_header_value(fallback, allow_token=False)
    return f"{kind}; filename={quoted}; filename*=UTF-8''{encoded}"


@functools.lru_cache(maxsize=512)
def _guess_mimetype(name: str) -> str:
    # PERF: a site serves a bounded set of file names; guess_type costs several µs each.
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _file_size(file: t.IO[bytes]) -> int | None:
    """The bytes left in a file object, when that can be known without reading it."""
    getbuffer = getattr(file, "getbuffer", None)
    try:
        if getbuffer is not None:
            return int(getbuffer().nbytes) - file.tell()
        st = os.fstat(file.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or file.tell() != 0:
        return None
    return st.st_size


def _file_etag(path: str, mtime: float, size: int) -> str:
    """A validator that changes when the file is modified or replaced."""
    checksum = zlib.adler32(path.encode("utf-8", "surrogateescape")) & 0xFFFFFFFF
    return f"{int(mtime * 1000):x}-{size:x}-{checksum:x}"


class _FileIter:
    """A file as a body iterable, read in chunks; ``filelike`` lets a Range seek in it."""

    def __init__(self, filelike: t.IO[bytes], chunk_size: int = FILE_CHUNK_SIZE) -> None:
        self.filelike = filelike
        self.chunk_size = chunk_size

    def __iter__(self) -> t.Iterator[bytes]:
        file = self.filelike
        # PERF: the open file's own read, not the _LazyFile's, for each chunk.
        read = file.open().read if isinstance(file, _LazyFile) else file.read
        size = self.chunk_size
        while chunk := read(size):
            yield chunk

    def close(self) -> None:
        """Close the file."""
        self.filelike.close()


# Where Flask users import them from; defined with the concepts they belong to.
from .scaffold import get_root_path as get_root_path  # noqa: E402
from .templating import get_template_attribute as get_template_attribute  # noqa: E402

"""Small utilities that Flask applications import from ``werkzeug.utils``."""

from __future__ import annotations

import typing as t
from html import escape

_T = t.TypeVar("_T")
_missing: t.Any = object()


class cached_property(t.Generic[_T]):
    """A property computed on first access and then stored in the instance ``__dict__``.

    It is a non-data descriptor: once the value is cached, attribute lookup finds it in the
    instance dictionary and this descriptor is never consulted again, so later reads cost
    nothing. Assigning to the attribute replaces the cached value, and deleting it makes the
    next access compute it afresh.
    """

    # PERF: no lock (unlike functools.cached_property on Python 3.11); a request object is
    # used by one thread, and a race at worst computes the same value twice.

    def __init__(self, fget: t.Callable[[t.Any], _T], name: str | None = None) -> None:
        self.fget = fget
        self.__name__ = name or fget.__name__
        self.__doc__ = fget.__doc__
        self.__module__ = fget.__module__

    def __set_name__(self, owner: type[t.Any], name: str) -> None:
        self.__name__ = name

    @t.overload
    def __get__(self, obj: None, owner: type[t.Any] | None = None) -> cached_property[_T]: ...

    @t.overload
    def __get__(self, obj: object, owner: type[t.Any] | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        value = self.fget(obj)
        obj.__dict__[self.__name__] = value
        return value


def redirect(location: str, code: int = 302, Response: type[t.Any] | None = None) -> t.Any:
    """A response that redirects the client to ``location`` (302 by default).

    The Location header is kept as given (relative URLs are fine, RFC 9110 10.2.2); a value
    with CR or LF is refused. The small HTML body links to the target for old clients.
    """
    response_class: type[t.Any]
    if Response is not None:
        response_class = Response
    else:
        from .wrappers import Response as response_class

    if "\r" in location or "\n" in location:
        raise ValueError("A redirect location must not contain newline characters.")
    shown = escape(location)
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        f'<p>You should be redirected to <a href="{shown}">{shown}</a>.'
        " If not, follow the link.</p>\n"
    )
    response = response_class(body, code, mimetype="text/html")
    response.headers["Location"] = _iri_to_uri(location)
    return response


def append_slash_redirect(environ: t.Mapping[str, t.Any], code: int = 308) -> t.Any:
    """A redirect to the request's path with a ``/`` added, keeping the query string.

    The Location is relative to the current URL (``name/`` for ``/a/name``), so it can never
    point at another host, whatever the path holds.
    """
    from urllib.parse import quote

    tail = str(environ.get("PATH_INFO", "")).rpartition("/")[2]
    location = f"{quote(tail, safe='')}/" if tail else "./"
    query = environ.get("QUERY_STRING")
    if query:
        location = f"{location}?{query}"
    return redirect(location, code)


def get_content_type(mimetype: str, charset: str = "utf-8") -> str:
    """``mimetype`` with ``; charset=...`` added for text types (``text/*``, XML, JavaScript)."""
    from .wrappers.response import get_content_type as content_type

    return content_type(mimetype, charset)


def _iri_to_uri(location: str) -> str:
    """Percent-encode the characters a Location header cannot carry (non-ASCII, spaces)."""
    if location.isascii() and " " not in location:
        return location
    from urllib.parse import quote

    return quote(location, safe="/:?#[]@!$&'()*+,;=%~")


def import_string(import_name: str, silent: bool = False) -> t.Any:
    """Import an object from its dotted path: ``"pkg.module.Name"`` or ``"pkg.module:Name"``.

    A plain module path returns the module. After a colon, dots walk attributes
    (``"pkg.mod:Class.attr"``). A name that cannot be imported raises :exc:`ImportError`
    saying why, or returns ``None`` with ``silent=True``.
    """
    import importlib

    name = import_name.strip()
    try:
        if not name or name.startswith((".", ":")) or name.endswith((".", ":")):
            raise ImportError("expected an absolute path such as 'package.module:name'")
        module_name, colon, attrs = name.partition(":")
        if colon:
            obj: t.Any = importlib.import_module(module_name)
            for attr in attrs.split("."):
                obj = getattr(obj, attr)
            return obj
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as e:
            # Only "this very path is not a module" means "try the last part as an
            # attribute"; a module that fails to import something else must surface that.
            if e.name != name or "." not in name:
                raise
        module_name, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as e:
        if silent:
            return None
        raise ImportError(
            f"Cannot import {import_name!r}: {e}. Check the spelling, and that the module is"
            " importable from the current directory or sys.path."
        ) from e


_WINDOWS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
)
_FILENAME_KEEP = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def secure_filename(filename: str) -> str:
    """Turn an uploaded file's name into one that is safe to store on any file system.

    Accents are dropped (``é`` → ``e``), path separators and whitespace become ``_``, every
    other character outside ``A-Z a-z 0-9 _ . -`` is removed, and leading or trailing dots and
    underscores are stripped, so the result can never be a path, a hidden file or ``..``.
    A Windows device name (``CON``, ``nul.txt``) gets a ``_`` prefix on every platform. The
    result may be empty: choose a name yourself then.
    """
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    for separator in ("/", "\\"):
        ascii_name = ascii_name.replace(separator, " ")
    joined = "_".join(ascii_name.split())
    cleaned = "".join(ch for ch in joined if ch in _FILENAME_KEEP).strip("._")
    if cleaned and cleaned.split(".")[0].upper() in _WINDOWS_DEVICE_NAMES:
        cleaned = f"_{cleaned}"
    return cleaned

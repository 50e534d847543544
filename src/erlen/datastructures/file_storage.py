"""``FileStorage``: a file uploaded in a multipart body."""

from __future__ import annotations

import os
import shutil
import typing as t
from io import BytesIO

from .headers import Headers

if t.TYPE_CHECKING:
    pass


class FileStorage:
    """An uploaded file: a stream plus the part's filename, field name and headers.

    Reading methods (``read``, ``readline``, ``seek``, ...) are those of the stream.
    """

    def __init__(
        self,
        stream: t.IO[bytes] | None = None,
        filename: str | os.PathLike[str] | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.name = name
        self.stream: t.IO[bytes] = stream if stream is not None else BytesIO()
        if filename is None:
            filename = getattr(stream, "name", None)
            if isinstance(filename, bytes):
                filename = filename.decode("utf-8", "replace")
            # Names like "<stdin>" describe the stream, not a file.
            if not isinstance(filename, str) or (filename[:1] == "<" and filename[-1:] == ">"):
                filename = None
        self.filename: str | None = None if filename is None else os.fspath(filename)
        self.headers = headers if headers is not None else Headers()
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        if content_length is not None:
            self.headers["Content-Length"] = str(content_length)

    @property
    def content_type(self) -> str | None:
        """The part's Content-Type header."""
        return self.headers.get("Content-Type")

    @property
    def content_length(self) -> int:
        """The part's Content-Length header (0 when absent or invalid)."""
        value = self.headers.get("Content-Length", "")
        return int(value) if value.isascii() and value.isdecimal() else 0

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased."""
        return http.parse_options_header(self.content_type or "")[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type's parameters."""
        return http.parse_options_header(self.content_type or "")[1]

    def save(self, dst: str | os.PathLike[str] | t.IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the stream to a path or a binary file object (which is left open)."""
        if isinstance(dst, str | os.PathLike):
            with open(dst, "wb") as f:
                shutil.copyfileobj(self.stream, f, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        """Close the stream (errors from an already-closed stream are ignored)."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> t.Any:
        if name == "stream":  # not set yet: avoid recursing while __init__ runs
            raise AttributeError(name)
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # A SpooledTemporaryFile keeps some methods on the file it wraps.
            inner = getattr(self.stream, "_file", None)
            if inner is None:
                raise
            return getattr(inner, name)

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

"""Form bodies: ``application/x-www-form-urlencoded`` and ``multipart/form-data``, with limits.

:class:`FormDataParser` turns a body into ``(stream, form, files)``. Multipart bodies are
streamed through the ``multipart`` package's push parser (pure Python, linear on any input)
in 64 KiB reads: non-file fields are collected in memory up to ``max_form_memory_size`` each,
files go to the stream factory's objects, which keep small uploads in memory and spool large
ones to a temporary file. Every limit gives a 413 naming the setting that was exceeded; a
malformed body gives a 400 saying what is wrong with it, and anything opened for a body that
fails is closed before the error is raised.
"""

from __future__ import annotations

import tempfile
import typing as t
from io import BytesIO

from .datastructures import FileStorage, Headers, ImmutableMultiDict, MultiDict
from .exceptions import BadRequest, RequestEntityTooLarge
from .http import parse_options_header
from .urls import decode_multi
from .wsgi import get_content_length, get_input_stream

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "DebugFilesKeyError",
    "FormDataParser",
    "default_stream_factory",
    "parse_form_data",
]

#: Uploads up to this size stay in memory; larger ones are written to a temporary file
#: (1 MiB, as Starlette's UploadFile; Werkzeug spools past 500 KiB).
SPOOL_SIZE = 1024 * 1024
#: How much of the body is read at a time while parsing multipart.
CHUNK_SIZE = 64 * 1024

_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# RFC 2046, 5.1.1: a boundary is 1 to 70 of these characters, the last not a space. Up to 200
# are accepted, as some clients make longer ones.
_BOUNDARY_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
)

_StreamFactory = t.Callable[..., t.IO[bytes]]
_Result = tuple[t.IO[bytes], MultiDict[str, str], MultiDict[str, FileStorage]]


def default_stream_factory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> t.IO[bytes]:
    """Where an uploaded file's bytes go: memory when it is small, else a spooled temp file.

    The parser passes the upload's size as ``content_length`` when it has the whole upload
    in memory already (at most :data:`SPOOL_SIZE`), and the part's Content-Length header,
    if any, otherwise.

    A :class:`tempfile.SpooledTemporaryFile` stays in memory until :data:`SPOOL_SIZE` bytes
    have been written, then moves to an anonymous temporary file, which disappears when it
    is closed (the request closes its files when it ends).
    """
    # PERF: a file known to be small (or in a small body) needs no spooling wrapper.
    if (content_length is not None and content_length <= SPOOL_SIZE) or (
        total_content_length is not None and total_content_length <= SPOOL_SIZE
    ):
        return BytesIO()
    return t.cast(t.IO[bytes], tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE, mode="rb+"))


class FormDataParser:
    """Parse form bodies into ``(stream, form, files)``, enforcing the form limits.

    ``stream_factory(total_content_length=, content_type=, filename=, content_length=)``
    returns a writable binary file for each upload (default: :func:`default_stream_factory`).
    ``max_form_memory_size`` bounds an urlencoded body and each non-file multipart field,
    ``max_form_parts`` the number of fields and files, ``max_content_length`` the body when
    parsing from an environ; each excess is a 413. A malformed body is a 400 unless
    ``silent``, in which case it gives empty ``form`` and ``files`` (limits still raise).
    Unlike Werkzeug's parser, ``silent`` is off by default.
    """

    #: How many bytes of a multipart body are read at a time.
    chunk_size = CHUNK_SIZE
    #: The longest header line accepted in a multipart part, and how many header lines.
    max_part_header_size = 4096 + 128
    max_part_header_count = 8

    def __init__(
        self,
        stream_factory: _StreamFactory | None = None,
        max_form_memory_size: int | None = None,
        max_content_length: int | None = None,
        cls: type[MultiDict[str, t.Any]] | None = None,
        silent: bool = False,
        *,
        max_form_parts: int | None = None,
    ) -> None:
        self.stream_factory: _StreamFactory = (
            stream_factory if stream_factory is not None else default_stream_factory
        )
        self.max_form_memory_size = max_form_memory_size
        self.max_content_length = max_content_length
        self.max_form_parts = max_form_parts
        self.cls: type[MultiDict[str, t.Any]] = cls if cls is not None else ImmutableMultiDict
        self.silent = silent

    def parse_from_environ(self, environ: WSGIEnvironment) -> _Result:
        """Parse the body of a WSGI environ (bounded by Content-Length and the limits)."""
        stream = get_input_stream(environ, max_content_length=self.max_content_length)
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        return self.parse(stream, mimetype.lower(), get_content_length(environ), options)

    def parse(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> _Result:
        """Parse ``stream`` as ``mimetype``; other types give empty results, stream unread."""
        try:
            if mimetype == _URLENCODED:
                return self._parse_urlencoded(stream, content_length)
            if mimetype == _MULTIPART:
                return self._parse_multipart(stream, content_length, options or {})
        except RequestEntityTooLarge:
            raise
        except BadRequest:
            if not self.silent:
                raise
        return stream, self.cls(), self.cls()

    # -- urlencoded ------------------------------------------------------------------------------
    def _parse_urlencoded(self, stream: t.IO[bytes], content_length: int | None) -> _Result:
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge(_memory_message(limit, "The form data"))
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestEntityTooLarge(_memory_message(limit, "The form data"))
        form = decode_multi(data.decode("latin-1"), self.cls, self.max_form_parts)
        return stream, form, self.cls()

    # -- multipart -------------------------------------------------------------------------------
    def _parse_multipart(
        self, stream: t.IO[bytes], content_length: int | None, options: dict[str, str]
    ) -> _Result:
        boundary = options.get("boundary", "")
        if not boundary:
            raise BadRequest(
                "The multipart/form-data body cannot be read: its Content-Type header has no"
                " 'boundary' parameter."
            )
        if len(boundary) > 200 or boundary[-1] == " " or not _BOUNDARY_CHARS.issuperset(boundary):
            raise BadRequest(
                "The multipart/form-data body cannot be read: the boundary in its"
                " Content-Type header is not valid (RFC 2046: 1 to 70 letters, digits or"
                " '()+_,-./:=? characters)."
            )
        first = stream.read(self.chunk_size)
        if not first:  # no body at all is an empty form, not a malformed one
            return stream, self.cls(), self.cls()
        # PERF: the parser module is imported on the first multipart body, not at start-up.
        import multipart  # type: ignore[import-untyped]

        parser = multipart.PushMultipartParser(
            boundary,
            max_header_size=self.max_part_header_size,
            max_header_count=self.max_part_header_count,
        )
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        opened: list[t.IO[bytes]] = []
        try:
            self._feed(parser, stream, first, content_length, fields, files, opened)
        except multipart.ParserLimitReached as e:
            _close_all(opened)
            raise RequestEntityTooLarge(
                f"A part of the multipart/form-data body has headers beyond the limits"
                f" ({self.max_part_header_count} lines of {self.max_part_header_size} bytes):"
                f" {e}."
            ) from None
        except multipart.MultipartError as e:
            _close_all(opened)
            raise BadRequest(f"The multipart/form-data body is malformed: {e}.") from None
        except BaseException:
            _close_all(opened)
            raise
        return stream, self.cls(fields), self.cls(files)

    def _feed(
        self,
        parser: t.Any,
        stream: t.IO[bytes],
        chunk: bytes,
        content_length: int | None,
        fields: list[tuple[str, str]],
        files: list[tuple[str, FileStorage]],
        opened: list[t.IO[bytes]],
    ) -> None:
        """Push the body through ``parser`` and collect its parts.

        A part's bytes are gathered in ``buffer``; a file's are handed to the stream factory
        once the part ends, or as soon as it grows past :data:`SPOOL_SIZE` (from then on
        they are written straight to the factory's file).
        """
        max_parts = self.max_form_parts
        max_memory = self.max_form_memory_size
        read = stream.read
        parse = parser.parse
        chunk_size = self.chunk_size
        segment: t.Any = None
        name = ""
        is_file = False
        sink: t.IO[bytes] | None = None  # the factory's file, once a large upload needs it
        buffer: list[bytes] = []
        size = 0
        count = 0
        while True:
            for event in parse(chunk):
                # PERF: body chunks are by far the most frequent event; test for them first.
                if event.__class__ is bytes:
                    if sink is not None:
                        sink.write(event)
                        continue
                    size += len(event)
                    buffer.append(event)
                    if not is_file:
                        if max_memory is not None and size > max_memory:
                            raise RequestEntityTooLarge(
                                _memory_message(max_memory, f"The form field {name!r}")
                            )
                    elif size > SPOOL_SIZE:
                        sink = self._open_file(segment, content_length, None, opened)
                        sink.write(b"".join(buffer))
                        buffer = []
                elif event is None:  # the end of a part
                    data = b"".join(buffer)
                    buffer = []
                    size = 0
                    if is_file:
                        if sink is None:
                            sink = self._open_file(segment, content_length, len(data), opened)
                            if type(sink) is BytesIO and not sink.getbuffer().nbytes:
                                # PERF: a new BytesIO shares the bytes given to it; write copies.
                                sink.close()
                                opened[-1] = sink = BytesIO(data)
                            else:
                                sink.write(data)
                        sink.seek(0)
                        files.append((name, _file_storage(sink, segment)))
                        sink = None
                    else:
                        try:
                            fields.append((name, data.decode()))
                        except UnicodeDecodeError:
                            raise BadRequest(
                                f"The form field {name!r} is not valid UTF-8."
                            ) from None
                else:  # the headers of a new part
                    count += 1
                    if max_parts is not None and count > max_parts:
                        raise RequestEntityTooLarge(
                            f"The form has more than {max_parts} fields and files (MAX_FORM_PARTS)."
                        )
                    segment = event
                    name = _part_name(event)
                    is_file = event.filename is not None
            if not chunk:
                return
            chunk = read(chunk_size)

    def _open_file(
        self,
        segment: t.Any,
        total_content_length: int | None,
        size: int | None,
        opened: list[t.IO[bytes]],
    ) -> t.IO[bytes]:
        """Ask the stream factory for an upload's file (``size`` when it is already known)."""
        if size is None:
            size = _int_or_none(segment.header("Content-Length"))
        sink = self.stream_factory(
            total_content_length=total_content_length,
            content_type=segment.content_type,
            filename=segment.filename,
            content_length=size,
        )
        opened.append(sink)
        return sink


def _part_name(segment: t.Any) -> str:
    name: str = segment.name
    if not name:
        # The parser reports a missing name as "": tell it apart from name="".
        import multipart

        header = segment.header("Content-Disposition", "")
        if multipart.parse_content_disposition(header)[1] is None:
            raise BadRequest(
                "A part of the multipart/form-data body has no name in its"
                " Content-Disposition header."
            )
    return name


def _file_storage(stream: t.IO[bytes], segment: t.Any) -> FileStorage:
    try:
        headers = Headers(segment.headerlist)
    except ValueError:
        raise BadRequest("A part of the multipart/form-data body has an invalid header.") from None
    return FileStorage(stream, segment.filename, segment.name, headers=headers)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdecimal() else None


def _close_all(opened: list[t.IO[bytes]]) -> None:
    for f in opened:
        f.close()
    opened.clear()


def _memory_message(limit: int, what: str) -> str:
    return f"{what} is larger than the {limit} bytes allowed in memory (MAX_FORM_MEMORY_SIZE)."


def parse_form_data(
    environ: WSGIEnvironment,
    stream_factory: _StreamFactory | None = None,
    max_form_memory_size: int | None = None,
    max_content_length: int | None = None,
    cls: type[MultiDict[str, t.Any]] | None = None,
    silent: bool = False,
    *,
    max_form_parts: int | None = None,
) -> _Result:
    """Parse the form body of a WSGI environ into ``(stream, form, files)``.

    The arguments are those of :class:`FormDataParser`.
    """
    return FormDataParser(
        stream_factory,
        max_form_memory_size,
        max_content_length,
        cls,
        silent,
        max_form_parts=max_form_parts,
    ).parse_from_environ(environ)


class DebugFilesKeyError(KeyError, AssertionError):
    """Raised in debug mode for ``request.files[key]`` when ``key`` was sent as a form field.

    That happens when an HTML form uploads a file without
    ``enctype="multipart/form-data"``: the browser then sends only the file's name.
    """

    def __init__(self, key: str, mimetype: str) -> None:
        self.msg = (
            f"The form sent {key!r} as a field, not as a file: the request's content type is"
            f" {mimetype or 'missing'!r}, not 'multipart/form-data'. Add"
            ' enctype="multipart/form-data" to the <form> tag so that the browser sends'
            " the file itself rather than its name."
        )
        super().__init__(self.msg)

    def __str__(self) -> str:
        return self.msg


class _EnctypeHintFiles(ImmutableMultiDict[str, FileStorage]):
    """An empty ``request.files`` that explains a missing enctype (debug mode only)."""

    def __init__(self, form: t.Mapping[str, t.Any], mimetype: str) -> None:
        super().__init__()
        self._form = form
        self._mimetype = mimetype

    def __getitem__(self, key: str) -> FileStorage:  # type: ignore[override]
        if key in self._form:
            raise DebugFilesKeyError(key, self._mimetype)
        return super().__getitem__(key)

"""Form bodies: urlencoded now; multipart slots in here (with its limits) in the HTTP-layer work."""

from __future__ import annotations

import typing as t

from .exceptions import RequestEntityTooLarge
from .urls import decode_pairs

if t.TYPE_CHECKING:
    from .datastructures import FileStorage, MultiDict
    from .wrappers import Request


def parse_form_body(request: Request) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
    """Parse the request's form body into ``(form, files)``, enforcing the form limits."""
    cls = request.parameter_storage_class
    if request.mimetype != "application/x-www-form-urlencoded":
        # multipart/form-data: not parsed yet (see CHANGES.md); the fields stay empty.
        return cls(), cls()
    limit = request.max_form_memory_size
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge(_too_large(limit))
    stream = request.stream
    data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise RequestEntityTooLarge(_too_large(limit))
    pairs = decode_pairs(data.decode("latin-1"), request.max_form_parts)
    return cls(pairs), cls()


def _too_large(limit: int) -> str:
    return f"The form data is larger than the {limit} bytes allowed (MAX_FORM_MEMORY_SIZE)."

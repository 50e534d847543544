"""Query strings and urlencoded bodies: decoding and encoding."""

from __future__ import annotations

import typing as t
from urllib.parse import quote, unquote_to_bytes

from .exceptions import BadRequest


def decode_pairs(qs: str, max_pairs: int | None = None) -> list[tuple[str, str]]:
    """Split an ``a=1&b=2`` string (a WSGI latin-1 string) into decoded pairs.

    ``+`` means a space and ``%XX`` a byte; the bytes are UTF-8. A malformed escape such
    as ``%zz`` is kept literally, as browsers do. Text that is not UTF-8 raises
    :class:`BadRequest` (400) rather than being guessed at. Empty parts are skipped; a part
    without ``=`` is a key with an empty value. With ``max_pairs``, more pairs than that
    raise :class:`RequestEntityTooLarge` (413).
    """
    if not qs:
        return []
    try:
        if not qs.isascii():
            # WSGI hands us the raw bytes as latin-1 characters.
            qs = qs.encode("latin-1").decode("utf-8")
        pairs = []
        for part in qs.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            # PERF: most keys and values need no unquoting; skip the bytes round trip.
            if "%" in key or "+" in key:
                key = unquote_to_bytes(key.replace("+", " ")).decode("utf-8")
            if "%" in value or "+" in value:
                value = unquote_to_bytes(value.replace("+", " ")).decode("utf-8")
            pairs.append((key, value))
    except UnicodeError:
        raise BadRequest("The query string or form data is not valid UTF-8.") from None
    if max_pairs is not None and len(pairs) > max_pairs:
        from .exceptions import RequestEntityTooLarge

        raise RequestEntityTooLarge(f"The form has more than {max_pairs} fields (MAX_FORM_PARTS).")
    return pairs


def encode_pairs(
    obj: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]], sort: bool = False
) -> str:
    """Encode a mapping or pairs as ``a=1&b=2``; list values repeat the key, ``None`` is dropped."""
    from .datastructures import iter_multi_items

    items = [(k, v) for k, v in iter_multi_items(obj) if v is not None]
    if sort:
        items.sort(key=lambda kv: kv[0])
    return "&".join(
        f"{quote(str(k), safe='')}={quote(v if isinstance(v, str) else str(v), safe='')}"
        for k, v in items
    )

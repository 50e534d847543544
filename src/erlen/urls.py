"""Query strings and urlencoded bodies: decoding and encoding."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote

from ._speedups_loader import compiled
from .datastructures.structures import MultiDict
from .exceptions import BadRequest, RequestEntityTooLarge


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
        if _compiled_decode is not None and qs.isascii():
            pairs = _compiled_decode(qs)
        else:
            pairs = _decode(qs)
    except UnicodeError:
        raise BadRequest(_NOT_UTF8) from None
    if max_pairs is not None and len(pairs) > max_pairs:
        raise RequestEntityTooLarge(_too_many(max_pairs))
    return pairs


_M = t.TypeVar("_M", bound="MultiDict[str, str]")


def decode_multi(qs: str, cls: type[_M], max_pairs: int | None = None) -> _M:
    """``cls(decode_pairs(qs, max_pairs))``: the pairs in a :class:`MultiDict` (or a
    subclass), with the same errors."""
    # PERF: with the compiled decoder, the values go straight into the dict's lists; no
    # list of pairs, no tuples and no __init__ call (~1 µs of a request that reads a form).
    if (
        _compiled_into is not None
        and qs
        and qs.isascii()
        and cls.__init__ is _MULTI_INIT
        and cls.__new__ is _DICT_NEW
    ):
        multi = cls.__new__(cls)  # empty, and __init__ would add nothing to it
        try:
            count: int = _compiled_into(multi, qs)
        except UnicodeError:
            raise BadRequest(_NOT_UTF8) from None
        if max_pairs is not None and count > max_pairs:
            raise RequestEntityTooLarge(_too_many(max_pairs))
        return multi
    return cls(decode_pairs(qs, max_pairs))


def _too_many(max_pairs: int) -> str:
    return f"The form has more than {max_pairs} fields (MAX_FORM_PARTS)."


_NOT_UTF8 = "The query string or form data is not valid UTF-8."


def _decode(qs: str) -> list[tuple[str, str]]:
    """:func:`decode_pairs` in Python, raising UnicodeError for text that is not UTF-8
    (what ``erlen._speedups.decode_pairs`` does in C for ASCII strings)."""
    if not qs.isascii():
        # WSGI hands us the raw bytes as latin-1 characters.
        qs = qs.encode("latin-1").decode("utf-8")
    if "%" in qs and _ESCAPED_SEPARATOR.search(qs):
        return _decode_each(qs)
    # PERF: when no escape can turn into "&" or "=", the whole string is unquoted in one
    # pass and then split, instead of unquoting key by key and value by value.
    if "+" in qs:
        qs = qs.replace("+", " ")
    if "%" in qs:
        qs = _unquote(qs)
    separators = qs.count("&")
    if separators >= _MANY_PARTS and qs.count("=") == separators + 1 and not _TWO_EQUALS.search(qs):
        # PERF: every part is exactly key=value, so one replace and one split give keys
        # and values in turn, paired in C: for a long form this beats a partition per
        # part; for a short one the checks cost more than they save. The halves are of
        # equal length by the count above; strict= costs ~0.4 µs.
        flat = qs.replace("=", "&").split("&")
        return list(zip(flat[::2], flat[1::2]))  # noqa: B905
    # PERF: (key, "=", value)[::2] is the pair; no generator frame per part.
    return [p.partition("=")[::2] for p in qs.split("&") if p]


# An escape that decodes to a separator ("%26" is "&", "%3D" is "=").
_ESCAPED_SEPARATOR = re.compile("%(?:26|3[dD])")
# A part with a second "=" (its value holds one).
_TWO_EQUALS = re.compile("=[^&]*=")
# From how many "&" on the one-split pairing pays for its checks (measured in instructions).
_MANY_PARTS = 12

_HEX_DIGITS = "0123456789abcdefABCDEF"
# Every two-hex-digit escape, in either case, to its byte; and those below 0x80 to their
# character (an escaped ASCII character needs no UTF-8 decoding).
_ESCAPED_BYTES = {
    (a + b).encode(): bytes([int(a + b, 16)]) for a in _HEX_DIGITS for b in _HEX_DIGITS
}
_ESCAPED_CHARS = {k.decode(): chr(v[0]) for k, v in _ESCAPED_BYTES.items() if v[0] < 0x80}


def _unquote(text: str) -> str:
    """Decode the ``%XX`` escapes of ``text`` (the bytes they give are UTF-8); a ``%`` not
    followed by two hex digits is kept as it is."""
    # PERF: escapes of ASCII characters ("%40" is "@") are replaced as text; only others
    # need the round trip through bytes and UTF-8.
    parts = text.split("%")
    out = [parts[0]]
    for part in parts[1:]:
        char = _ESCAPED_CHARS.get(part[:2])
        if char is None:
            return _unquote_bytes(text)
        out.append(char)
        out.append(part[2:])
    return "".join(out)


def _unquote_bytes(text: str) -> str:
    parts = text.encode().split(b"%")
    out = [parts[0]]
    for part in parts[1:]:
        byte = _ESCAPED_BYTES.get(part[:2])
        if byte is None:
            out.append(b"%")
            out.append(part)
        else:
            out.append(byte)
            out.append(part[2:])
    return b"".join(out).decode()


def _decode_each(qs: str) -> list[tuple[str, str]]:
    """Split first, then unquote each key and value (for strings with escaped separators)."""
    pairs: list[tuple[str, str]] = []
    for part in qs.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        # PERF: most keys and values need no unquoting, and a "+" alone is only a space.
        if "%" in key:
            key = _unquote(key.replace("+", " "))
        elif "+" in key:
            key = key.replace("+", " ")
        if "%" in value:
            value = _unquote(value.replace("+", " "))
        elif "+" in value:
            value = value.replace("+", " ")
        pairs.append((key, value))
    return pairs


# The compiled decoder (erlen/_speedups.c), when it was built and ERLEN_NO_SPEEDUPS is not
# set; it takes ASCII strings, which is what browsers send. docs/performance.md says more.
_compiled_decode: t.Callable[[str], list[tuple[str, str]]] | None = compiled("decode_pairs")
_compiled_into: t.Callable[[dict[t.Any, t.Any], str], int] | None = compiled("decode_into")


_MULTI_INIT = MultiDict.__init__
_DICT_NEW = dict.__new__


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

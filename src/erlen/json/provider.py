"""JSON providers: how an application turns values into JSON and back (``app.json``)."""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import uuid
from datetime import date

from ..http import http_date

if t.TYPE_CHECKING:
    from ..app import Erlen
    from ..wrappers import Response


class JSONProvider:
    """The interface behind ``app.json``; subclass it to use another JSON library.

    A subclass implements :meth:`dumps` and :meth:`loads`; :meth:`dump`, :meth:`load` and
    :meth:`response` are built on them. Set the subclass as ``Erlen.json_provider_class``.
    """

    def __init__(self, app: Erlen) -> None:
        self._app = app

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialise ``obj`` to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialise ``obj`` and write it to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse a JSON document."""
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Read a JSON document from the file ``fp`` and parse it."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError("jsonify() takes either positional or keyword arguments, not both.")
        if kwargs:
            return kwargs
        if not args:
            return None
        return args[0] if len(args) == 1 else list(args)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response: one argument is the value, several a list, keywords a dict."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    """Encode the types Flask's provider knows beyond the JSON ones."""
    if isinstance(o, date):  # datetime is a date too
        return http_date(o)
    if isinstance(o, decimal.Decimal | uuid.UUID):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(
        f"Object of type {type(o).__name__} is not JSON serializable; convert it first or"
        " extend app.json.default."
    )


def _make_compact_encoder(
    ensure_ascii: bool, sort_keys: bool, default: t.Callable[[t.Any], t.Any]
) -> t.Callable[[t.Any], str]:
    """A function that encodes like ``json.dumps(o, separators=(",", ":"), ...)``."""
    encoder = json.JSONEncoder(
        ensure_ascii=ensure_ascii, sort_keys=sort_keys, separators=(",", ":"), default=default
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C encoder
        return encoder.encode
    # The C encoder with the same arguments JSONEncoder.iterencode gives it. Circular
    # references are not tracked (markers=None), which avoids sharing a marker dict
    # between threads; a cycle then ends in RecursionError instead of ValueError.
    iterencode = make(
        None,
        default,
        json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring,
        None,
        ":",
        ",",
        sort_keys,
        False,
        True,
    )

    def encode(o: t.Any) -> str:
        if type(o) is str:
            return encoder.encode(o)
        return "".join(iterencode(o, 0))

    return encode


# The first bytes of the BOMs json.detect_encoding knows (UTF-8, UTF-16 and UTF-32).
_BOM_STARTS = (b"\xef", b"\xff", b"\xfe", b"\x00")
_decode = json.JSONDecoder().decode


class DefaultJSONProvider(JSONProvider):
    """The standard-library provider with Flask's defaults.

    Dates become HTTP-date strings, ``Decimal`` and ``UUID`` strings, dataclasses dicts, and
    objects with ``__html__`` their markup. Keys are sorted and output is ASCII; responses
    are compact, or indented in debug mode unless :attr:`compact` says otherwise.
    """

    #: Called for values the ``json`` module cannot encode.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    #: Escape non-ASCII characters.
    ensure_ascii = True
    #: Sort the keys of objects.
    sort_keys = True
    #: ``None``: compact unless in debug mode; ``True``/``False`` forces it either way.
    compact: bool | None = None
    #: The mimetype of :meth:`response`.
    mimetype = "application/json"

    _encode: t.Callable[[t.Any], str] | None = None
    _encode_key: tuple[t.Any, ...] = ()

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """``json.dumps`` with this provider's ``default``, ``ensure_ascii`` and ``sort_keys``."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """``json.loads``; bytes are decoded as UTF-8 (or UTF-16/32 by their BOM)."""
        # PERF: bytes that cannot be UTF-16/32 or carry a BOM (json.detect_encoding would
        # say UTF-8) are decoded here and handed to the decoder, skipping two Python calls.
        if type(s) is bytes and not kwargs and s[:1] not in _BOM_STARTS and 0 not in s[:4]:
            return _decode(s.decode("utf-8", "surrogatepass"))
        return json.loads(s, **kwargs)

    def _compact_encode(self) -> t.Callable[[t.Any], str]:
        # PERF: json.dumps builds an encoder (and JSONEncoder.encode the C encoder behind
        # it) on every call, which costs as much as encoding a small dict. Keep the C
        # encoder while the settings it was built from stay the same.
        key = (self.ensure_ascii, self.sort_keys, self.default)
        if self._encode is None or self._encode_key != key:
            self._encode = _make_compact_encoder(self.ensure_ascii, self.sort_keys, self.default)
            self._encode_key = key
        return self._encode

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response with :attr:`mimetype`, ending in a newline."""
        # PERF: make_response(dict) passes one value; no call to sort the arguments out.
        obj = args[0] if len(args) == 1 and not kwargs else self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self._response_text(obj), mimetype=self.mimetype)

    def _response_text(self, obj: t.Any) -> str:
        """The body of :meth:`response` for one value."""
        compact = self.compact
        if compact or (compact is None and not self._app.debug):
            body = self._compact_encode()(obj)
        else:
            body = self.dumps(obj, indent=2)
        return f"{body}\n"

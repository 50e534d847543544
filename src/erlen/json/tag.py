"""Tagged JSON: a compact JSON form for the values a session holds beyond plain JSON.

The session cookie stores tuples, bytes, markup, UUIDs and datetimes as one-key objects
whose key is a tag (``{" t": [...]}``). The tags and their encoding are the ones Flask
writes, so session cookies pass between Flask and Erlen applications that share a
``SECRET_KEY``. Add a type with :meth:`TaggedJSONSerializer.register`::

    class TagColor(JSONTag):
        key = " c"
        def check(self, value): return isinstance(value, Color)
        def to_json(self, value): return value.hex
        def to_python(self, value): return Color(value)

    app.session_interface.serializer.register(TagColor, index=0)
"""

from __future__ import annotations

import re
import typing as t
from base64 import b64decode, b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup

from ..http import http_date, parse_date

# erlen.json is imported before this module (its parent) and does not import it.
from . import dumps as _json_dumps
from . import loads as _json_loads

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """One type the serializer knows: how to spot it, and how to encode and decode it."""

    #: The tag key; an empty key tags nothing and only transforms (see :class:`PassDict`).
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Whether this tag handles ``value``."""
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """The JSON-able form of ``value`` (without the tag)."""
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """The Python value back from its JSON-able form."""
        raise NotImplementedError

    def tag(self, value: t.Any) -> t.Any:
        """``value`` encoded and wrapped in its tag."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A one-key dict whose key is itself a tag: the key gets a ``__`` suffix so that
    decoding does not mistake the dict for a tagged value."""

    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        ((name, item),) = value.items()
        return {f"{name}__": self.serializer.tag(item)}

    def to_python(self, value: t.Any) -> t.Any:
        ((name, item),) = value.items()
        return {name[:-2]: item}


class PassDict(JSONTag):
    """Any other dict: its values are tagged, the dict itself is not."""

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        tag = self.serializer.tag
        return {k: tag(v) for k, v in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A tuple, kept apart from a list."""

    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """A list: its items are tagged, the list itself is not."""

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """Bytes, as base64."""

    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Anything with ``__html__`` (such as :class:`markupsafe.Markup`), decoded as Markup."""

    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    """A UUID, as its hex digits."""

    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """A datetime, as an HTTP date (whole seconds, UTC)."""

    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return parse_date(value)


class TaggedJSONSerializer:
    """Serialise to and from tagged JSON; the session's ``serializer``."""

    #: The tags every serializer starts with, in the order they are tried.
    default_tags: t.ClassVar[list[type[JSONTag]]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for cls in self.default_tags:
            self.register(cls)
        # PERF: with exactly the default tags (all keyed " x") and no method overridden,
        # values of JSON's own types need no tagging walk, and a document without a
        # one-key object whose key starts with a space needs no untagging walk.
        own = type(self)
        self._plain_ok = (
            own.default_tags is TaggedJSONSerializer.default_tags
            and own.tag is TaggedJSONSerializer.tag
            and own.untag is TaggedJSONSerializer.untag
        )

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag, tried last (or at ``index``); an existing key needs ``force=True``."""
        self._plain_ok = False  # a tag of the user's may claim any value
        tag = tag_class(self)
        key = tag.key
        if key:
            if not force and key in self.tags:
                raise KeyError(
                    f"The tag {key!r} is already registered; pass force=True to replace it."
                )
            self.tags[key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """``value`` in tagged form, by the first tag whose ``check`` accepts it."""
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """The value a one-key tagged dict stands for (other dicts are returned as they are)."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_scan(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            return self.untag({k: self._untag_scan(v) for k, v in value.items()})
        if isinstance(value, list):
            return [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Tagged JSON for ``value``, compact, with the current app's key order."""
        plain = self._plain_ok and _is_plain(value, self.tags)
        return _json_dumps(value if plain else self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> t.Any:
        """The value back from tagged JSON."""
        data = _json_loads(value)
        if self._plain_ok and not _may_hold_tag(value):
            return data
        return self._untag_scan(data)


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_tag_text = re.compile(r'\{\s*" ')
_tag_bytes = re.compile(rb'\{\s*" ')


def _is_plain(value: t.Any, tag_keys: dict[str, JSONTag]) -> bool:
    """Whether the default tags would leave ``value`` as it is: JSON's own types only (not
    subclasses), and no one-key dict whose key is a tag's."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return True
    if kind is list:
        for item in value:  # noqa: SIM110 - a loop, not a generator frame per call
            if not _is_plain(item, tag_keys):
                return False
        return True
    if kind is dict:
        if len(value) == 1 and next(iter(value)) in tag_keys:
            return False
        for item in value.values():  # noqa: SIM110
            if not _is_plain(item, tag_keys):
                return False
        return True
    return False


def _may_hold_tag(document: str | bytes) -> bool:
    """Whether a JSON document may hold a tagged value: an object key starting with a space
    right after ``{``. False proves it holds none, for documents as Flask and Erlen write
    them (a writer that escaped the space as ``\\u0020`` would not be seen; session cookies
    are signed, so only these serializers write them)."""
    if isinstance(document, str):
        return _tag_text.search(document) is not None
    return _tag_bytes.search(document) is not None

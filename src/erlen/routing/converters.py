"""URL converters: the regex that selects a variable's text, and its conversions."""

from __future__ import annotations

import re
import typing as t
import uuid
from decimal import Decimal
from urllib.parse import quote

from .exceptions import ValidationError

if t.TYPE_CHECKING:
    from .map import Map

# Characters left unescaped in a built path.
_PATH_SAFE = "!$&'()*+,/:;=@"


class BaseConverter:
    """The base of URL converters: ``regex`` selects the text, ``to_python`` converts it.

    Subclass it and register the class with ``app.url_map.converters["name"] = Cls``.
    Raise :class:`ValidationError` in :meth:`to_python` to reject a value, so that the
    next rule is tried.
    """

    #: The regular expression one value must match (no anchors; groups are allowed).
    regex = "[^/]+"
    #: Sort weight among rules: lower wins (int 50, string 100, path 200).
    weight = 100
    #: Whether a value lies within one path segment. Set automatically from ``regex``.
    part_isolating = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "regex" in cls.__dict__ and "part_isolating" not in cls.__dict__:
            cls.part_isolating = "/" not in cls.regex

    def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
        #: The map the rule using this converter belongs to.
        self.map = map

    def to_python(self, value: str) -> t.Any:
        """Convert the matched text to the value passed to the view."""
        return value

    def to_url(self, value: t.Any) -> str:
        """Convert a value to URL text, percent-encoded."""
        # PERF: most values are plain words or numbers; quote() costs about a microsecond.
        if type(value) is int:
            return str(value)
        if type(value) is str and value.isalnum() and value.isascii():
            return value
        return quote(str(value), safe=_PATH_SAFE)


class UnicodeConverter(BaseConverter):
    """``string`` (the default): any text without ``/``, optionally of a given length."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            self.regex = f"[^/]{{{int(length)}}}"
        else:
            upper = "" if maxlength is None else str(int(maxlength))
            self.regex = f"[^/]{{{int(minlength)},{upper}}}"


class AnyConverter(BaseConverter):
    """``any(a, b, c)``: exactly one of the given words."""

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("any() needs at least one word: <any(a, b):name>.")
        self.items = [str(item) for item in items]
        self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")"

    def to_url(self, value: t.Any) -> str:
        """The value, which must be one of the words."""
        if value in self.items:
            return super().to_url(value)
        raise ValueError(f"{value!r} is not one of {self.items!r}.")


class PathConverter(BaseConverter):
    """``path``: like ``string`` but the text may contain ``/``."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False

    def to_url(self, value: t.Any) -> str:
        """The value percent-encoded, ``/`` kept."""
        return quote(str(value), safe=_PATH_SAFE)


class NumberConverter(BaseConverter):
    """The shared base of ``int`` and ``float``: bounds and an optional sign."""

    weight = 50
    num_convert: t.Callable[[t.Any], t.Any] = int

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map)
        if signed:
            self.regex = "-?" + self.regex
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed

    def to_python(self, value: str) -> t.Any:
        """The number; a value outside the bounds (or of the wrong width) does not match."""
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: t.Any) -> str:
        """The number as digits (zero-padded to ``fixed_digits``)."""
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """``int(fixed_digits=0, min=None, max=None, signed=False)``: ASCII digits."""

    regex = "[0-9]+"


class FloatConverter(NumberConverter):
    """``float(min=None, max=None, signed=False)``: digits, a dot, digits."""

    regex = r"[0-9]+\.[0-9]+"
    num_convert = float

    def __init__(
        self,
        map: Map,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)

    def to_url(self, value: t.Any) -> str:
        """The number in positional notation, always with a dot (never ``1e+20``)."""
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{number!r} cannot be written in a URL.")
        text = format(Decimal(repr(number)), "f")
        return text if "." in text else text + ".0"


class UUIDConverter(BaseConverter):
    """``uuid``: a hyphenated UUID, passed to the view as :class:`uuid.UUID`."""

    regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        """The UUID object."""
        return uuid.UUID(value)

    def to_url(self, value: t.Any) -> str:
        """The hyphenated form."""
        return str(value)


#: The converters every map starts with.
DEFAULT_CONVERTERS: t.Mapping[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}

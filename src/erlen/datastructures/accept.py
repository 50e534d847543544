"""Parsed Accept, Accept-Language and Accept-Charset headers and content negotiation
(RFC 9110, 12.5)."""

from __future__ import annotations

import codecs
import typing as t

from .structures import ImmutableList

if t.TYPE_CHECKING:
    pass

T = t.TypeVar("T")


# The item type is Any for type checkers only: with tuple[str, float] every
# ``"text/html" in request.accept_mimetypes`` is a "non-overlapping container check" under
# strict mypy. Iteration and indexing are still typed as (value, quality) pairs.
class Accept(ImmutableList[t.Any]):
    """A parsed Accept-style header: ``(value, quality)`` pairs, best first.

    ``accept[value]`` and ``quality(value)`` give the quality the client gives ``value``,
    taken from the most specific entry that matches it (RFC 9110, 12.4.2), 0 when none
    does; ``value in accept`` means that quality is above 0. Without the header
    (``provided`` is false) nothing matches and ``best_match`` returns its default.
    """

    def __init__(self, values: Accept | t.Iterable[tuple[str, float]] | None = ()) -> None:
        if values is None:
            super().__init__()
            self.provided = False
        elif isinstance(values, Accept):
            super().__init__(values)
            self.provided = values.provided
        else:
            # A stable sort: entries of equal quality keep the client's order.
            super().__init__(sorted(values, key=lambda item: -item[1]))
            self.provided = True

    def _specificity(self, entry: str, offer: str) -> int:
        """How specifically ``entry`` matches ``offer``: -1 for no match, higher is closer."""
        if entry == "*":
            return 0
        return 1 if entry.lower() == offer.lower() else -1

    def _best_entry(self, offer: str) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for entry, quality in self:
            spec = self._specificity(entry, offer)
            if spec >= 0 and (best is None or spec > best[0]):
                best = (spec, quality)
        return best

    def quality(self, key: str) -> float:
        """The quality the client gives ``key`` (0 when no entry matches)."""
        best = self._best_entry(key)
        return best[1] if best is not None else 0

    @t.overload
    def __getitem__(self, key: str) -> float: ...
    @t.overload
    def __getitem__(self, key: t.SupportsIndex) -> tuple[str, float]: ...
    @t.overload
    def __getitem__(self, key: slice) -> list[tuple[str, float]]: ...

    def __getitem__(self, key: str | t.SupportsIndex | slice) -> t.Any:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.quality(value) > 0

    def __iter__(self) -> t.Iterator[tuple[str, float]]:
        return list.__iter__(self)

    def find(self, key: str) -> int:
        """The index of the first entry matching ``key``, or -1."""
        for index, (entry, _) in enumerate(self):
            if self._specificity(entry, key) >= 0:
                return index
        return -1

    def index(self, key: t.Any, *args: t.Any) -> int:
        """The index of the first entry matching ``key`` (``ValueError`` when none)."""
        if isinstance(key, str):
            index = self.find(key)
            if index < 0:
                raise ValueError(key)
            return index
        return list.index(self, key, *args)

    def values(self) -> t.Iterator[str]:
        """The values, best first."""
        return (value for value, _ in self)

    @t.overload
    def best_match(self, matches: t.Iterable[str]) -> str | None: ...
    @t.overload
    def best_match(self, matches: t.Iterable[str], default: str) -> str: ...
    @t.overload
    def best_match(self, matches: t.Iterable[str], default: T) -> str | T: ...

    def best_match(self, matches: t.Iterable[str], default: t.Any = None) -> t.Any:
        """The offer in ``matches`` the client likes best: highest quality, then the most
        specific match, then the earliest offer. ``default`` when none is acceptable."""
        result = default
        best_quality = 0.0
        best_spec = -1
        for offer in matches:
            best = self._best_entry(offer)
            if best is None:
                continue
            spec, quality = best
            if quality > 0 and (
                quality > best_quality or (quality == best_quality and spec > best_spec)
            ):
                result, best_quality, best_spec = offer, quality, spec
        return result

    @property
    def best(self) -> str | None:
        """The value with the highest quality, or ``None``."""
        return self[0][0] if self else None

    def to_header(self) -> str:
        """The header value."""
        return ",".join(value if q == 1 else f"{value};q={q:g}" for value, q in self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


def _split_mime(value: str) -> tuple[str, str, dict[str, str]]:
    main, _, rest = value.lower().partition(";")
    kind, _, sub = main.strip().partition("/")
    if kind == "*" and not sub:
        sub = "*"
    params = http.parse_options_header(f"x;{rest}")[1] if rest else {}
    return kind.strip(), sub.strip(), params


class MIMEAccept(Accept):
    """The Accept header: media ranges with ``*/*`` and ``type/*`` wildcards."""

    def _specificity(self, entry: str, offer: str) -> int:
        e_type, e_sub, e_params = _split_mime(entry)
        o_type, o_sub, o_params = _split_mime(offer)
        if e_type == "*":
            return 0
        if e_type != o_type and o_type != "*":
            return -1
        if e_sub == "*":
            return 1
        if e_sub != o_sub and o_sub != "*":
            return -1
        if e_params:
            if any(o_params.get(k) != v for k, v in e_params.items()):
                return -1
            return 3
        return 2

    @property
    def accept_html(self) -> bool:
        """Whether HTML is acceptable."""
        return self.quality("text/html") > 0 or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether XHTML (or XML) is acceptable."""
        return self.quality("application/xhtml+xml") > 0 or self.quality("application/xml") > 0

    @property
    def accept_json(self) -> bool:
        """Whether JSON is acceptable."""
        return self.quality("application/json") > 0


def _normalize_language(value: str) -> str:
    return value.lower().replace("_", "-")


class LanguageAccept(Accept):
    """The Accept-Language header. A range matches its own tag and longer ones
    (``en`` matches ``en-US``, RFC 4647); as a fallback a tag also matches a range it is a
    prefix of (``en-US`` accepts ``en``), at the quality of that range."""

    def _specificity(self, entry: str, offer: str) -> int:
        if entry == "*":
            return 0
        e = _normalize_language(entry)
        o = _normalize_language(offer)
        if e == o:
            return 3
        if o.startswith(e + "-"):
            return 2
        if e.startswith(o + "-"):
            return 1
        return -1


def _normalize_charset(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return value.lower()


class CharsetAccept(Accept):
    """The Accept-Charset header; names are compared as codecs (``utf8`` is ``UTF-8``)."""

    def _specificity(self, entry: str, offer: str) -> int:
        if entry == "*":
            return 0
        return 1 if _normalize_charset(entry) == _normalize_charset(offer) else -1


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

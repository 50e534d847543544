"""URL routing: rules, converters, matching requests to endpoints, and building URLs.

A :class:`Map` holds :class:`Rule` objects. Binding the map to a request (or to a server
name) gives a :class:`MapAdapter`, whose :meth:`~MapAdapter.match` turns a path into an
endpoint and its converted values, and whose :meth:`~MapAdapter.build` turns an endpoint
and values back into a URL.

Rule syntax: ``/user/<int:id>``, ``/<name>``, ``/<any(a, b):kind>``,
``/<string(length=2):code>``, ``/<int(min=1, signed=True):n>``. Converter arguments are
Python literals (bare words are strings); they are parsed, never evaluated.

How matching works
------------------
The matcher is compiled on first use and again only after a rule is added:

* Rules without variables live in a dict keyed by the path, so matching one is a dict
  lookup and a few comparisons.
* Rules with variables are grouped by the number of ``/`` in the path they can match; each
  group is one combined regular expression whose alternatives are in priority order. The
  first alternative that matches is the answer unless its converter rejects the value
  (:class:`ValidationError`), the method or host does not fit, or the rule is a websocket
  rule and the request is not (or the reverse). Only then are the remaining rules tried one
  by one, collecting the allowed methods for the 405.

Priority (deterministic: it depends only on the two rules compared, never on which other
rules exist, unlike ``pallets/werkzeug#3156``):

1. The path is compared segment by segment (``/``-separated), from the left. At the first
   segment that differs in kind, a fully static segment beats one with variables, which
   beats one with a variable that can span ``/`` (``path``).
2. Between two segments with variables: more static characters in the segment first, then
   the lower converter :attr:`~BaseConverter.weight` (``int`` 50 beats ``string`` 100,
   which beats ``path`` 200), variable by variable.
3. Then the host or subdomain, by the same rules (a static host beats a pattern).
4. Then registration order.

So a rule without variables always beats one with variables that matches the same path.

Redirects (:class:`RequestRedirect`, 308): a rule ``/a/`` requested as ``/a`` (strict
slashes; the query string is kept), a path with ``//`` when the merged path matches
(merge slashes), a URL whose values equal another rule's defaults (redirect defaults), and
rules with ``redirect_to``.

Differences from Flask/Werkzeug, on purpose:

* A ``PATH_INFO`` that is not valid UTF-8 is a 400 :class:`~erlen.exceptions.BadRequest`,
  not a guess.
* With ``host_matching=True`` a rule without ``host`` matches any host (in Werkzeug it
  matches nothing).
* When a ``server_name`` is given and the request's host is neither it nor a subdomain of
  it, nothing matches (404) and no warning is emitted. A server name without a port
  matches a host with any port.
* The ``int`` and ``float`` converters accept only ASCII digits, and ``float.to_url``
  never writes exponent notation, so every built URL matches its rule again.
"""

from __future__ import annotations

import ast
import difflib
import re
import typing as t
import uuid
from decimal import Decimal
from urllib.parse import quote, urljoin

from .exceptions import BadHost, BadRequest, HTTPException, MethodNotAllowed, NotFound
from .wsgi import get_host

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .wrappers.response import Response

__all__ = [
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "MapAdapter",
    "PathConverter",
    "RequestRedirect",
    "RoutingException",
    "Rule",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
    "WebsocketMismatch",
]

# Characters left unescaped in a built path, and in a query string (space becomes "+").
_PATH_SAFE = "!$&'()*+,/:;=@"
_QUERY_SAFE = "!$'()*,/:;?@"
# What a preserved raw query string may keep when it is copied into a Location header.
_RAW_QUERY_SAFE = "!$&'()*+,/:;=?@%[]"

_VARIABLE_RE = re.compile(
    r"""
    <
    (?:
        (?P<converter>[A-Za-z_][A-Za-z0-9_]*)   # converter name
        (?:\((?P<args>.*?)\))?                  # optional arguments
        :
    )?
    (?P<name>[A-Za-z_][A-Za-z0-9_]*)            # variable name
    >
    """,
    re.VERBOSE | re.DOTALL,
)
_MULTIPLE_SLASHES = re.compile(r"/{2,}")
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,/:;=@]")
_BARE_ARG = re.compile(r"^\s*(?:(?P<key>[A-Za-z_]\w*)\s*=\s*)?(?P<value>[\w.\-]+)\s*$")


# -- exceptions ---------------------------------------------------------------------------------


class ValidationError(ValueError):
    """Raised by a converter's ``to_python`` to mean "no match here; try the next rule"."""


class RoutingException(Exception):
    """Base of the routing errors that are answers rather than failures (redirects).

    The application does not pass these to error handlers.
    """


class RequestRedirect(HTTPException, RoutingException):
    """A 308 redirect raised by matching: the canonical URL of the resource is ``new_url``."""

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(f"The resource has moved to {new_url}.")
        #: The absolute URL to redirect to.
        self.new_url = new_url

    def get_response(
        self, environ: t.Any = None, scope: dict[str, t.Any] | None = None
    ) -> Response:
        """A redirect response to :attr:`new_url`, with ``Location`` set."""
        from .utils import redirect

        return redirect(self.new_url, self.code)  # type: ignore[no-any-return]


class WebsocketMismatch(BadRequest):
    """400: the URL is a websocket rule and the request is plain HTTP, or the reverse."""

    description = "This URL expects a WebSocket request (or is not a WebSocket URL)."


class BuildError(RoutingException, LookupError):
    """No rule of ``endpoint`` can be built with ``values`` (and ``method``).

    The message says what is likely wrong: a missing value, a method the rules do not
    accept, or an endpoint name close to the one asked for.
    """

    def __init__(
        self,
        endpoint: str,
        values: t.Mapping[str, t.Any],
        method: str | None,
        adapter: MapAdapter | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter
        self.reason = reason

    @property
    def suggested(self) -> Rule | None:
        """The rule of this endpoint closest to being buildable, if the endpoint exists."""
        if self.adapter is None:
            return None
        rules = self.adapter.map._rules_by_endpoint.get(self.endpoint)
        if not rules:
            return None

        def score(rule: Rule) -> tuple[int, int]:
            method_ok = self.method is None or rule.methods is None or self.method in rule.methods
            missing = len(rule._required - self.values.keys())
            return (0 if method_ok else 1, missing)

        return min(rules, key=score)

    def __str__(self) -> str:
        message = [f"Could not build a URL for endpoint {self.endpoint!r}"]
        if self.values:
            message.append(f" with values {sorted(self.values)!r}")
        if self.method:
            message.append(f" and method {self.method!r}")
        message.append(".")
        if self.reason:
            message.append(f" {self.reason}")
        rule = self.suggested
        if rule is not None:
            missing = sorted(rule._required - self.values.keys())
            if self.method and rule.methods is not None and self.method not in rule.methods:
                message.append(f" Did you mean to use one of the methods {sorted(rule.methods)!r}?")
            if missing:
                message.append(f" Did you forget to specify values {missing!r}?")
            wrong = [
                key
                for key, value in (rule.defaults or {}).items()
                if key in self.values and self.values[key] != value
            ]
            if wrong and not missing:
                message.append(
                    f" The rule {rule.rule!r} only builds with the defaults"
                    f" { ({k: rule.defaults[k] for k in wrong})!r}."  # type: ignore[index]
                )
        elif self.adapter is not None:
            close = difflib.get_close_matches(
                self.endpoint, list(self.adapter.map._rules_by_endpoint), n=1
            )
            if close:
                message.append(f" Did you mean {close[0]!r} instead?")
            elif "." not in self.endpoint:
                message.append(
                    " No rule has this endpoint; an endpoint of a blueprint is named"
                    " 'blueprint.view'."
                )
        return "".join(message)


# -- converters ---------------------------------------------------------------------------------


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


# -- rule parsing ---------------------------------------------------------------------------------

# A parsed template: a static string, or (name, converter name, args, kwargs).
_Variable = tuple[str, str, tuple[t.Any, ...], dict[str, t.Any]]
_Part = str | _Variable


def _parse_template(template: str, what: str) -> list[_Part]:
    """Split a rule (or host) template into static strings and variables."""
    parts: list[_Part] = []
    pos = 0
    for m in _VARIABLE_RE.finditer(template):
        static = template[pos : m.start()]
        if "<" in static:
            _malformed(template, what, pos + static.index("<"))
        if static:
            parts.append(static)
        args, kwargs = _parse_args(m.group("args"), template)
        parts.append((m.group("name"), m.group("converter") or "default", args, kwargs))
        pos = m.end()
    static = template[pos:]
    if "<" in static:
        _malformed(template, what, pos + static.index("<"))
    if static:
        parts.append(static)
    return parts


def _malformed(template: str, what: str, index: int) -> t.NoReturn:
    raise ValueError(
        f"Malformed {what} {template!r}: the variable starting at position {index} is not"
        " of the form <name>, <converter:name> or <converter(arguments):name>."
    )


def _literal(node: ast.expr) -> t.Any:
    if isinstance(node, ast.Name):  # a bare word: any(about, help)
        return node.id
    return ast.literal_eval(node)


def _parse_args(text: str | None, template: str) -> tuple[tuple[t.Any, ...], dict[str, t.Any]]:
    """Parse converter arguments as Python literals; bare words are strings. Never evaluated."""
    if text is None or not text.strip():
        return (), {}
    try:
        call = ast.parse(f"_({text})", mode="eval").body
        assert isinstance(call, ast.Call)
        args = tuple(_literal(arg) for arg in call.args)
        kwargs = {kw.arg: _literal(kw.value) for kw in call.keywords if kw.arg is not None}
        if len(kwargs) != len(call.keywords):
            raise ValueError("** is not allowed")
        return args, kwargs
    except (SyntaxError, ValueError, AssertionError, TypeError, RecursionError):
        pass
    # Words that are not Python, such as any(en-us, de-de).
    pos_args: list[t.Any] = []
    kw_args: dict[str, t.Any] = {}
    for piece in text.split(","):
        m = _BARE_ARG.match(piece)
        if m is None:
            raise ValueError(
                f"Cannot parse the converter arguments ({text}) in the rule {template!r}: use"
                " Python literals, such as any(a, 'b-c') or int(min=1)."
            )
        if m.group("key"):
            kw_args[m.group("key")] = m.group("value")
        else:
            pos_args.append(m.group("value"))
    return tuple(pos_args), kw_args


_SegmentKey = tuple[int, int, tuple[int, ...]]


def _segment_key(statics: list[str], converters: list[BaseConverter]) -> _SegmentKey:
    """The sort key of one segment: static (0), isolating variables (1), or spanning (2);
    then more static characters first, then lower converter weights first."""
    if not converters:
        return (0, 0, ())
    spanning = any(not c.part_isolating or "/" in c.regex for c in converters)
    return (2 if spanning else 1, -sum(map(len, statics)), tuple(c.weight for c in converters))


class _Compiled:
    """A template compiled against a map: regex, converters, build steps and sort key."""

    __slots__ = (
        "build_steps",
        "converters",
        "first",
        "groups",
        "isolating",
        "pattern",
        "regex",
        "segments",
        "slashes",
        "static",
        "variables",
    )

    def __init__(
        self,
        parts: list[_Part],
        map: Map,
        template: str,
        merge_slashes: bool,
        separator: str,
    ) -> None:
        self.converters: dict[str, BaseConverter] = {}
        # (name, converter, index of its group within ``pattern``)
        self.variables: list[tuple[str, BaseConverter, int]] = []
        # Per part: (quoted static text, None) or (variable name, its converter).
        self.build_steps: list[tuple[str, BaseConverter | None]] = []
        pattern: list[str] = []
        groups = 0
        # Per segment: its static pieces and its converters, for the sort key.
        segments: list[tuple[list[str], list[BaseConverter]]] = [([], [])]
        self.isolating = True
        for part in parts:
            if isinstance(part, str):
                if merge_slashes:
                    part = _MULTIPLE_SLASHES.sub("/", part)
                pattern.append(re.escape(part))
                # PERF: static text is percent-encoded once here, not on every build.
                self.build_steps.append((quote(part, safe=_PATH_SAFE), None))
                pieces = part.split(separator)
                segments[-1][0].append(pieces[0])
                segments.extend(([piece], []) for piece in pieces[1:])
                continue
            name, conv_name, args, kwargs = part
            if name in self.converters:
                raise ValueError(f"The variable {name!r} appears twice in {template!r}.")
            cls = map.converters.get(conv_name)
            if cls is None:
                raise LookupError(
                    f"The rule {template!r} uses the converter {conv_name!r}, which the map"
                    f" does not know (known: {', '.join(sorted(map.converters))}). Register it"
                    f" first: app.url_map.converters[{conv_name!r}] = YourConverter."
                )
            try:
                converter = cls(map, *args, **kwargs)
            except (TypeError, ValueError) as e:
                raise ValueError(
                    f"The converter {conv_name!r} in {template!r} rejected its arguments: {e}"
                ) from e
            try:
                sub_groups = re.compile(converter.regex).groups
            except re.error as e:
                raise ValueError(
                    f"The converter {conv_name!r} in {template!r} has an invalid regex"
                    f" {converter.regex!r}: {e}"
                ) from e
            self.converters[name] = converter
            self.variables.append((name, converter, groups + 1))
            groups += 1 + sub_groups
            pattern.append(f"({converter.regex})")
            self.build_steps.append((name, converter))
            segments[-1][1].append(converter)
            if not converter.part_isolating or "/" in converter.regex:
                self.isolating = False
        self.pattern = "".join(pattern)
        self.groups = groups
        try:
            self.regex = re.compile(self.pattern, re.DOTALL)
        except re.error as e:
            raise ValueError(f"The converters of {template!r} make an invalid regex: {e}") from e
        self.segments = tuple(_segment_key(*segment) for segment in segments)
        # The first segment's text when it is static and complete (a "/" follows it).
        self.first: str | None = None
        if len(segments) > 2 and not segments[1][1]:
            self.first = "".join(segments[1][0])
        self.slashes = sum(text.count(separator) for text, conv in self.build_steps if conv is None)
        self.static: str | None = None
        if not self.variables:
            self.static = "".join(p for p in parts if isinstance(p, str))
            if merge_slashes:
                self.static = _MULTIPLE_SLASHES.sub("/", self.static)

    def match(self, text: str) -> dict[str, t.Any] | None:
        """The converted values, or ``None`` (no match, or a converter said no)."""
        m = self.regex.fullmatch(text)
        if m is None:
            return None
        try:
            return {name: conv.to_python(m.group(index)) for name, conv, index in self.variables}
        except ValidationError:
            return None

    def build(self, values: t.Mapping[str, t.Any]) -> str:
        """The URL text for ``values`` (every variable must be present)."""
        out = []
        for text, converter in self.build_steps:
            out.append(text if converter is None else converter.to_url(values[text]))
        return "".join(out)


# -- rules --------------------------------------------------------------------------------------


class Rule:
    """One URL pattern and what it maps to.

    ``string`` is the pattern (``/user/<int:id>``); ``endpoint`` names what it leads to. The
    other options: ``defaults`` (values for variables the pattern lacks; also used to pick
    the rule when building), ``subdomain`` / ``host`` (a template, variables allowed),
    ``methods`` (``HEAD`` is added when ``GET`` is there; ``None`` accepts any method),
    ``build_only``, ``strict_slashes`` and ``merge_slashes`` (``None``: the map's
    setting), ``redirect_to`` (a template such as ``/new/<id>`` or a callable
    ``f(adapter, **values)``), ``alias`` (build other rules of the endpoint first) and
    ``websocket``. A malformed pattern raises :class:`ValueError` here; an unknown
    converter raises :class:`LookupError` when the rule is added to a map.
    """

    def __init__(
        self,
        string: str,
        defaults: t.Mapping[str, t.Any] | None = None,
        subdomain: str | None = None,
        methods: t.Iterable[str] | None = None,
        build_only: bool = False,
        endpoint: t.Any = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        redirect_to: str | t.Callable[..., str] | None = None,
        alias: bool = False,
        host: str | None = None,
        websocket: bool = False,
    ) -> None:
        if not string.startswith("/"):
            raise ValueError(f"The URL rule {string!r} must start with a slash ('/').")
        #: The pattern as given.
        self.rule = string
        #: The endpoint name (usually the view's name).
        self.endpoint: t.Any = endpoint
        #: Values for the view that the URL does not carry.
        self.defaults: dict[str, t.Any] | None = dict(defaults) if defaults is not None else None
        #: The subdomain template (``None`` until bound: then the map's default).
        self.subdomain = subdomain
        #: The host template for a map with ``host_matching`` (``None``: any host).
        self.host = host
        self.build_only = build_only
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_to = redirect_to
        self.alias = alias
        self.websocket = websocket
        #: Whether the application answers OPTIONS for this rule itself.
        self.provide_automatic_options = False
        method_set: set[str] | None = None
        if methods is not None:
            if isinstance(methods, str):
                raise TypeError(
                    f"methods must be a list of strings, such as [{methods!r}], not a string."
                )
            method_set = {method.upper() for method in methods}
            if "GET" in method_set:
                method_set.add("HEAD")
            if websocket and method_set - {"GET", "HEAD", "OPTIONS"}:
                raise ValueError("A websocket rule accepts only GET, HEAD and OPTIONS.")
        #: The accepted methods (upper case), or ``None`` for any.
        self.methods = method_set
        #: The map this rule is bound to.
        self.map: Map | None = None
        self._parts = _parse_template(string, "URL rule")
        #: Every name the rule knows: its variables and its defaults' keys.
        self.arguments: set[str] = set(self.defaults or ())
        for part in self._parts:
            if not isinstance(part, str):
                self.arguments.add(part[0])
        self._path: _Compiled
        self._domain: _Compiled | None = None
        self._converters: dict[str, BaseConverter] = {}
        self._required: set[str] = set()
        self._default_siblings: tuple[Rule, ...] = ()
        self._redirects = redirect_to is not None
        self._static_url: str | None = None
        self._static_domain = ""
        self._ends_with_slash = isinstance(self._parts[-1], str) and self._parts[-1][-1] == "/"

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        """Yield this rule (rule factories yield several)."""
        yield self

    def get_empty_kwargs(self) -> dict[str, t.Any]:
        """The constructor arguments of an unbound copy."""
        return {
            "defaults": self.defaults,
            "subdomain": self.subdomain,
            "methods": self.methods,
            "build_only": self.build_only,
            "endpoint": self.endpoint,
            "strict_slashes": self.strict_slashes,
            "merge_slashes": self.merge_slashes,
            "redirect_to": self.redirect_to,
            "alias": self.alias,
            "host": self.host,
            "websocket": self.websocket,
        }

    def empty(self) -> Rule:
        """An unbound copy, for adding to another map."""
        rv = type(self)(self.rule, **self.get_empty_kwargs())
        rv.provide_automatic_options = self.provide_automatic_options
        return rv

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach the rule to ``map`` and compile it against the map's converters."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"The rule {self!r} is already bound to {self.map!r}; add .empty().")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def compile(self) -> None:
        """Compile the pattern and the host/subdomain template."""
        assert self.map is not None, "bind the rule to a map first"
        map = self.map
        self._path = _Compiled(self._parts, map, self.rule, bool(self.merge_slashes), "/")
        self._converters = dict(self._path.converters)
        domain = self.host if map.host_matching else self.subdomain
        self._domain = None
        if domain is not None:
            self._domain = _Compiled(
                _parse_template(domain, "host" if map.host_matching else "subdomain"),
                map,
                domain,
                False,
                ".",
            )
            for name, converter in self._domain.converters.items():
                if name in self._converters:
                    raise ValueError(f"The variable {name!r} appears twice in {self!r}.")
                self._converters[name] = converter
                self.arguments.add(name)
        self._required = set(self._converters) - set(self.defaults or ())
        self._static_url = None
        if not self._converters:
            self._static_url = self._path.build({})
            self._static_domain = "" if self._domain is None else self._domain.build({})

    # -- matching and building helpers --------------------------------------------------------
    def _match_domain(self, domain: str) -> dict[str, t.Any] | None:
        compiled = self._domain
        if compiled is None:
            return {}
        if compiled.static is not None:
            return {} if compiled.static == domain else None
        return compiled.match(domain)

    def provides_defaults_for(self, rule: Rule) -> bool:
        """Whether this rule is the canonical URL when ``rule`` matches with its defaults."""
        return bool(
            not self.build_only
            and self.defaults
            and self.endpoint == rule.endpoint
            and self is not rule
            and self.arguments == rule.arguments
        )

    def suitable_for(self, values: t.Mapping[str, t.Any], method: str | None = None) -> bool:
        """Whether ``values`` and ``method`` can build this rule (defaults must agree)."""
        if method is not None and self.methods is not None and method not in self.methods:
            return False
        if not values.keys() >= self._required:
            return False
        defaults = self.defaults
        if defaults:
            for key, value in defaults.items():
                if key in values and values[key] != value:
                    return False
        return True

    def build(
        self, values: t.Mapping[str, t.Any], append_unknown: bool = True
    ) -> tuple[str, str] | None:
        """``(domain, path)`` for ``values``, or ``None`` when a value is missing.

        ``domain`` is the built host (host matching) or subdomain; ``path`` is quoted and
        carries the unknown values as a query string when ``append_unknown``.
        """
        if not values.keys() >= self._required:
            return None
        path = self._static_url
        if path is not None:
            # PERF: a rule without variables has its URL text computed once.
            domain = self._static_domain
        else:
            data = {**self.defaults, **values} if self.defaults else values
            path = self._path.build(data)
            compiled = self._domain
            if compiled is None:
                domain = ""
            elif compiled.static is not None:
                domain = compiled.static
            else:
                domain = compiled.build(data)
        if append_unknown and values:
            arguments = self.arguments
            extra = [(k, v) for k, v in values.items() if k not in arguments]
            if extra:
                map = self.map
                if map is not None and map.sort_parameters:
                    extra.sort(key=map.sort_key or (lambda kv: kv[0]))
                path = f"{path}?{_encode_query(extra)}"
        return domain, path

    def __repr__(self) -> str:
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<{type(self).__name__} {self.rule!r}{methods} -> {self.endpoint}>"


def _encode_query(items: t.Iterable[tuple[str, t.Any]]) -> str:
    """``a=1&b=x+y``: lists and tuples repeat the key, ``None`` is dropped."""
    out: list[str] = []
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else (value,)
        qkey = _quote_query(key)
        out.extend(f"{qkey}={_quote_query(v)}" for v in values if v is not None)
    return "&".join(out)


def _quote_query(value: t.Any) -> str:
    if type(value) is str and value.isalnum() and value.isascii():
        return value  # PERF: see BaseConverter.to_url
    if not isinstance(value, (str, bytes)):
        value = str(value)
    return quote(value, safe=_QUERY_SAFE + " ").replace(" ", "+")


# -- the compiled matcher ---------------------------------------------------------------------


# How to read a rule's values from a match: the names, their group numbers, and the
# (name, to_python) pairs of the values that need converting.
_Spec = tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[str, t.Callable[[str], t.Any]], ...]]
_Found = tuple["Rule", dict[str, t.Any]]
_SCAN: t.Any = object()  # "the first candidate did not fit; try them one by one"


def _conversion_spec(rule: Rule, first_group: int) -> _Spec:
    """The :data:`_Spec` of a rule whose alternative starts at group ``first_group``."""
    names = []
    indices = []
    convert = []
    for name, converter, index in rule._path.variables:
        names.append(name)
        indices.append(first_group + index)
        cls = type(converter)
        if cls.to_python is BaseConverter.to_python:
            continue  # PERF: the text is the value; no call at all.
        to_python: t.Callable[[str], t.Any] = converter.to_python
        if (
            cls.to_python is NumberConverter.to_python
            and isinstance(converter, NumberConverter)
            and not converter.fixed_digits
            and converter.min is None
            and converter.max is None
        ):
            # PERF: the regex already guarantees the digits; int()/float() is the
            # whole conversion.
            to_python = converter.num_convert
        convert.append((name, to_python))
    return tuple(names), tuple(indices), tuple(convert)


class _Group:
    """Dynamic rules that may match the same paths, tried as one regex in priority order."""

    __slots__ = ("entries", "regex", "rules")

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        # entries[n] is (rule, spec) when group n is the outer group of a rule's alternative.
        self.entries: list[tuple[Rule, _Spec] | None] = [None]
        alternatives = []
        for rule in rules:
            compiled = rule._path
            pattern = compiled.pattern
            if not rule.strict_slashes:
                pattern = (pattern[:-1] if rule._ends_with_slash else pattern) + "/?"
            outer = len(self.entries)
            self.entries.append((rule, _conversion_spec(rule, outer)))
            self.entries.extend([None] * compiled.groups)
            alternatives.append(f"({pattern})")
        # PERF: one regex over the alternatives, in priority order: the regex engine finds
        # the first matching rule in C instead of a Python loop over rules.
        self.regex: re.Pattern[str] | None
        try:
            self.regex = re.compile("|".join(alternatives), re.DOTALL)
        except re.error:  # custom converter regexes with clashing group names
            self.regex = None

    def first(self, path: str, domain: str, method: str, websocket: bool) -> t.Any:
        """The first rule of the group matching ``path``, ``None``, or ``_SCAN``."""
        if self.regex is None:
            return _SCAN
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        rule, spec = self.entries[m.lastindex]  # type: ignore[index,misc]
        compiled = rule._domain
        if (
            (compiled is None or compiled.static == domain)
            and (rule.methods is None or method in rule.methods)
            and rule.websocket is websocket
        ):
            names, indices, convert = spec
            # PERF: the values are read from the match in C (zip of one group() call).
            if len(indices) == 1:
                values = {names[0]: m.group(indices[0])}
            else:
                values = dict(zip(names, m.group(*indices), strict=True))
            try:
                for name, to_python in convert:
                    values[name] = to_python(values[name])
            except ValidationError:
                return _SCAN
            if rule.defaults:
                values = {**rule.defaults, **values}
            return rule, values
        return _SCAN


def _single_regex(rule: Rule) -> re.Pattern[str]:
    """The rule's own path regex (without strict slashes: a trailing slash is optional)."""
    if rule.strict_slashes:
        return rule._path.regex
    pattern = rule._path.pattern
    if rule._ends_with_slash:
        pattern = pattern[:-1]
    return re.compile(pattern + "/?", re.DOTALL)


class _Matcher:
    """The lookup structure for one map, built from its rules in priority order."""

    def __init__(self, map: Map) -> None:
        order = {id(rule): i for i, rule in enumerate(map._rules)}

        def sort_key(rule: Rule) -> tuple[t.Any, ...]:
            # Path first, then the host/subdomain (static, then patterns, then "any host"),
            # then registration order: see the module docstring.
            domain = rule._domain
            if domain is None:
                domain_key: tuple[t.Any, ...] = (2,)
            elif domain.static is not None:
                domain_key = (0,)
            else:
                domain_key = (1, domain.segments)
            return (rule._path.segments, domain_key, order[id(rule)])

        rules = sorted((rule for rule in map._rules if not rule.build_only), key=sort_key)
        #: path -> rules without variables, in priority order
        self.static: dict[str, list[Rule]] = {}
        dynamic: list[Rule] = []
        for rule in rules:
            static = rule._path.static
            if static is None:
                dynamic.append(rule)
                continue
            self.static.setdefault(static, []).append(rule)
            if not rule.strict_slashes and static != "/":
                toggled = static[:-1] if static.endswith("/") else static + "/"
                self.static.setdefault(toggled, []).append(rule)
        self.single: dict[int, re.Pattern[str]] = {
            id(rule): _single_regex(rule) for rule in dynamic
        }

        # A rule that can span "/" (path) fits every slash count from its minimum up; one
        # without strict slashes also fits the neighbouring count.
        def fits(rule: Rule, count: int) -> bool:
            slashes = rule._path.slashes
            if not rule._path.isolating:
                return count >= slashes - 1
            return slashes == count or (not rule.strict_slashes and abs(slashes - count) == 1)

        # PERF: dynamic rules are split by the number of "/" in the path they can match and
        # by their first segment when it is static, so a request runs the regex of at most
        # two small groups. A static first segment outranks a variable one, so trying the
        # group of the path's first segment before the group of variable first segments
        # keeps the priority order.
        def grouped(members: list[Rule]) -> dict[str | None, _Group]:
            by_first: dict[str | None, list[Rule]] = {}
            for rule in members:
                by_first.setdefault(rule._path.first, []).append(rule)
            return {first: _Group(group) for first, group in by_first.items()}

        top = max((rule._path.slashes for rule in dynamic), default=0) + 1
        self.dynamic: dict[int, dict[str | None, _Group]] = {
            count: grouped([rule for rule in dynamic if fits(rule, count)])
            for count in range(top + 1)
        }
        self.overflow = grouped([rule for rule in dynamic if not rule._path.isolating])

        # Rules that may redirect to a sibling providing the same values as defaults.
        for rule in rules:
            siblings = []
            if map.redirect_defaults:
                for other in map._rules_by_endpoint.get(rule.endpoint, ()):
                    if other is rule:
                        break
                    if other.provides_defaults_for(rule):
                        siblings.append(other)
            rule._default_siblings = tuple(siblings)
            rule._redirects = bool(siblings) or rule.redirect_to is not None

    def lookup(self, path: str, domain: str, method: str, websocket: bool) -> _Found | None:
        """The first rule matching everything, or ``None``; raises 405 and websocket errors."""
        candidates = self.static.get(path)
        if candidates is not None:
            rule = candidates[0]
            compiled = rule._domain
            # PERF: the common case (one rule, static subdomain, right method) is decided by
            # a few comparisons.
            if (
                len(candidates) == 1
                and (compiled is None or compiled.static == domain)
                and (rule.methods is None or method in rule.methods)
                and rule.websocket is websocket
            ):
                return rule, (dict(rule.defaults) if rule.defaults else {})
            return self._scan(path, domain, method, websocket)
        groups = self.dynamic.get(path.count("/"), self.overflow)
        end = path.find("/", 1)
        group = groups.get(path[1:end] if end > 0 else path[1:])
        if group is not None:
            found = group.first(path, domain, method, websocket)
            if found is not None:
                return self._scan(path, domain, method, websocket) if found is _SCAN else found
        group = groups.get(None)
        if group is not None:
            found = group.first(path, domain, method, websocket)
            if found is not None:
                return self._scan(path, domain, method, websocket) if found is _SCAN else found
        return None

    def _scan(self, path: str, domain: str, method: str, websocket: bool) -> _Found | None:
        """Try every candidate in priority order, collecting why each one failed."""
        candidates: list[tuple[Rule, dict[str, t.Any]]] = [
            (rule, {}) for rule in self.static.get(path, ())
        ]
        groups = self.dynamic.get(path.count("/"), self.overflow)
        end = path.find("/", 1)
        ordered = [groups.get(path[1:end] if end > 0 else path[1:]), groups.get(None)]
        for group in ordered:
            for rule in group.rules if group is not None else ():
                m = self.single[id(rule)].fullmatch(path)
                if m is None:
                    continue
                try:
                    values = {
                        name: conv.to_python(m.group(index))
                        for name, conv, index in rule._path.variables
                    }
                except ValidationError:
                    continue
                candidates.append((rule, values))
        allowed: set[str] = set()
        ws_mismatch = False
        for rule, values in candidates:
            domain_values = rule._match_domain(domain)
            if domain_values is None:
                continue
            if rule.methods is not None and method not in rule.methods:
                allowed.update(rule.methods)
                continue
            if rule.websocket is not websocket:
                ws_mismatch = True
                continue
            return rule, {**(rule.defaults or {}), **values, **domain_values}
        if allowed:
            raise MethodNotAllowed(valid_methods=sorted(allowed))
        if ws_mismatch:
            raise WebsocketMismatch()
        return None


# -- the map ----------------------------------------------------------------------------------


class Map:
    """The set of URL rules of an application (``app.url_map``).

    ``converters`` extends :attr:`converters`; ``strict_slashes``, ``merge_slashes`` and
    ``default_subdomain`` are defaults for rules; ``redirect_defaults`` redirects a URL whose
    values equal another rule's defaults to that rule; ``sort_parameters`` (with
    ``sort_key``) orders built query strings; ``host_matching`` matches rules by ``host``
    instead of ``subdomain``.
    """

    #: The converter classes every map starts with.
    default_converters = DEFAULT_CONVERTERS

    def __init__(
        self,
        rules: t.Iterable[t.Any] | None = None,
        default_subdomain: str = "",
        strict_slashes: bool = True,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
        converters: t.Mapping[str, type[BaseConverter]] | None = None,
        sort_parameters: bool = False,
        sort_key: t.Callable[[t.Any], t.Any] | None = None,
        host_matching: bool = False,
    ) -> None:
        self._rules: list[Rule] = []
        self._rules_by_endpoint: dict[t.Any, list[Rule]] = {}
        self._matcher: _Matcher | None = None
        self.default_subdomain = default_subdomain
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        self.host_matching = host_matching
        self.sort_parameters = sort_parameters
        self.sort_key = sort_key
        #: Converter name -> class; add your own: ``map.converters["list"] = ListConverter``.
        self.converters: dict[str, type[BaseConverter]] = dict(self.default_converters)
        if converters:
            self.converters.update(converters)
        for rule in rules or ():
            self.add(rule)

    def add(self, rulefactory: t.Any) -> None:
        """Add a :class:`Rule` (or anything with ``get_rules(map)``); compiled at once."""
        for rule in rulefactory.get_rules(self):
            rule.bind(self)
            self._rules.append(rule)
            by_endpoint = self._rules_by_endpoint.setdefault(rule.endpoint, [])
            by_endpoint.append(rule)
            # Build order: canonical (non-alias) rules first, then more arguments and
            # more defaults first; sort() is stable, so registration order breaks ties.
            by_endpoint.sort(key=lambda r: (r.alias, -len(r.arguments), -len(r.defaults or ())))
        self._matcher = None

    def update(self) -> None:
        """Rebuild the matcher now (it is otherwise rebuilt on the next match)."""
        self._matcher = _Matcher(self)

    def _get_matcher(self) -> _Matcher:
        # No lock: two threads racing on the first request both build the same matcher
        # from the same rules, and the attribute assignment is atomic.
        matcher = self._matcher
        if matcher is None:
            matcher = self._matcher = _Matcher(self)
        return matcher

    def iter_rules(self, endpoint: t.Any = None) -> t.Iterator[Rule]:
        """The rules (of ``endpoint`` only, if given), in registration order."""
        if endpoint is not None:
            return iter(self._rules_by_endpoint.get(endpoint, ()))
        return iter(self._rules)

    def is_endpoint_expecting(self, endpoint: t.Any, *arguments: str) -> bool:
        """Whether some rule of ``endpoint`` needs all of ``arguments`` to be built."""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint.get(endpoint, ()))

    def bind(
        self,
        server_name: str,
        script_name: str | None = None,
        subdomain: str | None = None,
        url_scheme: str = "http",
        default_method: str = "GET",
        path_info: str | None = None,
        query_args: t.Any = None,
    ) -> MapAdapter:
        """An adapter for ``server_name`` (outside a request, or for tests)."""
        if subdomain is None:
            subdomain = self.default_subdomain
        return MapAdapter(
            self,
            server_name.lower(),
            script_name or "/",
            subdomain,
            url_scheme,
            path_info or "/",
            default_method,
            query_args,
        )

    def bind_to_environ(
        self,
        environ: WSGIEnvironment | t.Any,
        server_name: str | None = None,
        subdomain: str | None = None,
    ) -> MapAdapter:
        """An adapter for a WSGI request (``environ`` may also be a request object).

        The host is the Host header (lower case, default port stripped); a malformed one
        raises :class:`~erlen.exceptions.BadHost` (400). With ``subdomain=None`` and not
        host matching, the subdomain is what the host has before ``server_name``; a host
        outside ``server_name`` matches no rule (404), without a warning. A path that is
        not UTF-8 is kept as an error that :meth:`MapAdapter.match` raises (400).
        """
        if not isinstance(environ, dict):
            environ = environ.environ
        # PERF: only what matching needs is read; no IDNA, and the path is decoded only
        # when it is not ASCII. The usual Host (a lower-case name, maybe with a port that is
        # not the default one) passes one regular expression; anything else takes the full
        # check of get_host.
        host = environ.get("HTTP_HOST")
        scheme = environ.get("wsgi.url_scheme", "http")
        if not host or _plain_host(host) is None or host.endswith(_DEFAULT_PORT_SUFFIXES):
            host = get_host(environ).lower()
            if "[" in host or "]" in host:
                _check_ip_literal(host)
        if "HTTP_UPGRADE" in environ and _is_websocket_upgrade(environ):
            scheme = "wss" if scheme == "https" else "ws"
        domain_ok = True
        server_name = host if server_name is None else server_name.lower()
        if subdomain is None and not self.host_matching:
            subdomain = _subdomain_of(host, server_name)
            if subdomain is None:
                subdomain = "<invalid>"
                domain_ok = False
        script_name = environ.get("SCRIPT_NAME", "")
        if not script_name.isascii():
            script_name = script_name.encode("latin-1", "replace").decode("utf-8", "replace")
        path_info = environ.get("PATH_INFO") or "/"
        path_error: HTTPException | None = None
        if not path_info.isascii():
            try:
                path_info = path_info.encode("latin-1").decode("utf-8")
            except UnicodeError:
                path_error = BadRequest("The URL path is not valid UTF-8.")
                path_info = path_info.encode("latin-1", "replace").decode("utf-8", "replace")
        adapter = MapAdapter(
            self,
            server_name,
            script_name or "/",
            subdomain if subdomain is not None else "",
            scheme,
            path_info,
            environ.get("REQUEST_METHOD", "GET").upper(),
            environ.get("QUERY_STRING", ""),
        )
        if not domain_ok:
            adapter._domain = None
        adapter._path_error = path_error
        return adapter

    def __repr__(self) -> str:
        return f"{type(self).__name__}([{', '.join(map(repr, self._rules))}])"


_plain_host = re.compile(r"[a-z0-9][a-z0-9.\-]*(?::[0-9]{1,5})?").fullmatch
# A Host ending in a default port has it removed by get_host (":80" for https is kept
# there; the slow path sorts that out).
_DEFAULT_PORT_SUFFIXES = (":80", ":443")


def _check_ip_literal(host: str) -> None:
    name = host
    if host.startswith("[") and "]" in host:
        name, _, rest = host[1:].partition("]")
        port_ok = not rest or (rest[0] == ":" and rest[1:].isdigit())
        if port_ok and name and "[" not in name:
            return
    raise BadHost(f"The Host header {host!r} is not a valid host name.")


def _is_websocket_upgrade(environ: WSGIEnvironment) -> bool:
    connection = environ.get("HTTP_CONNECTION", "").lower()
    return environ.get("HTTP_UPGRADE", "").lower() == "websocket" and any(
        token.strip() == "upgrade" for token in connection.split(",")
    )


def _subdomain_of(host: str, server_name: str) -> str | None:
    """The part of ``host`` before ``server_name`` ("" for the name itself), or ``None``."""
    if ":" not in server_name and not server_name.endswith("]"):
        host = host.rpartition(":")[0] if ":" in host and not host.endswith("]") else host
    if host == server_name:
        return ""
    if host.endswith("." + server_name):
        return host[: -len(server_name) - 1]
    return None


# -- the adapter ----------------------------------------------------------------------------


class MapAdapter:
    """A :class:`Map` bound to one request (or server name): matches and builds URLs."""

    # PERF: one adapter is made per request; slots make creating it and reading its
    # attributes cheaper.
    __slots__ = (
        "_domain",
        "_path_error",
        "_script_root",
        "default_method",
        "map",
        "path_info",
        "query_args",
        "script_name",
        "server_name",
        "subdomain",
        "url_scheme",
        "websocket",
    )

    def __init__(
        self,
        map: Map,
        server_name: str,
        script_name: str,
        subdomain: str,
        url_scheme: str,
        path_info: str,
        default_method: str,
        query_args: t.Any = None,
    ) -> None:
        #: The map.
        self.map = map
        #: The host (host matching) or the server name subdomains are relative to.
        self.server_name = server_name
        #: Where the application is mounted.
        self.script_name = script_name
        #: The request's subdomain ("" for none; "<invalid>" outside ``server_name``).
        self.subdomain = subdomain
        #: ``http``, ``https``, ``ws`` or ``wss``.
        self.url_scheme = url_scheme
        #: The path to match when :meth:`match` gets none (decoded text).
        self.path_info = path_info if path_info[:1] == "/" else "/" + path_info
        #: The method to match (and to build for) when none is given.
        self.default_method = default_method.upper()
        #: The query string kept on redirects (a string or a mapping).
        self.query_args = query_args
        #: Whether this is a websocket request.
        self.websocket = url_scheme in ("ws", "wss")
        # What rules' host/subdomain templates are matched against; None matches nothing.
        self._domain: str | None = server_name if map.host_matching else subdomain
        self._path_error: HTTPException | None = None
        self._script_root: str | None = None

    # -- matching -----------------------------------------------------------------------------
    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: bool = False,
        query_args: t.Any = None,
        websocket: bool | None = None,
    ) -> tuple[t.Any, dict[str, t.Any]]:
        """``(endpoint, values)`` (or ``(rule, values)``) for the path.

        Raises :class:`~erlen.exceptions.NotFound`,
        :class:`~erlen.exceptions.MethodNotAllowed` (with the sorted allowed methods),
        :class:`RequestRedirect` (slashes, defaults, ``redirect_to``),
        :class:`WebsocketMismatch` or :class:`~erlen.exceptions.BadRequest` (a request
        path that is not UTF-8).
        """
        map = self.map
        matcher = map._matcher or map._get_matcher()
        if path_info is None:
            if self._path_error is not None:
                raise self._path_error
            path = self.path_info
        else:
            path = path_info if path_info[:1] == "/" else "/" + path_info
        method = method.upper() if method else self.default_method
        if websocket is None:
            websocket = self.websocket
        domain = self._domain
        if domain is None:
            raise NotFound()

        if "//" in path and map.merge_slashes:
            merged = _MULTIPLE_SLASHES.sub("/", path)
            found = self._probe(matcher, merged, domain, method, websocket)
            if found is not None and found[0].merge_slashes:
                raise RequestRedirect(self._redirect_url(merged, query_args))

        found = matcher.lookup(path, domain, method, websocket)
        if found is None:
            if path[-1] != "/":
                found = self._probe(matcher, path + "/", domain, method, websocket)
                if found is not None and found[0].strict_slashes and found[0]._ends_with_slash:
                    raise RequestRedirect(self._redirect_url(path + "/", query_args))
            raise NotFound()
        rule, values = found
        if rule._redirects:
            self._redirect_for(rule, values, method, query_args)
        return (rule if return_rule else rule.endpoint), values

    def _probe(
        self, matcher: _Matcher, path: str, domain: str, method: str, websocket: bool
    ) -> _Found | None:
        try:
            return matcher.lookup(path, domain, method, websocket)
        except HTTPException:
            return None

    def _redirect_for(
        self, rule: Rule, values: dict[str, t.Any], method: str, query_args: t.Any
    ) -> None:
        """Raise the redirect of a ``redirect_to`` rule, or to a rule whose defaults fit."""
        if rule.redirect_to is not None:
            raise RequestRedirect(self._redirect_to(rule, values))
        for sibling in rule._default_siblings:
            if sibling.suitable_for(values, method):
                built = sibling.build({**values, **(sibling.defaults or {})}, False)
                if built is not None:
                    url = self._external(built[0], built[1], sibling, query_args)
                    raise RequestRedirect(url)

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Whether the path matches (a redirect counts as a match)."""
        try:
            self.match(path_info, method)
        except RequestRedirect:
            pass
        except HTTPException:
            return False
        return True

    def allowed_methods(self, path_info: str | None = None) -> list[str]:
        """The methods the path accepts, sorted (``[]`` when nothing matches)."""
        try:
            self.match(path_info, method="\x00")
        except MethodNotAllowed as e:
            return list(e.valid_methods or ())
        except HTTPException:
            pass
        return []

    # -- URLs -----------------------------------------------------------------------------------
    def _host(self, domain: str) -> str:
        """The host for a built domain part (a host, or a subdomain of the server name)."""
        if self.map.host_matching:
            host = domain or self.server_name
        else:
            host = f"{domain}.{self.server_name}" if domain else self.server_name
        if not host.isascii():
            name, sep, port = host.rpartition(":") if ":" in host else (host, "", "")
            host = name.encode("idna").decode("ascii") + sep + port
        return host

    def _script(self) -> str:
        """The script name without its trailing slash, percent-encoded (computed once)."""
        script = self._script_root
        if script is None:
            script = self.script_name.rstrip("/")
            if _NEEDS_QUOTING.search(script) is not None:
                script = quote(script, safe=_PATH_SAFE)
            self._script_root = script
        return script

    def _redirect_url(self, path: str, query_args: t.Any) -> str:
        """The absolute URL of ``path`` (decoded text) on this host, with the query."""
        return self._external(self._domain or "", quote(path, safe=_PATH_SAFE), None, query_args)

    def _external(
        self, domain: str, quoted_path: str, rule: Rule | None, query_args: t.Any = None
    ) -> str:
        scheme = self.url_scheme
        if rule is not None:
            scheme = _scheme_for(scheme, rule.websocket)
        url = f"{scheme}://{self._host(domain)}{self._script()}{quoted_path}"
        if query_args is None:
            query_args = self.query_args
        if query_args:
            if isinstance(query_args, str):
                # The raw query string, as the client sent it (WSGI: bytes as latin-1).
                query = quote(query_args.encode("latin-1", "replace"), safe=_RAW_QUERY_SAFE)
            else:
                query = _encode_query(_items(query_args))
            if query:
                url = f"{url}?{query}"
        return url

    def _redirect_to(self, rule: Rule, values: dict[str, t.Any]) -> str:
        target = rule.redirect_to
        if isinstance(target, str):
            converters = rule._converters

            def substitute(m: re.Match[str]) -> str:
                name = m.group("name")
                converter = converters.get(name) or BaseConverter(self.map)
                return converter.to_url(values[name])

            url = _VARIABLE_RE.sub(substitute, target)
        else:
            url = target(self, **values)  # type: ignore[misc]
        base = f"{self.url_scheme}://{self._host(self._domain or '')}{self._script()}/"
        return urljoin(base, url)

    def build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any] | None = None,
        method: str | None = None,
        force_external: bool = False,
        append_unknown: bool = True,
        url_scheme: str | None = None,
    ) -> str:
        """The URL of ``endpoint`` with ``values``; raises :class:`BuildError` if impossible.

        Values that are not rule variables become the query string (lists and MultiDict
        values repeat the key; ``None`` values are dropped). The rule is the first of the
        endpoint whose defaults agree with the values and that accepts ``method`` (without
        one, rules accepting the adapter's method are preferred). The URL is relative to
        the host unless ``force_external``, the rule's host or subdomain differs from the
        bound one, or the scheme differs.
        """
        data: dict[str, t.Any]
        if not values:
            data = {}
        elif type(values) is dict:
            # PERF: url_for passes a plain dict; a MultiDict needs its lists read.
            data = {k: v for k, v in values.items() if v is not None}
        else:
            lists = getattr(values, "lists", None)
            if callable(lists):
                data = {k: (v[0] if len(v) == 1 else v) for k, v in lists() if v}
            else:
                data = dict(values)
            data = {k: v for k, v in data.items() if v is not None}
        rules = self.map._rules_by_endpoint.get(endpoint, ())
        reason: list[str] = []
        found = None
        if method is None:
            found = self._build_with(rules, data, self.default_method, append_unknown, reason)
        if found is None:
            found = self._build_with(rules, data, method, append_unknown, reason)
            if found is None:
                raise BuildError(endpoint, data, method, self, reason[0] if reason else None)
        rule, domain, path = found
        bound = self._domain
        if rule._domain is None:  # host matching, rule for any host
            domain = bound or self.server_name
        scheme = url_scheme or self.url_scheme
        if rule.websocket or scheme[:2] == "ws":
            scheme = _scheme_for(scheme, rule.websocket)
        if not force_external and domain == bound and scheme == self.url_scheme:
            return self._script() + path
        return f"{scheme}://{self._host(domain)}{self._script()}{path}"

    def _build_with(
        self,
        rules: t.Iterable[Rule],
        values: dict[str, t.Any],
        method: str | None,
        append_unknown: bool,
        reason: list[str],
    ) -> tuple[Rule, str, str] | None:
        for rule in rules:
            if not rule.suitable_for(values, method):
                continue
            try:
                built = rule.build(values, append_unknown)
            except ValueError as e:  # a converter refused the value
                reason.append(f"The rule {rule.rule!r} refused a value: {e}")
                continue
            if built is not None:
                return rule, built[0], built[1]
        return None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.url_scheme}://{self._host(self._domain or '')}"
            f"{self.script_name}>"
        )


def _scheme_for(scheme: str, websocket: bool) -> str:
    """The scheme for a rule: ws/wss for websocket rules, http/https otherwise."""
    if websocket:
        return {"http": "ws", "https": "wss"}.get(scheme, scheme)
    return {"ws": "http", "wss": "https"}.get(scheme, scheme)


def _items(obj: t.Any) -> list[tuple[str, t.Any]]:
    lists = getattr(obj, "lists", None)
    if callable(lists):
        return [(k, v) for k, v in lists()]
    if isinstance(obj, t.Mapping):
        return list(obj.items())
    return list(obj)

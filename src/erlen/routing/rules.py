"""Rules: parsing rule strings, compiling them against a map, and building their URLs."""

from __future__ import annotations

import ast
import re
import typing as t
from urllib.parse import quote

from .converters import _PATH_SAFE, BaseConverter
from .exceptions import ValidationError

if t.TYPE_CHECKING:
    from .map import Map

# Characters left unescaped in a query string (space becomes "+").
_QUERY_SAFE = "!$'()*,/:;?@"

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
_BARE_ARG = re.compile(r"^\s*(?:(?P<key>[A-Za-z_]\w*)\s*=\s*)?(?P<value>[\w.\-]+)\s*$")


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

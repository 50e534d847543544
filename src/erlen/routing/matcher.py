"""The compiled matcher: a dict for static paths, grouped regexes for the rest.

The priority order it implements, and how a request is matched, are described in the
docstring of :mod:`erlen.routing`.
"""

from __future__ import annotations

import re
import typing as t

from ..exceptions import MethodNotAllowed
from .converters import BaseConverter, NumberConverter
from .exceptions import ValidationError, WebsocketMismatch

if t.TYPE_CHECKING:
    from .map import Map
    from .rules import Rule


# How to read a rule's values from a match: (name, group number, to_python or None) for
# each variable, None meaning the matched text is the value.
_Spec = tuple[tuple[str, int, t.Callable[[str], t.Any] | None], ...]
_Found = tuple["Rule", dict[str, t.Any]]
_SCAN: t.Any = object()  # "the first candidate did not fit; try them one by one"


def _conversion_spec(rule: Rule, first_group: int) -> _Spec:
    """The :data:`_Spec` of a rule whose alternative starts at group ``first_group``."""
    fields: list[tuple[str, int, t.Callable[[str], t.Any] | None]] = []
    for name, converter, index in rule._path.variables:
        cls = type(converter)
        to_python: t.Callable[[str], t.Any] | None = converter.to_python
        if cls.to_python is BaseConverter.to_python:
            to_python = None  # PERF: the text is the value; no call at all.
        elif (
            cls.to_python is NumberConverter.to_python
            and isinstance(converter, NumberConverter)
            and not converter.fixed_digits
            and converter.min is None
            and converter.max is None
        ):
            # PERF: the regex already guarantees the digits; int()/float() is the
            # whole conversion.
            to_python = converter.num_convert
        fields.append((name, first_group + index, to_python))
    return tuple(fields)


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
            # PERF: a plain loop; dict(zip(names, m.group(*indices))) costs twice as much.
            values = {}
            try:
                for name, index, to_python in spec:
                    value = m.group(index)
                    values[name] = value if to_python is None else to_python(value)
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
            # then registration order: see the docstring of erlen.routing.
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

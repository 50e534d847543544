"""The map of an application's rules, and the adapter that matches and builds URLs."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote, urljoin

from ..exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from ..wsgi import get_host
from .converters import _PATH_SAFE, DEFAULT_CONVERTERS, BaseConverter
from .exceptions import BuildError, RequestRedirect
from .matcher import _Found, _Matcher
from .rules import _MULTIPLE_SLASHES, _VARIABLE_RE, Rule, _encode_query

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

# What a preserved raw query string may keep when it is copied into a Location header.
_RAW_QUERY_SAFE = "!$&'()*+,/:;=?@%[]"
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,/:;=@]")


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
        # when it is not ASCII. A Host header seen before is one set lookup (see
        # _known_hosts); anything else takes the full check of get_host.
        header: t.Any = environ.get("HTTP_HOST")
        host: str = header if header in _known_hosts else _checked_host(environ, header)
        scheme = environ.get("wsgi.url_scheme", "http")
        if "HTTP_UPGRADE" in environ and _is_websocket_upgrade(environ):
            scheme = "wss" if scheme == "https" else "ws"
        domain: str | None
        server_name = host if server_name is None else server_name.lower()
        if self.host_matching:
            domain = server_name
            if subdomain is None:
                subdomain = ""
        elif subdomain is None:
            domain = subdomain = _subdomain_of(host, server_name)
            if subdomain is None:  # outside SERVER_NAME: no rule matches
                subdomain = "<invalid>"
        else:
            domain = subdomain
        script_name = environ.get("SCRIPT_NAME") or "/"
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
        if path_info[0] != "/":
            path_info = "/" + path_info
        # PERF: the adapter's slots are filled directly: __init__ would normalise again
        # what was normalised above.
        adapter = MapAdapter.__new__(MapAdapter)
        adapter.map = self
        adapter.server_name = server_name
        adapter.script_name = script_name
        adapter.subdomain = subdomain
        adapter.url_scheme = scheme
        adapter.path_info = path_info
        adapter.default_method = environ.get("REQUEST_METHOD", "GET").upper()
        adapter.query_args = environ.get("QUERY_STRING", "")
        adapter.websocket = scheme == "ws" or scheme == "wss"
        adapter._domain = domain
        adapter._path_error = path_error
        adapter._script_root = None
        return adapter

    def __repr__(self) -> str:
        return f"{type(self).__name__}([{', '.join(map(repr, self._rules))}])"


# A lower-case name of at most 253 characters and a port below 60000 (higher ports take the
# full check, which compares them with 65535).
_plain_host = re.compile(r"[a-z0-9][a-z0-9.\-]{0,252}(?::[1-5]?[0-9]{1,4})?").fullmatch
# A Host ending in a default port has it removed by get_host (":80" for https is kept
# there), so such a header is never taken as is.
_DEFAULT_PORT_SUFFIXES = (":80", ":443")
# PERF: Host headers that passed the check and need no normalising, so that the next
# request with the same header skips the regular expression (~0.4 µs). Cleared when full,
# so that a client sending many hosts cannot grow it without bound.
_known_hosts: set[str | None] = set()
_KNOWN_HOSTS_MAX = 256


def _checked_host(environ: WSGIEnvironment, header: str | None) -> str:
    """The request's host, checked (BadHost) and normalised; remembers a plain header."""
    if header and _plain_host(header) is not None and not header.endswith(_DEFAULT_PORT_SUFFIXES):
        if len(_known_hosts) >= _KNOWN_HOSTS_MAX:
            _known_hosts.clear()
        _known_hosts.add(header)
        return header
    return get_host(environ).lower()


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

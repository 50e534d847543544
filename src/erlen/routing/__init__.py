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

The package's modules: :mod:`~erlen.routing.converters` (the converters),
:mod:`~erlen.routing.rules` (:class:`Rule` and rule-string parsing),
:mod:`~erlen.routing.matcher` (the compiled matcher described above),
:mod:`~erlen.routing.map` (:class:`Map`, :class:`MapAdapter`, binding and building) and
:mod:`~erlen.routing.exceptions`. Import the public names from ``erlen.routing`` itself.
"""

from __future__ import annotations

from .converters import DEFAULT_CONVERTERS as DEFAULT_CONVERTERS
from .converters import AnyConverter as AnyConverter
from .converters import BaseConverter as BaseConverter
from .converters import FloatConverter as FloatConverter
from .converters import IntegerConverter as IntegerConverter
from .converters import NumberConverter as NumberConverter
from .converters import PathConverter as PathConverter
from .converters import UnicodeConverter as UnicodeConverter
from .converters import UUIDConverter as UUIDConverter
from .exceptions import BuildError as BuildError
from .exceptions import RequestRedirect as RequestRedirect
from .exceptions import RoutingException as RoutingException
from .exceptions import ValidationError as ValidationError
from .exceptions import WebsocketMismatch as WebsocketMismatch
from .map import Map as Map
from .map import MapAdapter as MapAdapter
from .rules import Rule as Rule

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

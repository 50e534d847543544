"""The routing errors: redirects raised by matching, failed builds, converter rejections."""

from __future__ import annotations

import difflib
import typing as t

from ..exceptions import BadRequest, HTTPException

if t.TYPE_CHECKING:
    from ..wrappers.response import Response
    from .map import MapAdapter
    from .rules import Rule


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
        from ..utils import redirect

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

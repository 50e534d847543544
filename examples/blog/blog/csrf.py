"""A per-session CSRF token that every HTML form sends back in a hidden field.

Templates write ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">`` in each
form; a POST from another site cannot know the token, so it is refused with a 400.

The JSON API is exempt: its views accept only ``application/json`` bodies, which a page on
another site can send only after a CORS preflight that the blog never answers, and the session
cookie is ``SameSite=Lax`` besides.
"""

from __future__ import annotations

import hmac
import secrets

from erlen import Erlen, abort, request, session

#: Methods that change something and so must carry the token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Blueprints whose views authenticate JSON requests only (see the module docstring).
EXEMPT_BLUEPRINTS = frozenset({"api"})


def generate_csrf_token() -> str:
    """The session's token, made on first use (available as ``csrf_token()`` in templates)."""
    token = session.get("csrf_token")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def check_csrf_token() -> None:
    """Refuse a form POST whose token is missing or is not the session's."""
    if request.method not in UNSAFE_METHODS or request.blueprint in EXEMPT_BLUEPRINTS:
        return
    if request.routing_exception is not None:
        return  # no view will run: let the 404 or 405 through
    expected = session.get("csrf_token")
    sent = request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not hmac.compare_digest(
        sent.encode("utf-8", "replace"), expected.encode("utf-8", "replace")
    ):
        abort(
            400,
            description="The form's security token is missing or has expired."
            " Go back, reload the page and send the form again.",
        )


def init_app(app: Erlen) -> None:
    """Check the token before every view and give templates ``csrf_token()``."""
    app.before_request(check_csrf_token)
    app.add_template_global(generate_csrf_token, "csrf_token")

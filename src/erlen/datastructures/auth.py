"""The Authorization and WWW-Authenticate headers (RFC 9110, 11)."""

from __future__ import annotations

import base64
import typing as t

from .structures import CallbackDict

if t.TYPE_CHECKING:
    pass


# token68 (RFC 9110, 11.2): the opaque credential of Bearer and friends.
_TOKEN68_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/")


def _is_token68(value: str) -> bool:
    body = value.rstrip("=")
    return bool(body) and all(c in _TOKEN68_CHARS for c in body)


def _split_scheme(value: str) -> tuple[str, str]:
    scheme, _, rest = value.strip().partition(" ")
    return scheme.lower(), rest.strip()


class Authorization:
    """A parsed Authorization header: ``type`` (lower-case), and either ``parameters``
    (Basic's username and password, Digest's fields) or a ``token`` (Bearer).

    Parameters are also attributes (``auth.realm``); missing ones are ``None``.
    """

    def __init__(
        self,
        auth_type: str,
        data: t.Mapping[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        self.type = auth_type.lower()
        self.parameters: dict[str, str | None] = dict(data or {})
        self.token = token

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse a header value; ``None`` when it is absent or malformed."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if not scheme:
            return None
        if scheme == "basic":
            try:
                decoded = base64.b64decode(rest, validate=True).decode("utf-8")
            except (ValueError, UnicodeError):
                return None
            username, sep, password = decoded.partition(":")
            if not sep:
                return None
            return cls(scheme, {"username": username, "password": password})
        if not rest:
            return cls(scheme)
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, http.parse_dict_header(rest))

    def to_header(self) -> str:
        """The header value."""
        if self.type == "basic":
            credentials = f"{self.username or ''}:{self.password or ''}".encode()
            return f"Basic {base64.b64encode(credentials).decode('ascii')}"
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        if self.parameters:
            return f"{scheme} {http.dump_header(self.parameters)}"
        return scheme

    @property
    def username(self) -> str | None:
        """The username (Basic, Digest)."""
        return self.parameters.get("username")

    @property
    def password(self) -> str | None:
        """The password (Basic)."""
        return self.parameters.get("password")

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name == "parameters":
            raise AttributeError(name)
        return self.parameters.get(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (self.type, self.token, self.parameters) == (
            other.type,
            other.token,
            other.parameters,
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class WWWAuthenticate:
    """A WWW-Authenticate challenge: ``type``, ``parameters`` (``realm``, ...) or a token.

    Parameters are also attributes: ``challenge.realm = "api"`` sets one (and calls
    ``on_update``, if given).
    """

    _own = frozenset({"type", "parameters", "token", "on_update"})

    def __init__(
        self,
        auth_type: str,
        values: t.Mapping[str, str | None] | None = None,
        token: str | None = None,
        on_update: t.Callable[[WWWAuthenticate], None] | None = None,
    ) -> None:
        object.__setattr__(self, "type", auth_type.lower())
        object.__setattr__(self, "parameters", CallbackDict(values, self._changed))
        object.__setattr__(self, "token", token)
        object.__setattr__(self, "on_update", on_update)

    type: str
    parameters: CallbackDict[str, str | None]
    token: str | None
    on_update: t.Callable[[WWWAuthenticate], None] | None

    def _changed(self, _: object = None) -> None:
        if self.on_update is not None:
            self.on_update(self)

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a header value (the first challenge); ``None`` when absent."""
        if not value:
            return None
        scheme, rest = _split_scheme(value)
        if not scheme:
            return None
        if not rest:
            return cls(scheme)
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, http.parse_dict_header(rest))

    def to_header(self) -> str:
        """The header value, such as ``Basic realm="erlen"``."""
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        if self.parameters:
            items = ", ".join(
                k if v is None else f"{k}={http.quote_header_value(v, allow_token=False)}"
                for k, v in self.parameters.items()
            )
            return f"{scheme} {items}"
        return scheme

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or name in self._own:
            raise AttributeError(name)
        return self.parameters.get(name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name in self._own:
            object.__setattr__(self, name, value)
            if name != "on_update":
                self._changed()
        elif value is None:
            self.parameters.pop(name, None)
        else:
            self.parameters[name] = value

    def __delattr__(self, name: str) -> None:
        self.parameters.pop(name, None)

    def get(self, key: str, default: str | None = None) -> str | None:
        """A parameter, or ``default``."""
        return self.parameters.get(key, default)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def __setitem__(self, key: str, value: str | None) -> None:
        self.__setattr__(key, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (self.type, self.token, dict(self.parameters)) == (
            other.type,
            other.token,
            dict(other.parameters),
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# At the end, because erlen.http imports this package; the functions here only look it up when
# called, so either module may be imported first.
from .. import http  # noqa: E402

"""Sessions: the interface, and the signed-cookie implementation compatible with Flask's."""

from __future__ import annotations

import collections.abc as cabc
import functools
import hashlib
import hmac
import typing as t
from datetime import UTC, datetime

from .datastructures import CallbackDict
from .utils import cached_property

if t.TYPE_CHECKING:
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from .app import Erlen
    from .wrappers import Request, Response


class SessionMixin(cabc.MutableMapping[str, t.Any]):
    """What every session object offers besides being a dict."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``PERMANENT_SESSION_LIFETIME``)."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Always False for the built-in sessions (kept for compatibility).
    new = False
    #: Whether the session changed and must be saved.
    modified = True
    #: Whether the session was read, which makes the response vary on Cookie.
    accessed = True


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The session stored in a signed cookie.

    ``modified`` is set by top-level changes only: after changing a nested value, set
    ``session.modified = True`` yourself. Any access, even ``in`` or ``len``, sets
    ``accessed`` so that the response carries ``Vary: Cookie``.
    """

    modified = False
    accessed = False

    def __init__(
        self, initial: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None
    ) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def __iter__(self) -> t.Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def keys(self) -> t.KeysView[str]:  # type: ignore[override]
        self.accessed = True
        return super().keys()

    def values(self) -> t.ValuesView[t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().values()

    def items(self) -> t.ItemsView[str, t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().items()


class NullSession(SecureCookieSession):
    """The session used without a secret key: it can be read, but not changed."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set SECRET_KEY on the"
            " application (app.secret_key = ... or app.config['SECRET_KEY']) to a long random"
            " value, for example from `python -c 'import secrets; print(secrets.token_hex())'`."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail
    __ior__ = _fail


class SessionInterface:
    """How sessions are opened and saved. Subclass it for server-side sessions and set
    ``app.session_interface``. The cookie helpers read the ``SESSION_COOKIE_*`` settings."""

    #: The class of the session used when :meth:`open_session` returns None.
    null_session_class: type[SessionMixin] = NullSession
    #: Whether sessions are pickled (informational).
    pickle_based = False

    def make_null_session(self, app: Erlen) -> SessionMixin:
        """The session used when none could be loaded (no secret key)."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session (which is never saved)."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Erlen) -> str:
        """``SESSION_COOKIE_NAME``."""
        return t.cast(str, app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: Erlen) -> str | None:
        """``SESSION_COOKIE_DOMAIN`` (None: the cookie is for the request's host only)."""
        return t.cast("str | None", app.config["SESSION_COOKIE_DOMAIN"])

    def get_cookie_path(self, app: Erlen) -> str:
        """``SESSION_COOKIE_PATH``, else ``APPLICATION_ROOT``."""
        return t.cast(str, app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"])

    def get_cookie_httponly(self, app: Erlen) -> bool:
        """``SESSION_COOKIE_HTTPONLY``."""
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: Erlen) -> bool:
        """``SESSION_COOKIE_SECURE``."""
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: Erlen) -> str | None:
        """``SESSION_COOKIE_SAMESITE``."""
        return t.cast("str | None", app.config["SESSION_COOKIE_SAMESITE"])

    def get_cookie_partitioned(self, app: Erlen) -> bool:
        """``SESSION_COOKIE_PARTITIONED``."""
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: Erlen, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; None for a browser-session cookie."""
        if session.permanent:
            return datetime.now(UTC) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Erlen, session: SessionMixin) -> bool:
        """Whether to send the cookie: the session changed, or it is permanent and
        ``SESSION_REFRESH_EACH_REQUEST`` is on."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )

    def open_session(self, app: Erlen, request: Request) -> SessionMixin | None:
        """Load the session for a request; None means "use a null session"."""
        raise NotImplementedError

    def save_session(self, app: Erlen, session: SessionMixin, response: Response) -> None:
        """Store the session (for cookie sessions: set or delete the cookie)."""
        raise NotImplementedError


def _lazy_sha1(string: bytes = b"") -> t.Any:
    # Looked up when first used, so that FIPS builds without SHA-1 can still import Erlen.
    return hashlib.sha1(string)


class _SharedSerializer:
    """Made on first use (importing the tag module and MarkupSafe then), then shared."""

    _value: t.Any = None

    def __get__(self, obj: object, owner: type[t.Any] | None = None) -> t.Any:
        if self._value is None:
            from .json.tag import TaggedJSONSerializer

            self._value = TaggedJSONSerializer()
        return self._value


@functools.cache
def _signer_class() -> type[TimestampSigner]:
    """itsdangerous' TimestampSigner, remembering derived keys.

    itsdangerous derives the signing key (an HMAC of the salt) on every sign and verify, and
    makes a new signer each time, so the cache is on the class: the key is the same for the
    same secret, salt and method, and the cookies are byte for byte what Flask writes.
    """
    from itsdangerous import TimestampSigner
    from itsdangerous.signer import HMACAlgorithm, SigningAlgorithm

    class OneShotSHA1(SigningAlgorithm):
        """HMAC-SHA1 in one call into OpenSSL: the same signature as HMACAlgorithm's."""

        def get_signature(self, key: bytes, value: bytes) -> bytes:
            return hmac.digest(key, value, "sha1")

    one_shot_sha1 = OneShotSHA1()

    class CachedKeySigner(TimestampSigner):
        _derived: t.ClassVar[dict[tuple[t.Any, ...], bytes]] = {}

        def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
            super().__init__(*args, **kwargs)
            # PERF: hmac.new() with a digest function (as itsdangerous calls it) runs the
            # pure-Python HMAC; for the default SHA-1 the one-shot C call gives the same bytes.
            if type(self.algorithm) is HMACAlgorithm and self.digest_method is _lazy_sha1:
                self.algorithm = one_shot_sha1

        def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
            if secret_key is None:
                secret_key = self.secret_keys[-1]
            cache_key = (secret_key, self.salt, self.key_derivation, self.digest_method)
            # PERF: two HMACs per request saved (one to open, one to save the session).
            try:
                return self._derived[cache_key]
            except (KeyError, TypeError):
                pass
            rv = super().derive_key(secret_key)
            try:
                if len(self._derived) >= 64:
                    self._derived.clear()
                self._derived[cache_key] = rv
            except TypeError:
                pass
            return rv

    return CachedKeySigner


@functools.cache
def _serializer_class() -> type[URLSafeTimedSerializer]:
    """itsdangerous' URLSafeTimedSerializer, keeping its signers."""
    from itsdangerous import URLSafeTimedSerializer

    class SignerKeepingSerializer(URLSafeTimedSerializer):
        def make_signer(self, salt: str | bytes | None = None) -> t.Any:
            # PERF: itsdangerous makes a new signer on every dumps and loads; a signer holds
            # only its settings, so one per salt serves every request (and every thread).
            signers: dict[t.Any, t.Any] = self.__dict__.setdefault("_erlen_signers", {})
            signer = signers.get(salt)
            if signer is None:
                signer = signers[salt] = super().make_signer(salt)
            return signer

    return SignerKeepingSerializer


def __getattr__(name: str) -> t.Any:
    if name == "session_json_serializer":
        return SecureCookieSessionInterface.serializer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a cookie signed with itsdangerous, byte-compatible with Flask's: salt
    ``cookie-session``, HMAC key derivation, SHA-1, and the tagged JSON serializer."""

    salt = "cookie-session"
    digest_method = staticmethod(_lazy_sha1)
    key_derivation = "hmac"
    session_class = SecureCookieSession

    #: The tagged JSON serializer, shared by every instance (Flask's
    #: ``session_json_serializer``): register extra tags on it with
    #: ``app.session_interface.serializer.register(...)``.
    serializer: t.Any = _SharedSerializer()

    def get_signing_serializer(self, app: Erlen) -> URLSafeTimedSerializer | None:
        """The itsdangerous serializer, or None without ``SECRET_KEY``.

        The keys are ``[*SECRET_KEY_FALLBACKS, SECRET_KEY]``: itsdangerous signs with the last
        one, so new cookies are always signed with the current key, while the fallbacks
        only verify cookies signed before a rotation.
        """
        secret_key = app.secret_key
        if not secret_key:
            return None
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        keys = (*fallbacks, secret_key) if fallbacks else (secret_key,)
        serializer = self.serializer
        cache_key = (keys, self.salt, self.key_derivation, self.digest_method, serializer)
        # PERF: building the itsdangerous serializer on each open and save is measurable;
        # it depends only on the keys and the class settings, so it is reused.
        try:
            return self._signing_serializers[cache_key]
        except (KeyError, TypeError):  # TypeError: an unhashable key, such as a bytearray
            pass
        rv = _serializer_class()(
            list(keys),
            salt=self.salt,
            serializer=serializer,
            signer=_signer_class(),
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
        try:
            if len(self._signing_serializers) >= 16:  # keys rotated many times: start over
                self._signing_serializers.clear()
            self._signing_serializers[cache_key] = rv
        except TypeError:
            pass
        return rv

    @cached_property
    def _signing_serializers(self) -> dict[t.Any, URLSafeTimedSerializer]:
        return {}

    def open_session(self, app: Erlen, request: Request) -> SecureCookieSession | None:
        """Load the session from its cookie; a missing, tampered or expired cookie gives an
        empty session (never an error)."""
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        # PERF: ``import itsdangerous`` of the loaded package is a dict lookup;
        # ``from itsdangerous import ...`` in a function goes through importlib (~0.5 µs).
        import itsdangerous

        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = s.loads(value, max_age=max_age)
        except (itsdangerous.BadSignature, ValueError, TypeError, UnicodeError):
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: Erlen, session: SessionMixin, response: Response) -> None:
        """Set, refresh or delete the cookie; add ``Vary: Cookie`` whenever the session was
        read (even by ``in`` or ``len``)."""
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)

        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # pragma: no cover - open_session gave a null session
            return
        value = serializer.dumps(dict(session))
        response.set_cookie(
            name,
            value,
            expires=self.get_expiration_time(app, session),
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
        )
        response.vary.add("Cookie")

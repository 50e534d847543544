"""Signed-cookie sessions: wire compatibility with Flask 3.1, and every setting and bad input.

The golden cookies below were made ONCE by real Flask 3.1.3 (itsdangerous 2.2) with a
throwaway script outside the repository, run with bench/.venv/bin/python (Flask is never a
dependency of Erlen or its tests). The script set ``app.secret_key = "erlen-golden-secret"``,
pinned itsdangerous' timestamp to 1735689600 (2025-01-01T00:00:00Z) by replacing
``TimestampSigner.get_timestamp``, and, inside ``app.test_request_context()`` as a real
request would be (so that ``app.json`` sorts the keys), printed
``SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)`` for each payload
of ``GOLDEN`` (and ``{"user": "old"}`` signed with ``"erlen-old-secret"``).

The other direction was checked once with the same kind of script: a cookie set by an Erlen
view (a permanent session holding a str, a nested tuple, bytes, Markup, a UUID, a datetime and
a dict with a tag-like key) was read back by Flask's ``get_signing_serializer(app).loads`` to
the same values. Here, Erlen's output is shown to be byte for byte the cookie Flask wrote for
the same payload and timestamp, and to decode with plain itsdangerous + the tag format.
"""

from __future__ import annotations

import base64
import json
import typing as t
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import itsdangerous
import itsdangerous.timed
import pytest
from markupsafe import Markup

from erlen import Erlen, flash, get_flashed_messages, session
from erlen.sessions import (
    NullSession,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
)
from erlen.wrappers import Request, Response

SECRET = "erlen-golden-secret"
GOLDEN_TIMESTAMP = 1735689600  # 2025-01-01T00:00:00Z, the pinned signing time

GOLDEN: dict[str, tuple[dict[str, t.Any], str]] = {
    "str_int": (
        {"user": "ada", "n": 42},
        "eyJuIjo0MiwidXNlciI6ImFkYSJ9.Z3SFgA.NNWD934RXNmAFxrs_zUPJ28aEX8",
    ),
    "nested": (
        {"prefs": {"theme": "dark", "langs": ["en", "de"], "deep": {"a": [1, 2.5, None, True]}}},
        "eyJwcmVmcyI6eyJkZWVwIjp7ImEiOlsxLDIuNSxudWxsLHRydWVdfSwibGFuZ3MiOlsiZW4iLCJkZSJdLCJ0"
        "aGVtZSI6ImRhcmsifX0.Z3SFgA.o4culXB5WeG-0aIOmzsuhbuR9WA",
    ),
    "tuple_bytes": (
        {"t": (1, "two", (3,)), "b": b"\x00\xffbin"},
        ".eJyrVkpSsqpWUgCSSo4BlpmJ4Sa2SrU6SiVgUSAZbQjklOcr6UC5xrG1sbW1AJpnD20.Z3SFgA.FZtjinb1"
        "bt15KnLyAiD7RQBCizs",
    ),
    "markup_uuid_dt": (
        {
            "m": Markup("<b>hi</b>"),
            "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "d": datetime(2024, 5, 17, 12, 30, 45, tzinfo=UTC),
        },
        ".eJyrVkpRsqpWUgCSSm5FmToKhuYKvomVCkYGRiYKhkZWxgZWJqYK7r4hSrU6SrlgpUBSySbJLiPTRj_JDiR"
        "cChYGkkqGRsYmpmbmFrhopdpaAB0qGvw.Z3SFgA.EnFng40KI018iJNGh738CBgVg74",
    ),
    "permanent_flashes": (
        {"_permanent": True, "_flashes": [("message", "Saved"), ("error", "Bad <input>")]},
        ".eJyrVopPy0kszkgtVrKKrlZSKAFSSrmpxcWJ6alKOkrBiWWpKUqxtTowqdSiovwioIRTYoqCTWZeQWmJHVA"
        "6VkcpviC1KDcxLzUPqKykqDS1FgAx-B3y.Z3SFgA._EHZQ_oDPn120H29PIpUWJEhshM",
    ),
    "tag_like_key": (
        {"x": {" t": "not a tuple"}, "unicode": "naïve ☃"},
        "eyJ1bmljb2RlIjoibmFcdTAwZWZ2ZSBcdTI2MDMiLCJ4Ijp7IiBkaSI6eyIgdF9fIjoibm90IGEgdHVwbGUi"
        "fX19.Z3SFgA.9sdJrwzei0UL921AAZrGXersRSQ",
    ),
}
# Made by the same script outside any app context, where Flask's tagged serializer does not
# sort keys: such cookies (from a script or a job) are read all the same.
UNSORTED_COOKIE = "eyJ1c2VyIjoiYWRhIiwibiI6NDJ9.Z3SFgA.DL1ns110-kB10TpnDss8gtOeWSY"
OLD_KEY = "erlen-old-secret"
OLD_KEY_COOKIE = "eyJ1c2VyIjoib2xkIn0.Z3SFgA.dvqlzN3oi0vJarYR0vBQE7LubH8"


@pytest.fixture
def sapp() -> Erlen:
    """An app with the golden secret and a lifetime long enough for the 2025 cookies."""
    app = Erlen("sapp")
    app.config["TESTING"] = True
    app.secret_key = SECRET
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365 * 200)

    @app.route("/dump")
    def dump() -> str:
        return repr(sorted(session.items()))

    return app


def _set_cookie_value(rv: Response, name: str = "session") -> str | None:
    for header in rv.headers.getlist("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar[name].value
    return None


def _decode_with_itsdangerous(value: str, secret: str = SECRET) -> t.Any:
    """Decode a session cookie with plain itsdangerous and a hand-written untagger."""
    return itsdangerous.URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1},
    ).loads(value)


# -- Flask -> Erlen ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_reads_flask_cookies(sapp: Erlen, name: str) -> None:
    payload, cookie = GOLDEN[name]
    with sapp.test_request_context(headers={"Cookie": f"session={cookie}"}):
        opened = sapp.session_interface.open_session(sapp, Request(_environ_of(sapp, cookie)))
    assert opened is not None
    assert dict(opened) == payload
    for key, value in payload.items():
        assert type(opened[key]) is type(value)
    if name == "tuple_bytes":
        assert opened["t"] == (1, "two", (3,))
        assert isinstance(opened["t"][2], tuple)
    if name == "markup_uuid_dt":
        assert isinstance(opened["m"], Markup)
        assert opened["d"].tzinfo is not None


def _environ_of(app: Erlen, cookie: str) -> dict[str, t.Any]:
    from erlen.testing import EnvironBuilder

    builder = EnvironBuilder(app, "/", headers={"Cookie": f"session={cookie}"})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def test_reads_flask_cookie_with_unsorted_keys(sapp: Erlen) -> None:
    rv = sapp.test_client().get("/dump", headers={"Cookie": f"session={UNSORTED_COOKIE}"})
    assert rv.text == "[('n', 42), ('user', 'ada')]"


def test_flask_permanent_session_and_flashes_in_a_request(sapp: Erlen) -> None:
    @sapp.route("/flashes")
    def flashes() -> t.Any:
        return {
            "permanent": session.permanent,
            "messages": get_flashed_messages(with_categories=True),
        }

    client = sapp.test_client()
    client.set_cookie("session", GOLDEN["permanent_flashes"][1])
    rv = client.get("/flashes")
    assert rv.json == {
        "permanent": True,
        "messages": [["message", "Saved"], ["error", "Bad <input>"]],
    }
    # The messages were consumed, so the saved session no longer holds them.
    assert client.get("/flashes").json["messages"] == []


# -- Erlen -> Flask ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_writes_the_same_bytes_as_flask(
    sapp: Erlen, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: GOLDEN_TIMESTAMP
    )
    payload, cookie = GOLDEN[name]

    @sapp.route("/write")
    def write() -> str:
        session.update(payload)
        return "ok"

    rv = sapp.test_client().get("/write")
    assert _set_cookie_value(rv) == cookie


def test_written_cookie_decodes_with_itsdangerous_and_the_tag_format(sapp: Erlen) -> None:
    @sapp.route("/write")
    def write() -> str:
        session["t"] = (1, 2)
        session["b"] = b"\x01\x02"
        session["u"] = uuid.UUID(int=5)
        session["m"] = Markup("<i>")
        session["d"] = datetime(2024, 5, 17, 12, 30, 45, tzinfo=UTC)
        session["x"] = {" t": 1}
        session["plain"] = {"k": [1, "v"]}
        return "ok"

    value = _set_cookie_value(sapp.test_client().get("/write"))
    assert value is not None
    raw = _decode_with_itsdangerous(value)
    assert raw == {
        "t": {" t": [1, 2]},
        "b": {" b": base64.b64encode(b"\x01\x02").decode()},
        "u": {" u": "00000000000000000000000000000005"},
        "m": {" m": "<i>"},
        "d": {" d": "Fri, 17 May 2024 12:30:45 GMT"},
        "x": {" di": {" t__": 1}},
        "plain": {"k": [1, "v"]},
    }
    # Compact JSON with sorted keys, as Flask writes it.
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        data = zlib.decompress(data)
    assert data == json.dumps(raw, separators=(",", ":"), sort_keys=True).encode()


# -- rotation -----------------------------------------------------------------------------------


def test_secret_key_fallbacks_verify_but_never_sign(sapp: Erlen) -> None:
    @sapp.route("/touch")
    def touch() -> str:
        session["seen"] = True
        return str(session.get("user"))

    client = sapp.test_client()
    client.set_cookie("session", OLD_KEY_COOKIE)
    assert client.get("/dump").text == "[]"  # a retired key, not listed: empty session

    sapp.config["SECRET_KEY_FALLBACKS"] = [OLD_KEY]
    assert client.get("/dump").text == "[('user', 'old')]"
    rv = client.get("/touch")
    assert rv.text == "old"
    new_cookie = _set_cookie_value(rv)
    assert new_cookie is not None
    # Signed with the current key (CVE-2025-47278), not the fallback.
    assert _decode_with_itsdangerous(new_cookie, SECRET) == {"seen": True, "user": "old"}
    with pytest.raises(itsdangerous.BadSignature):
        _decode_with_itsdangerous(new_cookie, OLD_KEY)


def test_changing_the_secret_key_invalidates_cookies(sapp: Erlen) -> None:
    client = sapp.test_client()
    client.set_cookie("session", GOLDEN["str_int"][1])
    assert "ada" in client.get("/dump").text
    sapp.secret_key = "another key"
    assert client.get("/dump").text == "[]"


# -- bad input ----------------------------------------------------------------------------------

GOOD = GOLDEN["str_int"][1]


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param(GOOD[:-1] + ("A" if GOOD[-1] != "A" else "B"), id="tampered-signature"),
        pytest.param("eyJ1c2VyIjoiZXZlIn0" + GOOD[GOOD.index(".") :], id="tampered-payload"),
        pytest.param(GOOD[: len(GOOD) // 2], id="truncated"),
        pytest.param(GOOD.rsplit(".", 1)[0], id="no-signature"),
        pytest.param("not base64 at all!!.@@@.###", id="non-base64"),
        pytest.param("...", id="only-dots"),
        pytest.param(".eJzz" + GOOD[GOOD.index(".") :], id="bad-zlib"),
        pytest.param("x" * 8000, id="oversized"),
        pytest.param("é☃" * 10, id="non-ascii"),
        pytest.param(OLD_KEY_COOKIE, id="retired-key"),
    ],
)
def test_bad_cookies_give_an_empty_session(sapp: Erlen, cookie: str) -> None:
    with sapp.test_request_context(headers={"Cookie": f"session={cookie}"}):
        assert dict(session) == {}
    rv = sapp.test_client().get("/dump", headers={"Cookie": f"session={cookie}"})
    assert (rv.status_code, rv.text) == (200, "[]")


def test_validly_signed_non_dict_gives_empty_session(sapp: Erlen) -> None:
    s = sapp.session_interface.get_signing_serializer(sapp)  # type: ignore[attr-defined]
    for value in ([1, 2], "text", 5, None):
        cookie = s.dumps(value)
        rv = sapp.test_client().get("/dump", headers={"Cookie": f"session={cookie}"})
        assert rv.text == "[]"


def test_expired_cookie_gives_empty_session(sapp: Erlen) -> None:
    # The golden cookies were signed on 2025-01-01; 31 days (Flask's default) have passed.
    sapp.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=31)
    client = sapp.test_client()
    client.set_cookie("session", GOOD)
    assert client.get("/dump").text == "[]"
    # The check applies to non-permanent sessions too; an int lifetime (seconds) works.
    sapp.config["PERMANENT_SESSION_LIFETIME"] = 10**10
    assert "ada" in client.get("/dump").text


# -- no secret key ------------------------------------------------------------------------------


def test_no_secret_key_null_session(sapp: Erlen) -> None:
    sapp.secret_key = None

    @sapp.route("/write")
    def write() -> str:
        session["x"] = 1
        return "no"

    client = sapp.test_client()
    client.set_cookie("session", GOOD)
    rv = client.get("/dump")
    assert rv.text == "[]"
    assert "Set-Cookie" not in rv.headers
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        client.get("/write")
    with sapp.test_request_context():
        assert isinstance(session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        assert session.get("x") is None
        for attempt in (
            lambda: session.update(a=1),
            lambda: session.setdefault("a", 1),
            lambda: session.pop("a"),
            lambda: session.clear(),
            lambda: session.popitem(),
            lambda: session.__delitem__("a"),
        ):
            with pytest.raises(RuntimeError, match="secret key"):
                attempt()
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            flash("no key")


# -- the session object -------------------------------------------------------------------------


def test_modified_accessed_permanent_flags() -> None:
    s = SecureCookieSession({"a": {"n": 1}})
    assert (s.modified, s.accessed, s.permanent, s.new) == (False, False, False, False)
    s.accessed = False
    s["a"]["n"] = 2  # nested change: read, but not modified
    assert (s.modified, s.accessed) == (False, True)
    s["b"] = 1
    assert s.modified
    s2 = SecureCookieSession()
    s2.permanent = True
    assert s2.modified
    assert s2.permanent
    assert s2["_permanent"] is True
    s2.permanent = False
    assert not s2.permanent


@pytest.mark.parametrize(
    "touch",
    [
        pytest.param(lambda s: "x" in s, id="in"),
        pytest.param(lambda s: len(s), id="len"),
        pytest.param(lambda s: s.get("x"), id="get"),
        pytest.param(lambda s: list(s), id="iter"),
        pytest.param(lambda s: s.keys(), id="keys"),
        pytest.param(lambda s: s.values(), id="values"),
        pytest.param(lambda s: s.items(), id="items"),
        pytest.param(lambda s: s.setdefault("x", 1), id="setdefault"),
        pytest.param(lambda s: s.get("x", None), id="getitem"),
        pytest.param(lambda s: bool(s), id="bool"),
    ],
)
def test_any_access_adds_vary_cookie(sapp: Erlen, touch: t.Callable[[t.Any], t.Any]) -> None:
    # CVE-2026-27205: key-only access must mark the session accessed too.
    @sapp.route("/touch")
    def touched() -> str:
        touch(session)
        return "ok"

    rv = sapp.test_client().get("/touch")
    assert "Cookie" in rv.headers.get("Vary", "")


def test_untouched_session_is_never_opened(sapp: Erlen, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = SecureCookieSessionInterface.open_session

    def spy(self: t.Any, app: Erlen, request: Request) -> t.Any:
        calls.append("open")
        return original(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", spy)
    sapp.add_url_rule("/plain", "plain", lambda: "plain")
    client = sapp.test_client()
    client.set_cookie("session", GOOD)
    rv = client.get("/plain")
    assert calls == []
    assert "Vary" not in rv.headers
    assert "Set-Cookie" not in rv.headers
    client.get("/dump")
    assert calls == ["open"]


# -- saving -------------------------------------------------------------------------------------


def _cookie_attrs(rv: Response) -> dict[str, str]:
    header = rv.headers["Set-Cookie"]
    attrs: dict[str, str] = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attrs[key.lower()] = value
    return attrs


def test_every_cookie_setting(sapp: Erlen) -> None:
    sapp.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
    )

    @sapp.route("/app/set")
    def set_() -> str:
        session["a"] = 1
        return "ok"

    rv = sapp.test_client().get("/app/set", base_url="https://example.test")
    header = rv.headers["Set-Cookie"]
    assert header.startswith("sid=")
    attrs = _cookie_attrs(rv)
    assert attrs["domain"] == "example.test"
    assert attrs["path"] == "/app"
    assert "httponly" not in attrs
    assert "secure" in attrs
    assert attrs["samesite"] == "Lax"
    assert "partitioned" in attrs
    assert "expires" not in attrs  # a browser-session cookie


def test_default_cookie_flags_and_application_root(sapp: Erlen) -> None:
    sapp.config["APPLICATION_ROOT"] = "/root"

    @sapp.route("/set")
    def set_() -> str:
        session["a"] = 1
        return "ok"

    rv = sapp.test_client().get("/set")
    attrs = _cookie_attrs(rv)
    assert attrs["path"] == "/root"
    assert "httponly" in attrs
    assert "secure" not in attrs
    assert "samesite" not in attrs
    assert "domain" not in attrs  # does not fall back to SERVER_NAME
    assert rv.headers["Vary"] == "Cookie"


def test_permanent_session_expiry_and_refresh(sapp: Erlen) -> None:
    sapp.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)

    @sapp.route("/login")
    def login() -> str:
        session.permanent = True
        session["u"] = 1
        return "ok"

    @sapp.route("/read")
    def read() -> str:
        return str(session.get("u"))

    @sapp.route("/nothing")
    def nothing() -> str:
        return "nothing"

    client = sapp.test_client()
    rv = client.get("/login")
    expires = datetime.strptime(_cookie_attrs(rv)["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    delta = expires.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=58) < delta <= timedelta(hours=2)
    # SESSION_REFRESH_EACH_REQUEST: a permanent session is re-sent when read, with Vary.
    rv = client.get("/read")
    assert rv.text == "1"
    assert "Set-Cookie" in rv.headers
    assert rv.headers["Vary"] == "Cookie"
    # A request that never opens the session refreshes nothing.
    assert "Set-Cookie" not in client.get("/nothing").headers
    sapp.config["SESSION_REFRESH_EACH_REQUEST"] = False
    rv = client.get("/read")
    assert "Set-Cookie" not in rv.headers
    assert rv.headers["Vary"] == "Cookie"


def test_emptied_session_is_deleted_with_the_same_flags(sapp: Erlen) -> None:
    sapp.config.update(
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )

    @sapp.route("/logout")
    def logout() -> str:
        session.clear()
        return "bye"

    @sapp.route("/empty-read")
    def empty_read() -> str:
        return str(session.get("x"))

    client = sapp.test_client()
    client.set_cookie("session", GOOD, domain="example.test")
    rv = client.get("/logout", base_url="https://example.test")
    attrs = _cookie_attrs(rv)
    assert rv.headers["Set-Cookie"].startswith("session=;")
    assert attrs["max-age"] == "0"
    assert "1970" in attrs["expires"]
    assert attrs["domain"] == "example.test"
    assert attrs["samesite"] == "Strict"
    assert {"secure", "httponly", "partitioned"} <= set(attrs)
    assert rv.headers["Vary"] == "Cookie"
    # Empty and unmodified: nothing to send, but it was read.
    rv = sapp.test_client().get("/empty-read")
    assert "Set-Cookie" not in rv.headers
    assert rv.headers["Vary"] == "Cookie"


def test_unmodified_non_permanent_session_is_not_resent(sapp: Erlen) -> None:
    client = sapp.test_client()
    client.set_cookie("session", GOOD)
    rv = client.get("/dump")
    assert "ada" in rv.text
    assert "Set-Cookie" not in rv.headers
    assert rv.headers["Vary"] == "Cookie"


def test_nested_change_needs_modified(sapp: Erlen) -> None:
    @sapp.route("/init")
    def init() -> str:
        session["cart"] = []
        return "ok"

    @sapp.route("/add")
    def add() -> str:
        session["cart"].append("x")
        return "ok"

    @sapp.route("/add-marked")
    def add_marked() -> str:
        session["cart"].append("y")
        session.modified = True
        return "ok"

    @sapp.route("/cart")
    def cart() -> str:
        return ",".join(session["cart"])

    client = sapp.test_client()
    client.get("/init")
    assert "Set-Cookie" not in client.get("/add").headers
    assert client.get("/cart").text == ""
    client.get("/add-marked")
    assert client.get("/cart").text == "y"


def test_session_interface_is_configurable_and_serializer_is_shared(sapp: Erlen) -> None:
    from erlen import sessions

    a, b = SecureCookieSessionInterface(), SecureCookieSessionInterface()
    assert a.serializer is b.serializer is sessions.session_json_serializer
    with pytest.raises(AttributeError):
        sessions.no_such_thing  # noqa: B018
    # The signing serializer is reused until the keys change.
    s1 = a.get_signing_serializer(sapp)
    assert s1 is a.get_signing_serializer(sapp)
    sapp.config["SECRET_KEY_FALLBACKS"] = ["old"]
    assert a.get_signing_serializer(sapp) is not s1
    sapp.secret_key = bytearray(b"unhashable key")
    s2 = a.get_signing_serializer(sapp)
    assert s2 is not None
    assert s2.loads(s2.dumps({"k": 1})) == {"k": 1}


def test_signing_serializer_cache_is_bounded(sapp: Erlen) -> None:
    from erlen.sessions import _signer_class

    iface = SecureCookieSessionInterface()
    for i in range(70):
        sapp.secret_key = f"key {i}"
        s = iface.get_signing_serializer(sapp)
        assert s is not None
        assert s.loads(s.dumps({"i": i})) == {"i": i}
    assert len(iface._signing_serializers) <= 16
    assert len(_signer_class()._derived) <= 64  # type: ignore[attr-defined]


def test_custom_tag_registered_on_the_shared_serializer(sapp: Erlen) -> None:
    from erlen.json.tag import JSONTag

    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

    class TagMoney(JSONTag):
        key = " money"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, Money)

        def to_json(self, value: t.Any) -> t.Any:
            return value.cents

        def to_python(self, value: t.Any) -> t.Any:
            return Money(value)

    serializer = sapp.session_interface.serializer  # type: ignore[attr-defined]
    serializer.register(TagMoney, index=0)
    try:

        @sapp.route("/pay")
        def pay() -> str:
            session["price"] = Money(250)
            return "ok"

        @sapp.route("/price")
        def price() -> str:
            return str(session["price"].cents)

        client = sapp.test_client()
        client.get("/pay")
        assert client.get("/price").text == "250"
    finally:
        serializer.order.remove(serializer.tags.pop(" money"))


# -- custom backends and the test client --------------------------------------------------------


class MemorySessionInterface(SessionInterface):
    """A server-side store keyed by a random id cookie."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, t.Any]] = {}

    def open_session(self, app: Erlen, request: Request) -> SessionMixin | None:
        sid = request.cookies.get(self.get_cookie_name(app))
        data = self.store.get(sid or "", {})
        sess = SecureCookieSession(data)
        sess.sid = sid or uuid.uuid4().hex  # type: ignore[attr-defined]
        return sess

    def save_session(self, app: Erlen, session: SessionMixin, response: Response) -> None:
        if not session.modified:
            return
        sid = session.sid  # type: ignore[attr-defined]
        self.store[sid] = dict(session)
        response.set_cookie(
            self.get_cookie_name(app),
            sid,
            httponly=self.get_cookie_httponly(app),
            path=self.get_cookie_path(app),
            expires=self.get_expiration_time(app, session),
        )


def test_custom_session_interface(sapp: Erlen) -> None:
    iface = MemorySessionInterface()
    sapp.session_interface = iface

    @sapp.route("/set")
    def set_() -> str:
        session["n"] = 7
        return "ok"

    @sapp.route("/get")
    def get() -> str:
        return str(session.get("n"))

    client = sapp.test_client()
    client.get("/set")
    assert client.get("/get").text == "7"
    assert list(iface.store.values()) == [{"n": 7}]
    with client.session_transaction() as sess:
        sess["n"] = 8
    assert client.get("/get").text == "8"


def test_base_interface_defaults(sapp: Erlen) -> None:
    base = SessionInterface()
    assert isinstance(base.make_null_session(sapp), NullSession)
    assert base.is_null_session(NullSession())
    assert not base.is_null_session(SecureCookieSession())
    assert base.pickle_based is False
    permanent = SecureCookieSession({"_permanent": True})
    assert base.get_expiration_time(sapp, permanent) is not None
    assert base.get_expiration_time(sapp, SecureCookieSession()) is None
    assert base.should_set_cookie(sapp, permanent)
    assert not base.should_set_cookie(sapp, SecureCookieSession())
    with pytest.raises(NotImplementedError):
        base.open_session(sapp, Request({}))


def test_session_transaction(sapp: Erlen) -> None:
    client = sapp.test_client()
    with client.session_transaction() as sess:
        sess["user"] = "tx"
        sess["t"] = (1,)
    assert client.get("/dump").text == "[('t', (1,)), ('user', 'tx')]"
    with client.session_transaction() as sess:
        assert sess["user"] == "tx"
        sess.clear()
    assert client.get("/dump").text == "[]"


def test_session_transaction_needs_cookies(sapp: Erlen) -> None:
    client = sapp.test_client(use_cookies=False)
    with pytest.raises(TypeError, match="use_cookies"), client.session_transaction():
        pass


def test_flash_signal_and_categories(sapp: Erlen) -> None:
    from erlen import message_flashed

    seen: list[tuple[str, str]] = []

    def receiver(sender: Erlen, message: str, category: str) -> None:
        seen.append((category, message))

    @sapp.route("/flash")
    def do_flash() -> str:
        flash("one")
        flash("two", "error")
        flash(Markup("<b>three</b>"), "info")
        return "ok"

    @sapp.route("/show")
    def show() -> t.Any:
        first = get_flashed_messages()
        second = get_flashed_messages(with_categories=True, category_filter=["error", "info"])
        return {"first": first, "second": second, "again": get_flashed_messages()}

    with message_flashed.connected_to(receiver, sapp):
        client = sapp.test_client()
        client.get("/flash")
    assert seen == [("message", "one"), ("error", "two"), ("info", "<b>three</b>")]
    data = client.get("/show").json
    assert data["first"] == ["one", "two", "<b>three</b>"]
    assert data["second"] == [["error", "two"], ["info", "<b>three</b>"]]
    assert data["again"] == data["first"]  # cached on the request context
    assert client.get("/show").json["first"] == []


def test_flash_survives_to_the_next_request_only(sapp: Erlen) -> None:
    @sapp.route("/flash")
    def do_flash() -> str:
        flash("hello")
        return "ok"

    @sapp.route("/nothing")
    def nothing() -> str:
        return "no session use"

    client = sapp.test_client()
    client.get("/flash")
    client.get("/nothing")  # does not touch the session: the message waits
    with client.session_transaction() as sess:
        assert sess["_flashes"] == [("message", "hello")]
    assert client.get("/dump").text == "[('_flashes', [('message', 'hello')])]"

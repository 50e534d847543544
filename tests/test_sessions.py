"""The session as the core request cycle uses it (wire compatibility is tested with issue 4)."""

from __future__ import annotations

import pytest

from erlen import Erlen, session


def test_session_round_trip_and_vary(app: Erlen) -> None:
    @app.route("/login")
    def login() -> str:
        session["user"] = "ada"
        return "in"

    @app.route("/whoami")
    def whoami() -> str:
        return str(session.get("user"))

    @app.route("/untouched")
    def untouched() -> str:
        return "no session"

    client = app.test_client()
    rv = client.get("/login")
    assert "session=" in rv.headers["Set-Cookie"]
    assert "HttpOnly" in rv.headers["Set-Cookie"]
    assert rv.headers["Vary"] == "Cookie"
    assert client.get("/whoami").text == "ada"
    untouched_rv = client.get("/untouched")
    assert "Vary" not in untouched_rv.headers
    assert "Set-Cookie" not in untouched_rv.headers


def test_tampered_cookie_gives_empty_session(app: Erlen) -> None:
    app.add_url_rule("/", "v", lambda: str(dict(session)))
    client = app.test_client()
    client.set_cookie("session", "eyJ1c2VyIjoiZXZlIn0.bad.signature")
    assert client.get("/").text == "{}"


def test_no_secret_key_reads_but_refuses_writes(app: Erlen) -> None:
    app.secret_key = None
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.route("/read")
    def read() -> str:
        return str(session.get("x"))

    @app.route("/write")
    def write() -> str:
        session["x"] = 1
        return "written"

    client = app.test_client()
    assert client.get("/read").text == "None"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        client.get("/write")


def test_in_and_len_mark_session_accessed(app: Erlen) -> None:
    @app.route("/")
    def check() -> str:
        return str("x" in session)

    assert app.test_client().get("/").headers["Vary"] == "Cookie"


def test_signer_is_made_once_per_salt(app: Erlen) -> None:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    assert serializer.make_signer(b"cookie-session") is serializer.make_signer(b"cookie-session")
    assert serializer.make_signer(b"other") is not serializer.make_signer(b"cookie-session")
    # The default SHA-1 signs in one OpenSSL call (the golden Flask cookies prove the bytes).
    assert type(serializer.make_signer(b"cookie-session").algorithm).__name__ == "OneShotSHA1"


def test_a_custom_digest_method_still_signs_and_verifies() -> None:
    import hashlib

    from erlen.sessions import SecureCookieSessionInterface

    class SHA256Sessions(SecureCookieSessionInterface):
        digest_method = staticmethod(hashlib.sha256)

    def cookie_of(interface: SecureCookieSessionInterface) -> str:
        app = Erlen("digest")
        app.secret_key = "k"
        app.session_interface = interface

        @app.get("/set")
        def set_value() -> str:
            session["n"] = 1
            return "ok"

        @app.get("/get")
        def get_value() -> str:
            return str(session.get("n"))

        client = app.test_client()
        client.get("/set")
        assert client.get("/get").text == "1"  # verified with the same method
        cookie = client.get_cookie("session")
        assert cookie is not None
        return cookie.value

    sha1_cookie = cookie_of(SecureCookieSessionInterface())
    sha256_cookie = cookie_of(SHA256Sessions())
    # Same payload, same second or not: the signature part differs in length (20 vs 32 bytes).
    assert len(sha256_cookie.rsplit(".", 1)[1]) > len(sha1_cookie.rsplit(".", 1)[1])

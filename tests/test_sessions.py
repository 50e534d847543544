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

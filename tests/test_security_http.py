"""The HTTP layer's security cases: each row of the spec's section 5 that concerns cookies,
safe_join, static files and hosts is a test named after its CVE, followed by the cookie
prefix, header-injection and Host cases that have no CVE number."""

from __future__ import annotations

import os
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen import Erlen, Response, make_response, redirect
from erlen.datastructures import Headers
from erlen.exceptions import NotFound
from erlen.helpers import send_from_directory
from erlen.http import dump_cookie, parse_cookie
from erlen.security import safe_join
from erlen.utils import secure_filename

from .conftest import call_wsgi, raw_environ


@pytest.fixture
def static_app(tmp_path: t.Any) -> Erlen:
    """An app whose static folder holds ``ok.txt``, with a secret file one level up."""
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "ok.txt").write_text("fine")
    (tmp_path / "secret.txt").write_text("secret")
    app = Erlen("static_app", root_path=str(tmp_path))
    app.config["TESTING"] = True
    return app


def _served(app: Erlen, path: str) -> int:
    return app.test_client().get(path).status_code


# -- cookies -----------------------------------------------------------------------------------


def test_cve_2023_23934_nameless_cookie() -> None:
    # "=__Host-x=bad" has no name; it must not be read as the __Host-x cookie.
    assert "__Host-x" not in parse_cookie("=__Host-x=bad")
    assert list(parse_cookie("=__Host-x=bad; a=1").items(multi=True)) == [("a", "1")]
    assert "__Secure-x" not in parse_cookie(" = __Secure-x=bad")


def test_cve_2023_23934_nameless_cookie_through_the_request(app: Erlen) -> None:
    app.add_url_rule("/", "i", lambda: dict(__import__("erlen").request.cookies))
    rv = app.test_client().get("/", headers={"Cookie": "=__Host-sid=evil; __Host-sid=real"})
    assert rv.json == {"__Host-sid": "real"}


@pytest.mark.parametrize(
    "prefix_char",
    ["\u0085", "\u00a0", "\u2000", "\u3000", "\ufeff", "\x0b", "\x0c", "\x1c"],
)
def test_unicode_whitespace_cannot_smuggle_a_cookie_prefix(prefix_char: str) -> None:
    # A browser stores "<space-like>__Host-x" as an ordinary cookie (the prefix rules do
    # not apply to it); stripping that character on the server would turn it into __Host-x.
    header = f"{prefix_char}__Host-x=evil"
    wsgi = header.encode("utf-8").decode("latin-1")
    for value in (header, wsgi, header.encode("utf-8")):
        cookies = parse_cookie(value)
        assert "__Host-x" not in cookies
        assert len(cookies) == 1


def test_ascii_whitespace_is_still_trimmed() -> None:
    assert list(parse_cookie(" \ta = 1 ;\tb=2\t").items(multi=True)) == [("a", "1"), ("b", "2")]


def test_cookie_value_cannot_smuggle_another_cookie() -> None:
    header = dump_cookie("a", "x; __Host-y=z", path=None)
    assert header == 'a="x\\073 __Host-y=z"'
    assert parse_cookie(header).to_dict(flat=False) == {"a": ["x; __Host-y=z"]}
    header = dump_cookie("a", 'q"; __Secure-y="z', path=None)
    assert parse_cookie(header).to_dict(flat=False) == {"a": ['q"; __Secure-y="z']}


@given(st.text(max_size=30))
def test_no_dumped_value_adds_a_cookie(value: str) -> None:
    cookies = parse_cookie(dump_cookie("a", value, path=None, max_size=0))
    assert list(cookies) == ["a"]
    assert cookies["a"] == value


@pytest.mark.parametrize(
    "key", [" __Host-x", "__Host-x ", "=__Host-x", "a=__Host-x", "__Host-x;", "__Host\r\n-x", ""]
)
def test_set_cookie_refuses_names_that_are_not_tokens(key: str) -> None:
    with pytest.raises(ValueError, match="cookie name must be a token"):
        Response().set_cookie(key, "v", secure=True)


def test_prefixed_cookies_need_their_attributes() -> None:
    with pytest.raises(ValueError, match="__Host-"):
        Response().set_cookie("__Host-x", "v")
    with pytest.raises(ValueError, match="__Secure-"):
        Response().set_cookie("__SECURE-x", "v")
    resp = Response()
    resp.set_cookie("__Host-x", "v", secure=True)
    assert resp.headers["Set-Cookie"] == "__Host-x=v; Secure; Path=/"


@pytest.mark.parametrize(
    "header",
    ['a="unterminated', 'a="x"y"', "a=\xff\xfe", b"a=\xff\xfe", "a=\x00b", 'a="\\', "a=;;;=;"],
)
def test_odd_cookie_values_are_handled(header: str | bytes) -> None:
    cookies = parse_cookie(header)
    assert "a" in cookies
    assert isinstance(cookies["a"], str)


# -- safe_join, static files and send_from_directory -----------------------------------------------


@pytest.mark.parametrize("path", ["//server/share", "//server/share/x.txt", "\\\\server\\share"])
def test_cve_2024_49766_safe_join_unc(path: str) -> None:
    assert safe_join("x", path) is None


@pytest.mark.parametrize("name", ["CON", "AUX", "NUL", "PRN", "COM1", "LPT9", "CONIN$", "conout$"])
def test_cve_2025_66221_safe_join_device_names(static_app: Erlen, name: str) -> None:
    assert safe_join("static", name) is None
    assert _served(static_app, f"/static/{name}") == 404


@pytest.mark.parametrize(
    "name", ["NUL.txt", "con.tar.gz", "CON ", "NUL .txt", "aux.", " prn", "Com¹", "lpt³.log"]
)
def test_cve_2026_21860_safe_join_device_name_variants(static_app: Erlen, name: str) -> None:
    assert safe_join("static", name) is None
    assert _served(static_app, f"/static/{name}") == 404


@pytest.mark.parametrize("path", ["a/NUL", "a/b/con.txt", "sub/AUX ", "./x/COM1.log"])
def test_cve_2026_27199_safe_join_nested_device_names(static_app: Erlen, path: str) -> None:
    assert safe_join("static", path) is None
    assert _served(static_app, f"/static/{path}") == 404


@pytest.mark.parametrize(
    "path",
    ["C:/secret.txt", "c:secret.txt", "C:\\secret.txt", "..\\secret.txt", "\\\\srv\\s\\x"],
)
def test_cve_2019_14322_static_drive_and_unc_paths(static_app: Erlen, path: str) -> None:
    assert safe_join("static", path) is None
    assert _served(static_app, f"/static/{path}") == 404


def test_static_traversal_is_404(static_app: Erlen) -> None:
    assert _served(static_app, "/static/ok.txt") == 200
    for path in ("/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt"):
        assert _served(static_app, path) == 404


def test_send_from_directory_refuses_escapes(static_app: Erlen, tmp_path: t.Any) -> None:
    folder = os.path.join(str(tmp_path), "static")
    with static_app.test_request_context():
        for path in ("../secret.txt", "/etc/passwd", "NUL", "//srv/share", "C:x"):
            with pytest.raises(NotFound):
                send_from_directory(folder, path)


# -- secure_filename -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("COM¹.log", "_COM1.log"),  # NFKD makes the superscript a digit
        (" con ", "_con"),
        ("../../etc/passwd", "etc_passwd"),
        ("C:\\Windows\\system.ini", "C_Windows_system.ini"),
        ("\\\\server\\share\\x", "server_share_x"),
        ("..", ""),
        ("a\x00b.txt", "ab.txt"),
    ],
)
def test_secure_filename_windows_and_paths(name: str, expected: str) -> None:
    assert secure_filename(name) == expected


# -- header injection ------------------------------------------------------------------------

_BAD_VALUES = ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\x00b"]


@pytest.mark.parametrize("value", _BAD_VALUES)
def test_headers_methods_refuse_newlines(value: str) -> None:
    attempts: list[t.Callable[[Headers], object]] = [
        lambda h: h.add("X", value),
        lambda h: h.set("X", value),
        lambda h: h.__setitem__("X", value),
        lambda h: h.update({"X": value}),
        lambda h: h.update([("X", value)]),
        lambda h: h.extend({"X": value}),
        lambda h: h.extend([("X", value)]),
        lambda h: h.setdefault("X", value),
        lambda h: h.setlist("X", ["ok", value]),
        lambda h: h.setlistdefault("X", [value]),
        lambda h: h.add("X", "ok", filename=value),
        lambda h: h.__setitem__(0, ("X", value)),
        lambda h: h.__setitem__(slice(0, 1), [("X", value)]),
        lambda h: h.__ior__({"X": value}),
        lambda h: Headers({"X": value}),
        lambda h: Headers([("X", value)]),
        lambda h: h.add(f"X{value}", "ok"),
    ]
    for attempt in attempts:
        headers = Headers([("Keep", "me")])
        with pytest.raises(ValueError, match="header injection"):
            attempt(headers)
        assert headers.to_wsgi_list() == [("Keep", "me")]


@pytest.mark.parametrize("value", _BAD_VALUES)
def test_response_headers_refuse_newlines(value: str) -> None:
    with pytest.raises(ValueError, match="header injection"):
        Response("x", headers={"X": value})
    with pytest.raises(ValueError, match="header injection"):
        Response("x", headers=[("X", value)])
    with pytest.raises(ValueError):
        Response("x", content_type=f"text/plain{value}")
    resp = Response()
    with pytest.raises(ValueError, match="header injection"):
        resp.location = f"/next{value}"
    with pytest.raises(ValueError):
        resp.mimetype = f"text/plain{value}"


@pytest.mark.parametrize("value", ["a\r\nb", "a\nb", "a\rb"])
def test_set_cookie_refuses_newlines_in_attributes(value: str) -> None:
    resp = Response()
    for kwargs in ({"path": value}, {"domain": value}, {"expires": value}):
        with pytest.raises(ValueError, match="header injection"):
            resp.set_cookie("k", "v", **kwargs)  # type: ignore[arg-type]
    resp.set_cookie("k", f"v{value}")  # a value is quoted and escaped, never raw
    header = resp.headers["Set-Cookie"]
    assert "\r" not in header
    assert "\n" not in header
    assert parse_cookie(header)["k"] == f"v{value}"


@pytest.mark.parametrize("location", ["/next\r\nSet-Cookie: x=1", "/a\nb", "http://x/\r"])
def test_redirect_refuses_newlines(location: str) -> None:
    with pytest.raises(ValueError, match="newline"):
        redirect(location)


def test_make_response_tuple_headers_refuse_newlines(app: Erlen) -> None:
    @app.route("/dict")
    def as_dict() -> t.Any:
        return "body", 200, {"X-Evil": "a\r\nSet-Cookie: x=1"}

    @app.route("/list")
    def as_list() -> t.Any:
        return "body", [("X-Evil", "a\nb")]

    with app.test_request_context(), pytest.raises(ValueError, match="header injection"):
        make_response("body", {"X": "a\r\nb"})
    app.config["TESTING"] = False
    client = app.test_client()
    for path in ("/dict", "/list"):
        rv = client.get(path)
        assert rv.status_code == 500
        assert "X-Evil" not in rv.headers
        assert "x=1" not in rv.headers.get("Set-Cookie", "")


def test_unicode_line_separators_are_not_newlines_but_cannot_reach_the_wire() -> None:
    # U+2028 is not CR/LF; it is kept as text, and a WSGI server must encode the header as
    # latin-1, where it has no byte: the server refuses it instead of splitting the header.
    headers = Headers([("X", "a\u2028b")])
    assert headers["X"] == "a\u2028b"


# -- hosts -------------------------------------------------------------------------------------


@pytest.fixture
def trusting_app(app: Erlen) -> Erlen:
    app.config["TRUSTED_HOSTS"] = ["good.test", ".sub.test", "[::1]", "port.test:8080"]
    app.add_url_rule("/", "i", lambda: "ok")
    return app


@pytest.mark.parametrize(
    "host",
    [
        "good.test",
        "GOOD.test",
        "good.test:8443",
        "a.sub.test",
        "sub.test",
        "a.b.sub.test",
        "[::1]:5000",
    ],
)
def test_trusted_host_is_routed(trusting_app: Erlen, host: str) -> None:
    status, _, body = call_wsgi(trusting_app, raw_environ(HTTP_HOST=host))
    assert status.startswith("200")
    assert body == b"ok"


@pytest.mark.parametrize(
    "host",
    [
        "evil.test",
        "good.test.evil.test",
        "evilgood.test",
        "xsub.test",
        "good.test@evil.test",
        "good.test/x",
        "good.test\r\nX: y",
        "good.test evil.test",
        "",
    ],
)
def test_untrusted_host_is_400(trusting_app: Erlen, host: str) -> None:
    environ = raw_environ(HTTP_HOST=host)
    if not host:
        environ["SERVER_NAME"] = "evil.test"
    status, _, body = call_wsgi(trusting_app, environ)
    assert status.startswith("400")
    assert b"ok" not in body


def test_untrusted_host_runs_error_handlers(trusting_app: Erlen) -> None:
    @trusting_app.errorhandler(400)
    def bad(e: Exception) -> tuple[str, int]:
        return "bad host", 400

    status, _, body = call_wsgi(trusting_app, raw_environ(HTTP_HOST="evil.test"))
    assert status.startswith("400")
    assert body == b"bad host"


def test_no_trusted_hosts_accepts_any_valid_host(app: Erlen) -> None:
    app.add_url_rule("/", "i", lambda: "ok")
    assert call_wsgi(app, raw_environ(HTTP_HOST="anything.test"))[0].startswith("200")
    assert call_wsgi(app, raw_environ(HTTP_HOST="bad host"))[0].startswith("400")


# -- open redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["//evil.test", "//evil.test/x", "/evil.test", "///evil.test/"])
def test_cve_2020_28724_double_slash_paths_never_redirect_off_site(path: str) -> None:
    app = Erlen("redirects")
    app.add_url_rule("/<path:p>/", "p", lambda p: p)
    app.add_url_rule("/evil.test/", "e", lambda: "e")
    _status, headers, _body = call_wsgi(app, raw_environ(PATH_INFO=path))
    location = dict(headers).get("Location")
    if location is not None:
        assert location.startswith("http://localhost/")

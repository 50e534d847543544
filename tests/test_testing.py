"""The test client, environ builders and the CLI runner."""

from __future__ import annotations

import io
import typing as t

import click
import pytest

from erlen import Erlen, Response, redirect, request, session
from erlen.testing import (
    BaseEnvironBuilder,
    EnvironBuilder,
    ErlenClient,
    FlaskClient,
    TestResponse,
    encode_multipart,
)


@pytest.fixture
def echo_app(app: Erlen) -> Erlen:
    @app.route(
        "/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
    )
    def echo() -> dict[str, t.Any]:
        return {
            "method": request.method,
            "args": request.args.to_dict(),
            "form": request.form.to_dict(),
            "json": request.get_json(silent=True),
            "cookies": request.cookies.to_dict(),
            "host": request.host,
            "scheme": request.scheme,
            "ua": request.user_agent.string,
            "remote": request.remote_addr,
            "root": request.root_path,
        }

    return app


def test_flask_name() -> None:
    assert FlaskClient is ErlenClient


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options", "trace"])
def test_method_helpers(echo_app: Erlen, method: str) -> None:
    rv = getattr(echo_app.test_client(), method)("/echo")
    assert isinstance(rv, TestResponse)
    assert rv.json["method"] == method.upper()


def test_head_helper(echo_app: Erlen) -> None:
    rv = echo_app.test_client().head("/echo")
    assert rv.status_code == 200
    assert rv.data == b""


def test_defaults_of_the_environ(echo_app: Erlen) -> None:
    data = echo_app.test_client().get("/echo").json
    assert data["host"] == "localhost"
    assert data["scheme"] == "http"
    assert data["remote"] == "127.0.0.1"
    assert data["ua"].startswith("Erlen/")


def test_app_config_shapes_the_environ(echo_app: Erlen) -> None:
    echo_app.config.update(
        SERVER_NAME="example.test", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    rv = echo_app.test_client().get("/echo")
    data = rv.json
    assert (data["host"], data["scheme"], data["root"]) == ("example.test", "https", "/root")


def test_subdomain_and_scheme_arguments(echo_app: Erlen) -> None:
    data = echo_app.test_client().get("/echo", subdomain="api", url_scheme="https").json
    assert (data["host"], data["scheme"]) == ("api.localhost", "https")
    with pytest.raises(ValueError, match="subdomain"):
        EnvironBuilder(echo_app, "http://x.test/echo", subdomain="a")


def test_query_data_json_and_headers(echo_app: Erlen) -> None:
    client = echo_app.test_client()
    assert client.get("/echo?a=1", query_string={"b": "2"}).json["args"] == {"b": "2"}
    assert client.get("/echo?a=1").json["args"] == {"a": "1"}
    assert client.post("/echo", data={"x": "1"}).json["form"] == {"x": "1"}
    assert client.post("/echo", json={"j": [1]}).json["json"] == {"j": [1]}
    with pytest.raises(TypeError, match="json"):
        client.post("/echo", json={}, data="x")


def test_environ_base_and_overrides(echo_app: Erlen) -> None:
    client = ErlenClient(echo_app, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert client.get("/echo").json["remote"] == "10.1.1.1"
    rv = client.get("/echo", environ_overrides={"REMOTE_ADDR": "10.2.2.2"})
    assert rv.json["remote"] == "10.2.2.2"


def test_unknown_client_argument(echo_app: Erlen) -> None:
    with pytest.raises(TypeError, match="bogus"):
        ErlenClient(echo_app, bogus=1)


def test_cookie_jar(app: Erlen) -> None:
    @app.route("/set")
    def set_cookie() -> Response:
        resp = Response("set")
        resp.set_cookie("flavour", "oat meal")
        resp.set_cookie("scoped", "1", path="/only")
        return resp

    @app.route("/get")
    def get_cookie() -> dict[str, str]:
        return request.cookies.to_dict()

    @app.route("/clear")
    def clear() -> Response:
        resp = Response("cleared")
        resp.delete_cookie("flavour")
        return resp

    client = app.test_client()
    client.get("/set")
    cookie = client.get_cookie("flavour")
    assert cookie is not None
    assert cookie.decoded_value == "oat meal"
    assert client.get("/get").json == {"flavour": "oat meal"}
    assert client.get_cookie("scoped", path="/only") is not None
    client.get("/clear")
    assert client.get_cookie("flavour") is None
    client.set_cookie("manual", "m")
    assert client.get("/get").json == {"manual": "m"}
    client.delete_cookie("manual")
    assert client.get("/get").json == {}


def test_cookies_disabled(app: Erlen) -> None:
    client = app.test_client(use_cookies=False)
    with pytest.raises(TypeError, match="use_cookies"):
        client.get_cookie("x")
    with pytest.raises(TypeError, match="use_cookies"), client.session_transaction():
        pass  # pragma: no cover


def test_follow_redirects_with_history(app: Erlen) -> None:
    app.add_url_rule("/a", "a", lambda: redirect("/b"))
    app.add_url_rule("/b", "b", lambda: redirect("/c", 307), methods=["GET", "POST"])
    app.add_url_rule("/c", "c", lambda: request.method, methods=["GET", "POST"])
    client = app.test_client()
    rv = client.get("/a", follow_redirects=True)
    assert rv.text == "GET"
    assert [r.status_code for r in rv.history] == [302, 307]
    assert rv.request.path == "/c"
    assert client.post("/b", follow_redirects=True).text == "POST"


def test_redirect_loop_detected(app: Erlen) -> None:
    app.add_url_rule("/loop", "loop", lambda: redirect("/loop"))
    with pytest.raises(RuntimeError, match="loop"):
        app.test_client().get("/loop", follow_redirects=True)


def test_redirect_to_other_host_refused(app: Erlen) -> None:
    app.add_url_rule("/", "out", lambda: redirect("http://elsewhere.test/"))
    with pytest.raises(RuntimeError, match="another host"):
        app.test_client().get("/", follow_redirects=True)


def test_303_switches_post_to_get(app: Erlen) -> None:
    app.add_url_rule("/form", "form", lambda: redirect("/done", 303), methods=["POST"])
    app.add_url_rule("/done", "done", lambda: request.method)
    assert app.test_client().post("/form", follow_redirects=True).text == "GET"


def test_session_transaction(app: Erlen) -> None:
    app.add_url_rule("/", "v", lambda: str(session.get("user")))
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["user"] = "ada"
    assert client.get("/").text == "ada"
    with client.session_transaction() as sess:
        assert sess["user"] == "ada"


def test_open_with_builder_environ_and_request(echo_app: Erlen) -> None:
    client = echo_app.test_client()
    builder = EnvironBuilder(echo_app, "/echo", method="PUT")
    assert client.open(builder).json["method"] == "PUT"
    environ = builder.get_environ()
    assert client.open(environ).json["method"] == "PUT"
    req = builder.get_request()
    assert client.open(req).json["method"] == "PUT"


def test_unbuffered_response_streams(app: Erlen) -> None:
    produced: list[int] = []

    @app.route("/")
    def stream() -> Response:
        def gen() -> t.Iterator[str]:
            for i in range(3):
                produced.append(i)
                yield str(i)

        return Response(gen())

    with app.test_client().get("/", buffered=False) as rv:
        assert produced == []
        assert rv.data == b"012"


def test_multipart_encoding_round_trip() -> None:
    boundary, body = encode_multipart(
        [("field", "value"), ("upload", (io.BytesIO(b"file data"), "a.txt", "text/plain"))],
        boundary="BOUNDARY",
    )
    assert boundary == "BOUNDARY"
    assert b'name="field"\r\n\r\nvalue\r\n' in body
    assert b'filename="a.txt"' in body
    assert b"Content-Type: text/plain\r\n\r\nfile data\r\n" in body
    assert body.endswith(b"--BOUNDARY--\r\n")


def test_multipart_hostile_names_are_escaped() -> None:
    _boundary, body = encode_multipart([('evil"\r\nX: y', "v")], boundary="B")
    assert b"\r\nX: y" not in body


def test_base_builder_from_values() -> None:
    builder = BaseEnvironBuilder("/p?x=1", method="post", data="raw", content_type="text/plain")
    environ = builder.get_environ()
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["QUERY_STRING"] == "x=1"
    assert environ["CONTENT_LENGTH"] == "3"
    assert environ["wsgi.input"].read(3) == b"raw"
    assert builder.server_name == "localhost"
    assert builder.url_scheme == "http"


def test_builder_headers_become_environ_keys() -> None:
    environ = BaseEnvironBuilder(
        "/", headers=[("X-A", "1"), ("X-A", "2"), ("Content-Type", "text/x")]
    ).get_environ()
    assert environ["HTTP_X_A"] == "1, 2"
    assert environ["CONTENT_TYPE"] == "text/x"
    assert "HTTP_CONTENT_TYPE" not in environ


def test_cli_runner(app: Erlen) -> None:
    @app.cli.command("hello")
    @click.argument("name")
    def hello(name: str) -> None:
        from erlen import current_app

        click.echo(f"hello {name} from {current_app.name}")

    result = app.test_cli_runner().invoke(args=["hello", "ada"])
    assert result.exit_code == 0, result.output
    assert result.output == f"hello ada from {app.name}\n"


def test_follow_redirects_leaves_the_final_session_state(app: Erlen) -> None:
    @app.route("/login")
    def login() -> Response:
        session["user"] = "ada"
        return redirect("/home")

    @app.route("/home")
    def home() -> str:
        session["visits"] = session.get("visits", 0) + 1
        return f"home of {session.get('user')}"

    @app.route("/logout")
    def logout() -> Response:
        session.pop("user", None)
        return redirect("/home")

    client = app.test_client()
    with client:
        rv = client.get("/login", follow_redirects=True)
        assert rv.text == "home of ada"
        assert dict(session) == {"user": "ada", "visits": 1}  # the last request's session
        assert request.path == "/home"
    with client.session_transaction() as sess:
        assert dict(sess) == {"user": "ada", "visits": 1}
    assert client.get("/logout", follow_redirects=True).text == "home of None"
    with client.session_transaction() as sess:
        assert dict(sess) == {"visits": 2}


def test_json_argument_is_serialised_with_app_json(app: Erlen) -> None:
    import datetime

    app.add_url_rule("/", "v", lambda: request.get_data(as_text=True), methods=["POST"])
    rv = app.test_client().post("/", json={"d": datetime.date(2024, 1, 2), "b": 1, "a": 2})
    assert rv.text == '{"a": 2, "b": 1, "d": "Tue, 02 Jan 2024 00:00:00 GMT"}'
    assert rv.request.content_type == "application/json"


def test_test_request_context_uses_the_builder_and_app_config(app: Erlen) -> None:
    app.config.update(
        SERVER_NAME="conf.test", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    with app.test_request_context("/p", query_string={"q": "1"}, method="PUT"):
        assert request.url == "https://conf.test/root/p?q=1"
        assert request.method == "PUT"


def test_text_json_and_get_json_of_test_responses(app: Erlen) -> None:
    app.add_url_rule("/json", "j", lambda: {"a": 1})
    app.add_url_rule("/text", "t", lambda: "héllo")
    client = app.test_client()
    text = client.get("/text")
    assert (text.text, text.get_data(as_text=True), text.status) == ("héllo", "héllo", "200 OK")
    assert text.json is None  # not JSON: None, like get_json()
    assert client.get("/json").get_json() == {"a": 1}

"""The application object: construction, routing registration, dispatch, hooks, errors."""

from __future__ import annotations

import logging
import typing as t
import uuid
from http import HTTPStatus

import pytest

import erlen
from erlen import (
    Erlen,
    Flask,
    Response,
    abort,
    g,
    jsonify,
    make_response,
    request,
    session,
    url_for,
)
from erlen.datastructures import Headers
from erlen.exceptions import (
    BadRequest,
    BadRequestKeyError,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
)
from erlen.routing import BaseConverter, ValidationError
from erlen.testing import ErlenClient

from .conftest import call_wsgi, raw_environ


def test_flask_alias_is_the_app_class() -> None:
    assert Flask is Erlen
    assert erlen.Flask is erlen.Erlen


def test_constructor_defaults(app: Erlen) -> None:
    assert app.name == "test_app_module"
    assert app.static_url_path == "/static"
    assert app.config["DEBUG"] is False
    assert app.testing is True
    assert app.extensions == {}
    assert app.blueprints == {}


def test_main_module_name_uses_file_name() -> None:
    app = Erlen("__main__")
    assert app.name != "__main__" or app.import_name == "__main__"


def test_static_route_registered_even_without_folder(tmp_path: t.Any) -> None:
    app = Erlen("x", root_path=str(tmp_path))
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["static"] == "/static/<path:filename>"


def test_static_host_requires_host_matching() -> None:
    with pytest.raises(AssertionError, match="host_matching"):
        Erlen("x", static_host="static.example")


def test_no_static_folder_means_no_static_route() -> None:
    app = Erlen("x", static_folder=None)
    assert "static" not in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_custom_static_url_path() -> None:
    app = Erlen("x", static_url_path="/assets")
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["static"] == "/assets/<path:filename>"


def test_app_accepts_extension_attributes(app: Erlen) -> None:
    app.login_manager = object()
    assert hasattr(app, "login_manager")


def test_setup_lock_after_first_request(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> str:
        return "ok"

    assert client.get("/").status_code == 200
    with pytest.raises(AssertionError, match="setup method 'route'") as info:

        @app.route("/late")
        def late() -> str:  # pragma: no cover - never registered
            return "late"

    assert "before the first request" in str(info.value) or "import" in str(info.value)
    with pytest.raises(AssertionError, match="before_request"):
        app.before_request(lambda: None)


# -- routing registration ---------------------------------------------------------------------


def test_route_shortcuts(app: Erlen, client: ErlenClient) -> None:
    for method in ("get", "post", "put", "patch", "delete"):

        def view(method: str = method) -> str:
            return method

        getattr(app, method)(f"/{method}", endpoint=method)(view)
    for method in ("get", "post", "put", "patch", "delete"):
        rv = client.open(f"/{method}", method=method.upper())
        assert rv.text == method


def test_shortcut_with_methods_is_type_error(app: Erlen) -> None:
    with pytest.raises(TypeError, match="methods"):
        app.get("/", methods=["POST"])


def test_methods_as_string_is_type_error(app: Erlen) -> None:
    with pytest.raises(TypeError, match=r"methods=\['POST'\]"):
        app.add_url_rule("/", "x", lambda: "", methods="POST")


def test_head_and_options_are_automatic(app: Erlen, client: ErlenClient) -> None:
    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "body"

    head = client.head("/")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == "4"
    options = client.options("/")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_wrong_method_is_405_with_allow(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/", "index", lambda: "x", methods=["POST"])
    rv = client.get("/")
    assert rv.status_code == 405
    assert set(rv.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("argument", 405), ("attribute", 405), ("config", 405)],
)
def test_automatic_options_can_be_disabled(app: Erlen, setting: str, expected: int) -> None:
    def view() -> str:
        return "x"

    if setting == "argument":
        app.add_url_rule("/", "v", view, provide_automatic_options=False)
    elif setting == "attribute":
        view.provide_automatic_options = False  # type: ignore[attr-defined]
        app.add_url_rule("/", "v", view)
    else:
        app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
        app.add_url_rule("/", "v", view)
    assert app.test_client().options("/").status_code == expected


def test_view_methods_and_required_methods_attributes(app: Erlen, client: ErlenClient) -> None:
    def view() -> str:
        return request.method

    view.methods = ["PUT"]  # type: ignore[attr-defined]
    view.required_methods = ["PATCH"]  # type: ignore[attr-defined]
    app.add_url_rule("/", "v", view)
    assert client.put("/").text == "PUT"
    assert client.patch("/").text == "PATCH"
    assert client.get("/").status_code == 405


def test_endpoint_overwrite_is_assertion_error(app: Erlen) -> None:
    app.add_url_rule("/a", "same", lambda: "a")
    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: same"):
        app.add_url_rule("/b", "same", lambda: "b")


def test_same_function_twice_is_allowed(app: Erlen, client: ErlenClient) -> None:
    def view() -> str:
        return "v"

    app.add_url_rule("/a", "v", view)
    app.add_url_rule("/b", "v", view)
    assert client.get("/b").text == "v"


def test_endpoint_decorator(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/", "named")

    @app.endpoint("named")
    def view() -> str:
        return "named"

    assert client.get("/").text == "named"


def test_custom_converter(app: Erlen, client: ErlenClient) -> None:
    class ListConverter(BaseConverter):
        def to_python(self, value: str) -> list[str]:
            if "!" in value:
                raise ValidationError()
            return value.split(",")

        def to_url(self, value: list[str]) -> str:
            return ",".join(value)

    app.url_map.converters["list"] = ListConverter

    @app.route("/items/<list:names>")
    def items(names: list[str]) -> dict[str, t.Any]:
        return {"names": names, "url": url_for("items", names=["x", "y"])}

    assert client.get("/items/a,b").json == {"names": ["a", "b"], "url": "/items/x,y"}
    assert client.get("/items/a!b").status_code == 404


def test_converters_reach_the_view(app: Erlen, client: ErlenClient) -> None:
    @app.route("/<int:a>/<float:b>/<uuid:c>/<path:d>")
    def view(a: int, b: float, c: uuid.UUID, d: str) -> dict[str, t.Any]:
        return {"a": a, "b": b, "c": str(c), "d": d}

    u = uuid.uuid4()
    assert client.get(f"/3/1.5/{u}/x/y").json == {"a": 3, "b": 1.5, "c": str(u), "d": "x/y"}


def test_strict_slashes_redirect_is_308(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/dir/", "dir", lambda: "dir")
    app.add_url_rule("/file", "file", lambda: "file")
    rv = client.get("/dir?a=1")
    assert rv.status_code == 308
    assert rv.headers["Location"].endswith("/dir/?a=1")
    assert client.get("/file/").status_code == 404
    assert client.get("/dir", follow_redirects=True).text == "dir"


def test_routing_redirect_bypasses_error_handlers(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/dir/", "dir", lambda: "dir")

    @app.errorhandler(HTTPException)
    def handler(e: HTTPException) -> tuple[str, int]:
        return "handled", 500

    assert client.get("/dir").status_code == 308


def test_defaults_and_redirect_to(app: Erlen, client: ErlenClient) -> None:
    @app.route("/page/", defaults={"n": 1})
    @app.route("/page/<int:n>")
    def page(n: int) -> str:
        return f"page {n}"

    app.add_url_rule("/old/<int:n>", "old", redirect_to="/page/<n>")
    assert client.get("/page/").text == "page 1"
    assert client.get("/page/3").text == "page 3"
    rv = client.get("/old/4")
    assert rv.status_code == 308
    assert rv.headers["Location"].endswith("/page/4")


def test_subdomain_matching(client: ErlenClient) -> None:
    app = Erlen("x", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", subdomain="<user>")
    def user_home(user: str) -> str:
        return f"home of {user}"

    @app.route("/")
    def index() -> str:
        return "index"

    c = app.test_client()
    assert c.get("/", subdomain="ada").text == "home of ada"
    assert c.get("/").text == "index"
    assert c.get("/", base_url="http://other.test/").status_code == 404


def test_server_name_does_not_restrict_routing_without_subdomains(app: Erlen) -> None:
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/", "i", lambda: "ok")
    rv = app.test_client().get("/", base_url="http://elsewhere.test/")
    assert rv.text == "ok"


def test_host_matching(tmp_path: t.Any) -> None:
    app = Erlen("x", host_matching=True, static_host="static.test", root_path=str(tmp_path))
    app.add_url_rule("/", "a", lambda: "a", host="a.test")
    app.add_url_rule("/", "b", lambda name: f"b {name}", host="<name>.b.test")
    c = app.test_client()
    assert c.get("/", base_url="http://a.test/").text == "a"
    assert c.get("/", base_url="http://x.b.test/").text == "b x"
    assert c.get("/", base_url="http://c.test/").status_code == 404


def test_trusted_hosts(app: Erlen, client: ErlenClient) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test", ".sub.test"]
    app.add_url_rule("/", "i", lambda: "ok")
    assert client.get("/", base_url="http://good.test/").status_code == 200
    assert client.get("/", base_url="http://a.sub.test/").status_code == 200
    assert client.get("/", base_url="http://evil.test/").status_code == 400


@pytest.mark.parametrize(
    ("config", "host"),
    [
        ({"TRUSTED_HOSTS": ["good.test"]}, "evil.test"),
        ({}, "example.test:99999x"),
        ({}, "a b"),
        ({"SERVER_NAME": "good.test"}, "[example.test]"),
    ],
)
def test_an_error_page_links_its_files_when_the_host_is_refused(
    app: Erlen, config: dict[str, t.Any], host: str
) -> None:
    # An HTML 400 page usually extends a base template that calls url_for(); a refused
    # Host must still give that 400, with relative links, and never a 500.
    app.config.update(config)
    app.add_url_rule("/", "index", lambda: "ok")
    app.add_url_rule("/static/<path:filename>", "files", lambda filename: filename)

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        links = [url_for("files", filename="style.css"), url_for("index", page=2)]
        return " ".join(links), 400

    status, _, body = call_wsgi(app, raw_environ(HTTP_HOST=host, SCRIPT_NAME="/app"))
    assert status.startswith("400")
    assert body == b"/app/static/style.css /app/?page=2"


def test_a_full_url_for_a_refused_host_names_the_cause(app: Erlen) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    app.add_url_rule("/", "index", lambda: "ok")
    seen: list[str] = []

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        options: list[dict[str, t.Any]] = [{"_external": True}, {"_scheme": "https"}]
        for option in options:
            with pytest.raises(RuntimeError, match="Host header was refused") as caught:
                url_for("index", **option)
            seen.append(str(caught.value))
        return "refused", 400

    status, _, body = call_wsgi(app, raw_environ(HTTP_HOST="evil.test"))
    assert (status[:3], body) == ("400", b"refused")
    assert len(seen) == 2
    assert "Relative URLs still work" in seen[0]


def test_a_refused_host_cannot_build_another_hosts_url(app: Erlen) -> None:
    app.config.update(SERVER_NAME="good.test", TRUSTED_HOSTS=["good.test", "api.good.test"])
    app.subdomain_matching = True
    app.add_url_rule("/", "api", lambda: "api", subdomain="api")
    outcome: list[str] = []

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        try:
            outcome.append(url_for("api"))  # on another subdomain: a full URL is needed
        except RuntimeError as e:
            outcome.append(str(e))
        return "refused", 400

    status, _, _ = call_wsgi(app, raw_environ(HTTP_HOST="evil.test"))
    assert status.startswith("400")
    assert len(outcome) == 1
    assert "Host header was refused" in outcome[0]


# -- make_response ----------------------------------------------------------------------------


def _view_returning(app: Erlen, value: t.Any) -> Response:
    app.add_url_rule("/", "v", lambda: value)
    return app.test_client().get("/")


@pytest.mark.parametrize(
    ("value", "status", "body", "mimetype"),
    [
        ("text", 200, b"text", "text/html"),
        (b"bytes", 200, b"bytes", "text/html"),
        (bytearray(b"ba"), 200, b"ba", "text/html"),
        ({"a": 1}, 200, b'{"a":1}\n', "application/json"),
        ([1, 2], 200, b"[1,2]\n", "application/json"),
        (("created", 201), 201, b"created", "text/html"),
        (("teapot", "418 I'm a teapot"), 418, b"teapot", "text/html"),
        (("enum", HTTPStatus.ACCEPTED), 202, b"enum", "text/html"),
        ((x for x in ["a", "b"]), 200, b"ab", "text/html"),
        (iter([b"i", b"t"]), 200, b"it", "text/html"),
    ],
)
def test_view_return_types(
    app: Erlen, value: t.Any, status: int, body: bytes, mimetype: str
) -> None:
    rv = _view_returning(app, value)
    assert rv.status_code == status
    assert rv.data == body
    assert rv.mimetype == mimetype


def test_text_response_has_charset(app: Erlen) -> None:
    assert _view_returning(app, "x").content_type == "text/html; charset=utf-8"


def test_tuple_headers_replace_existing(app: Erlen) -> None:
    resp = Response("x", headers={"X-A": "1"})
    rv = _view_returning(app, (resp, {"X-A": "2", "X-B": "3"}))
    assert rv.headers.getlist("X-A") == ["2"]
    assert rv.headers["X-B"] == "3"


@pytest.mark.parametrize(
    "headers", [{"X-H": "v"}, [("X-H", "v")], (("X-H", "v"),), Headers({"X-H": "v"})]
)
def test_two_tuple_with_headers(app: Erlen, headers: t.Any) -> None:
    rv = _view_returning(app, ("body", headers))
    assert rv.status_code == 200
    assert rv.headers["X-H"] == "v"


def test_three_tuple(app: Erlen) -> None:
    rv = _view_returning(app, ("body", 202, {"X-H": "v"}))
    assert (rv.status_code, rv.headers["X-H"], rv.data) == (202, "v", b"body")


def test_none_return_names_the_endpoint(app: Erlen) -> None:
    @app.route("/")  # type: ignore[type-var]  # the mistake under test
    def forgetful() -> None:
        return None

    with pytest.raises(TypeError, match="forgetful"):
        app.test_client().get("/")


@pytest.mark.parametrize("value", [("a", 200, {}, "extra"), ("only",), 3.5, object()])
def test_bad_return_values_are_type_errors(app: Erlen, value: t.Any) -> None:
    with pytest.raises(TypeError):
        _view_returning(app, value)


def test_wsgi_callable_return_is_converted(app: Erlen) -> None:
    def wsgi(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("203 Non-Authoritative Information", [("Content-Type", "text/plain")])
        return [b"from wsgi"]

    rv = _view_returning(app, wsgi)
    assert (rv.status_code, rv.data) == (203, b"from wsgi")


def test_make_response_helper(app: Erlen) -> None:
    with app.test_request_context():
        rv = make_response("x", 404, {"X-A": "b"})
        assert (rv.status_code, rv.headers["X-A"]) == (404, "b")
        assert make_response().data == b""
        single = make_response("only")
        assert single.data == b"only"


def test_jsonify(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/", "v", lambda: jsonify(b=1, a=[1, 2]))
    rv = client.get("/")
    assert rv.mimetype == "application/json"
    assert rv.data == b'{"a":[1,2],"b":1}\n'
    assert rv.get_json() == {"a": [1, 2], "b": 1}


def test_jsonify_debug_is_indented(app: Erlen) -> None:
    app.debug = True
    with app.app_context():
        assert jsonify({"a": 1}).data == b'{\n  "a": 1\n}\n'


# -- hooks --------------------------------------------------------------------------------------


def test_hook_order(app: Erlen, client: ErlenClient) -> None:
    calls: list[str] = []

    @app.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        calls.append("url_value_preprocessor")

    @app.before_request
    def before1() -> None:
        calls.append("before1")

    @app.before_request
    def before2() -> None:
        calls.append("before2")

    @app.after_request
    def after1(resp: Response) -> Response:
        calls.append("after1")
        return resp

    @app.after_request
    def after2(resp: Response) -> Response:
        calls.append("after2")
        return resp

    @app.teardown_request
    def teardown1(exc: BaseException | None) -> None:
        calls.append("teardown1")

    @app.teardown_request
    def teardown2(exc: BaseException | None) -> None:
        calls.append("teardown2")

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        calls.append("teardown_appcontext")

    @app.route("/")
    def index() -> str:
        calls.append("view")

        @erlen.after_this_request
        def this_request(resp: Response) -> Response:
            calls.append("after_this_request")
            return resp

        return "ok"

    client.get("/")
    assert calls == [
        "url_value_preprocessor",
        "before1",
        "before2",
        "view",
        "after_this_request",
        "after2",
        "after1",
        "teardown2",
        "teardown1",
        "teardown_appcontext",
    ]


def test_before_request_short_circuits_but_after_runs(app: Erlen, client: ErlenClient) -> None:
    @app.before_request
    def stop() -> str:
        return "stopped"

    @app.after_request
    def mark(resp: Response) -> Response:
        resp.headers["X-After"] = "yes"
        return resp

    app.add_url_rule("/", "v", lambda: "view")
    rv = client.get("/")
    assert (rv.text, rv.headers["X-After"]) == ("stopped", "yes")


def test_after_request_runs_for_unhandled_error_500(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request
    def mark(resp: Response) -> Response:
        resp.headers["X-After"] = "yes"
        return resp

    @app.route("/")
    def boom() -> str:
        raise ZeroDivisionError

    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert rv.headers["X-After"] == "yes"


def test_teardown_receives_the_error(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)
    app.teardown_appcontext(seen.append)

    @app.route("/")
    def boom() -> str:
        raise KeyError("k")

    app.test_client().get("/")
    assert [type(e) for e in seen] == [KeyError, KeyError]


def test_teardown_error_stops_remaining_teardowns(app: Erlen) -> None:
    ran: list[str] = []

    @app.teardown_request
    def first(exc: BaseException | None) -> None:
        ran.append("first")  # registered first, so runs last

    @app.teardown_request
    def second(exc: BaseException | None) -> None:
        raise RuntimeError("teardown failed")

    app.add_url_rule("/", "v", lambda: "ok")
    with pytest.raises(RuntimeError, match="teardown failed"):
        app.test_client().get("/")
    assert ran == []


def test_g_lives_for_one_request(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> str:
        value = g.get("counter", 0) + 1
        g.counter = value
        return str(value)

    assert client.get("/").text == "1"
    assert client.get("/").text == "1"


# -- errors ---------------------------------------------------------------------------------


def test_errorhandler_by_code_and_class(app: Erlen, client: ErlenClient) -> None:
    @app.errorhandler(404)
    def not_found(e: NotFound) -> tuple[str, int]:
        return f"missing: {e.code}", 404

    @app.errorhandler(Forbidden)
    def forbidden(e: Forbidden) -> tuple[str, int]:
        return "no", 403

    @app.route("/secret")
    def secret() -> str:
        abort(403)

    assert client.get("/nope").text == "missing: 404"
    assert client.get("/secret").text == "no"


def test_errorhandler_mro(app: Erlen, client: ErlenClient) -> None:
    @app.errorhandler(HTTPException)
    def any_http(e: HTTPException) -> tuple[str, int]:
        return f"http {e.code}", e.code or 500

    @app.errorhandler(LookupError)
    def lookup(e: LookupError) -> tuple[str, int]:
        return f"lookup {type(e).__name__}", 400

    @app.route("/key")
    def key() -> str:
        raise KeyError("x")

    assert client.get("/missing").text == "http 404"
    assert client.get("/key").text == "lookup KeyError"


def test_exception_handler_catches_http_errors(app: Erlen, client: ErlenClient) -> None:
    @app.errorhandler(Exception)
    def everything(e: Exception) -> tuple[str, int]:
        return type(e).__name__, 599

    assert client.get("/missing").text == "NotFound"


def test_500_handler_gets_internal_server_error_with_original(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[InternalServerError] = []

    @app.errorhandler(500)
    def handler(e: InternalServerError) -> tuple[str, int]:
        seen.append(e)
        return "sorry", 500

    @app.route("/")
    def boom() -> str:
        raise ValueError("real cause")

    rv = app.test_client().get("/")
    assert rv.text == "sorry"
    assert isinstance(seen[0], InternalServerError)
    assert isinstance(seen[0].original_exception, ValueError)


def test_unhandled_error_is_logged(app: Erlen, caplog: pytest.LogCaptureFixture) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom", methods=["POST"])
    def boom() -> str:
        raise ValueError("kaput")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        rv = app.test_client().post("/boom")
    assert rv.status_code == 500
    assert b"kaput" not in rv.data
    assert "Exception on /boom [POST]" in caplog.text


def test_propagate_exceptions_in_testing(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def boom() -> str:
        raise ValueError("propagated")

    with pytest.raises(ValueError, match="propagated"):
        client.get("/")


def test_trap_http_exceptions(app: Erlen, client: ErlenClient) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    with pytest.raises(NotFound):
        client.get("/missing")


def test_bad_request_key_error_trapped_in_debug(app: Erlen) -> None:
    app.add_url_rule("/", "v", lambda: request.args["missing"])
    assert app.test_client().get("/").status_code == 400
    app.debug = True
    with pytest.raises(BadRequestKeyError):
        app.test_client().get("/")


def test_trap_bad_request_errors_true(app: Erlen) -> None:
    app.config["TRAP_BAD_REQUEST_ERRORS"] = True

    @app.route("/")
    def view() -> str:
        raise BadRequest()

    with pytest.raises(BadRequest):
        app.test_client().get("/")


def test_missing_key_message_shown_only_in_debug(app: Erlen) -> None:
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    app.add_url_rule("/", "v", lambda: request.form["field_name"], methods=["POST"])
    assert b"field_name" not in app.test_client().post("/").data
    app.debug = True
    assert b"field_name" in app.test_client().post("/").data


def test_abort_with_response(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def view() -> str:
        abort(Response("custom", 409))

    rv = client.get("/")
    assert (rv.status_code, rv.data) == (409, b"custom")


def test_abort_unknown_code(app: Erlen) -> None:
    with app.test_request_context(), pytest.raises(LookupError):
        abort(999)


def test_http_exception_without_code_returned_unhandled(app: Erlen, client: ErlenClient) -> None:
    class Odd(HTTPException):
        pass

    @app.errorhandler(Odd)
    def handler(e: HTTPException) -> str:  # pragma: no cover - must not be called
        return "handled"

    @app.route("/")
    def view() -> str:
        raise Odd(response=Response("raw", 299))

    rv = client.get("/")
    assert rv.text == "raw"


def test_error_handler_registration_errors(app: Erlen) -> None:
    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        app.register_error_handler(999, lambda e: "")
    with pytest.raises(TypeError, match="instance"):
        app.register_error_handler(KeyError("x"), lambda e: "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="subclass of Exception"):
        app.register_error_handler(int, lambda e: "")  # type: ignore[arg-type]


# -- url_for --------------------------------------------------------------------------------


def test_url_for_in_request_is_relative(app: Erlen) -> None:
    @app.route("/user/<name>")
    def user(name: str) -> str:
        return name

    with app.test_request_context():
        assert url_for("user", name="ada") == "/user/ada"
        assert url_for("user", name="ada", page=2, q="x y") == "/user/ada?page=2&q=x+y"
        assert url_for("user", name="ada", _external=True) == "http://localhost/user/ada"
        assert url_for("user", name="ada", _anchor="a b") == "/user/ada#a%20b"
        assert url_for("user", name="ada", _scheme="https", _external=True).startswith("https://")
        with pytest.raises(ValueError, match="_external"):
            url_for("user", name="ada", _scheme="https", _external=False)
        assert url_for(".user", name="x") == "/user/x"


def test_url_for_outside_request_needs_server_name(app: Erlen) -> None:
    app.add_url_rule("/", "index", lambda: "")
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("index")
    app.config.update(
        SERVER_NAME="example.test", APPLICATION_ROOT="/app", PREFERRED_URL_SCHEME="https"
    )
    with app.app_context():
        assert url_for("index") == "https://example.test/app/"


def test_url_for_method_selects_rule(app: Erlen) -> None:
    app.add_url_rule("/read", "item", lambda: "", methods=["GET"])
    app.add_url_rule("/write", "item", methods=["POST"])
    with app.test_request_context():
        assert url_for("item", _method="POST") == "/write"
        assert url_for("item", _method="GET") == "/read"


def test_url_defaults_and_value_preprocessor(app: Erlen, client: ErlenClient) -> None:
    @app.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", g.get("lang", "en"))

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        g.lang = values.pop("lang") if values else None

    @app.route("/<lang>/about")
    def about() -> str:
        return url_for("about")

    assert client.get("/de/about").text == "/de/about"


def test_build_error_handlers(app: Erlen) -> None:
    def fallback(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str | None:
        return f"/fallback/{endpoint}" if endpoint == "known_missing" else None

    app.url_build_error_handlers.append(fallback)
    with app.test_request_context():
        assert url_for("known_missing") == "/fallback/known_missing"
        with pytest.raises(erlen.routing.BuildError):
            url_for("other_missing")


def test_app_redirect_method(app: Erlen) -> None:
    rv = app.redirect("/target", 303)
    assert (rv.status_code, rv.headers["Location"]) == (303, "/target")


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"PATH_INFO": "/caf\xc3"}, 400),  # invalid UTF-8 in the path
        ({"QUERY_STRING": "a=%ff"}, 200),  # query parsed lazily; index never reads it
        ({"CONTENT_LENGTH": "abc", "REQUEST_METHOD": "POST"}, 200),
        ({"REQUEST_METHOD": "BREW"}, 405),
        ({"PATH_INFO": "/" + "a" * 70_000}, 404),
        ({"HTTP_HOST": "bad host\r\n"}, 400),
        ({"HTTP_HOST": "[::1"}, 400),
        ({"HTTP_HOST": "example.test:99999x"}, 400),
        ({"HTTP_HOST": "example.test:70000"}, 400),
        ({"HTTP_HOST": "a" * 100_000}, 400),
        ({"HTTP_HOST": "a:b:c"}, 400),
        ({"HTTP_HOST": "", "SERVER_NAME": "::1", "SERVER_PORT": "5000"}, 200),  # erlen run -h ::1
    ],
)
def test_hostile_environ_never_500(overrides: dict[str, str], status: int) -> None:
    app = Erlen("x")
    app.add_url_rule("/", "i", lambda: "ok", methods=["GET", "POST"])
    code = int(call_wsgi(app, raw_environ(**overrides))[0][:3])
    assert code == status


@pytest.mark.parametrize(
    ("query", "status"),
    [("a=%ff", 400), ("a=%zz", 200), ("a=" + "x" * 100_000, 200), ("a&b&&=", 200)],
)
def test_bad_query_strings(query: str, status: int) -> None:
    app = Erlen("x")
    app.add_url_rule("/", "i", lambda: ",".join(request.args))
    code = int(call_wsgi(app, raw_environ(QUERY_STRING=query))[0][:3])
    assert code == status


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", " 12"])
def test_bad_content_length_on_body_read_is_400(length: str) -> None:
    app = Erlen("x")
    app.add_url_rule("/", "i", lambda: request.get_data(), methods=["POST"])
    environ = raw_environ(REQUEST_METHOD="POST", CONTENT_LENGTH=length)
    assert call_wsgi(app, environ)[0].startswith("400")


def test_run_is_ignored_under_cli(app: Erlen, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app.run()  # returns at once instead of serving
    assert app.debug is False


# -- parity checks for the ⚠ items of the spec (sections 1.2-1.10) ----------------------------


def test_debug_comes_from_the_environment_at_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERLEN_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert Erlen("x").debug is False
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert Erlen("x").config["DEBUG"] is True
    monkeypatch.delenv("FLASK_DEBUG")
    monkeypatch.setenv("ERLEN_DEBUG", "true")
    assert Erlen("x").debug is True


def test_version_is_plain_and_does_not_warn() -> None:
    # Flask 3.1 deprecates flask.__version__; Erlen keeps its own without a warning (there is
    # nothing to migrate away from) and it agrees with the installed metadata.
    import importlib.metadata
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        version = erlen.__version__
    assert version == importlib.metadata.version("erlen")


def test_before_first_request_is_gone(app: Erlen) -> None:
    # Removed in Flask 2.3; an app that still calls it fails loudly at import time.
    assert not hasattr(app, "before_first_request")


def test_head_is_added_only_with_get(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/post", "post", lambda: "x", methods=["POST"])
    app.add_url_rule("/get", "get", lambda: "x")
    assert client.head("/post").status_code == 405
    assert client.head("/get").status_code == 200


def test_explicit_options_method_goes_to_the_view(app: Erlen, client: ErlenClient) -> None:
    @app.route("/", methods=["GET", "OPTIONS"])
    def index() -> str:
        return f"view saw {request.method}"

    rv = client.options("/")
    assert rv.text == "view saw OPTIONS"
    assert "Allow" not in rv.headers


def test_view_attribute_beats_the_config_for_automatic_options(
    app: Erlen, client: ErlenClient
) -> None:
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    def view() -> str:
        return "x"

    view.provide_automatic_options = True  # type: ignore[attr-defined]
    app.add_url_rule("/", "v", view)
    app.add_url_rule("/off", "off", lambda: "x")
    rv = client.options("/")
    assert rv.status_code == 200
    assert set(rv.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    off = client.options("/off")
    assert off.status_code == 405
    assert set(off.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_routing_404_and_405_reach_app_error_handlers(app: Erlen, client: ErlenClient) -> None:
    app.add_url_rule("/only-post", "p", lambda: "x", methods=["POST"])

    @app.errorhandler(405)
    def not_allowed(e: HTTPException) -> tuple[str, int]:
        return "custom 405", 405

    @app.errorhandler(404)
    def not_found(e: HTTPException) -> tuple[str, int]:
        return "custom 404", 404

    assert client.get("/only-post").text == "custom 405"
    assert client.get("/nowhere").text == "custom 404"


def test_code_handler_beats_a_class_handler(app: Erlen, client: ErlenClient) -> None:
    @app.errorhandler(HTTPException)
    def any_http(e: HTTPException) -> tuple[str, int]:  # pragma: no cover - must lose
        return "by class", 500

    @app.errorhandler(404)
    def by_code(e: HTTPException) -> tuple[str, int]:
        return "by code", 404

    assert client.get("/nowhere").text == "by code"


def test_most_specific_class_in_the_mro_wins(app: Erlen, client: ErlenClient) -> None:
    @app.errorhandler(Exception)
    def anything(e: Exception) -> tuple[str, int]:  # pragma: no cover - must lose
        return "Exception", 500

    @app.errorhandler(LookupError)
    def lookup(e: Exception) -> tuple[str, int]:
        return "LookupError", 500

    @app.route("/")
    def view() -> str:
        raise KeyError("k")

    assert client.get("/").text == "LookupError"


@pytest.mark.parametrize(
    ("testing", "debug", "propagate", "raises"),
    [
        (False, False, None, False),
        (True, False, None, True),
        (False, True, None, True),
        (True, True, False, False),
        (False, False, True, True),
    ],
)
def test_propagate_exceptions_none_follows_testing_and_debug(
    testing: bool,
    debug: bool,
    propagate: bool | None,
    raises: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Erlen("x")
    app.config.update(TESTING=testing, DEBUG=debug, PROPAGATE_EXCEPTIONS=propagate)

    @app.route("/")
    def boom() -> str:
        raise ZeroDivisionError("boom")

    if raises:
        with pytest.raises(ZeroDivisionError):
            app.test_client().get("/")
    else:
        monkeypatch.setattr(app.logger, "disabled", True)  # loggers are process-wide
        assert app.test_client().get("/").status_code == 500


def test_trap_bad_request_errors_none_traps_only_key_errors_in_debug(app: Erlen) -> None:
    app.debug = True

    @app.route("/plain")
    def plain() -> str:
        raise BadRequest()

    app.add_url_rule("/key", "key", lambda: request.args["missing"])
    client = app.test_client()
    assert client.get("/plain").status_code == 400
    with pytest.raises(BadRequestKeyError):
        client.get("/key")


def test_exact_order_of_hooks_signals_and_session_save(app: Erlen) -> None:
    """Spec 1.8, steps 1-11, as one sequence."""
    from erlen import signals
    from erlen.sessions import SecureCookieSessionInterface

    calls: list[str] = []

    class RecordingSessions(SecureCookieSessionInterface):
        def save_session(self, app: Erlen, session: t.Any, response: Response) -> None:
            calls.append(f"save_session x-after={response.headers.get('X-After')}")
            super().save_session(app, session, response)

    app.session_interface = RecordingSessions()

    def on(name: str) -> t.Callable[..., None]:
        def receiver(sender: Erlen, **kwargs: t.Any) -> None:
            calls.append(name)

        return receiver

    receivers = [on(name) for name in ("request_started", "request_finished")]
    receivers += [on("request_tearing_down"), on("appcontext_tearing_down")]
    signals.request_started.connect(receivers[0], app)
    signals.request_finished.connect(receivers[1], app)
    signals.request_tearing_down.connect(receivers[2], app)
    signals.appcontext_tearing_down.connect(receivers[3], app)
    try:
        app.url_value_preprocessor(lambda endpoint, values: calls.append("url_value_preprocessor"))
        app.before_request(lambda: calls.append("before_request 1"))
        app.before_request(lambda: calls.append("before_request 2"))

        @app.after_request
        def after_1(resp: Response) -> Response:
            calls.append("after_request 1")
            return resp

        @app.after_request
        def after_2(resp: Response) -> Response:
            calls.append("after_request 2")
            resp.headers["X-After"] = "set"
            session["touched"] = True  # still saved: save_session comes after
            return resp

        app.teardown_request(lambda exc: calls.append("teardown_request 1"))
        app.teardown_request(lambda exc: calls.append("teardown_request 2"))
        app.teardown_appcontext(lambda exc: calls.append("teardown_appcontext 1"))
        app.teardown_appcontext(lambda exc: calls.append("teardown_appcontext 2"))

        @app.route("/")
        def index() -> str:
            calls.append("view")
            session["seen"] = True

            @erlen.after_this_request
            def this_request(resp: Response) -> Response:
                calls.append("after_this_request")
                return resp

            return "ok"

        client = app.test_client()
        client.get("/")
    finally:
        signals.request_started.disconnect(receivers[0], app)
        signals.request_finished.disconnect(receivers[1], app)
        signals.request_tearing_down.disconnect(receivers[2], app)
        signals.appcontext_tearing_down.disconnect(receivers[3], app)
    assert calls == [
        "request_started",
        "url_value_preprocessor",
        "before_request 1",
        "before_request 2",
        "view",
        "after_this_request",
        "after_request 2",
        "after_request 1",
        "save_session x-after=set",
        "request_finished",
        "teardown_request 2",
        "teardown_request 1",
        "request_tearing_down",
        "teardown_appcontext 2",
        "teardown_appcontext 1",
        "appcontext_tearing_down",
    ]
    with client.session_transaction() as sess:
        assert sess["touched"] is True


def test_before_request_short_circuit_skips_later_hooks_and_view(
    app: Erlen, client: ErlenClient
) -> None:
    calls: list[str] = []
    app.before_request(lambda: "stopped")
    app.before_request(lambda: calls.append("second before_request"))

    def view() -> str:
        calls.append("view")
        return "view"

    app.add_url_rule("/", "v", view)
    assert client.get("/").text == "stopped"
    assert calls == []


def test_after_request_sees_the_500_of_an_unhandled_error_with_its_handler(
    app: Erlen, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(app.logger, "disabled", True)  # loggers are process-wide
    seen: list[int] = []

    @app.errorhandler(500)
    def handler(e: InternalServerError) -> tuple[str, int]:
        return "handled", 500

    @app.after_request
    def record(resp: Response) -> Response:
        seen.append(resp.status_code)
        return resp

    app.add_url_rule("/", "v", lambda: str(1 / 0))
    assert app.test_client().get("/").text == "handled"
    assert seen == [500]


def test_url_for_accepts_self_as_a_value(app: Erlen) -> None:
    app.add_url_rule("/<self>", "item", lambda self: self)
    with app.test_request_context():
        assert url_for("item", self="me") == "/me"
        assert app.url_for("item", self="me") == "/me"


def test_url_for_config_applies_only_outside_requests(app: Erlen) -> None:
    app.add_url_rule("/", "index", lambda: "")
    app.config.update(APPLICATION_ROOT="/app", PREFERRED_URL_SCHEME="https")
    with app.test_request_context(base_url="http://req.test/mounted/"):
        assert url_for("index") == "/mounted/"
        assert url_for("index", _external=True) == "http://req.test/mounted/"
    app.config["SERVER_NAME"] = "conf.test"
    with app.app_context():
        assert url_for("index") == "https://conf.test/app/"
        assert url_for("index", _external=False) == "/app/"
        with pytest.raises(ValueError, match="_external"):
            url_for("index", _scheme="http", _external=False)


def test_url_for_anchor_is_quoted(app: Erlen) -> None:
    app.add_url_rule("/", "index", lambda: "")
    with app.test_request_context():
        assert url_for("index", _anchor='sec tion/ü"<') == "/#sec%20tion/%C3%BC%22%3C"


def test_build_error_handlers_first_answer_wins_else_reraise(app: Erlen) -> None:
    calls: list[str] = []

    def first(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str | None:
        calls.append("first")
        return None

    def second(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str | None:
        calls.append("second")
        return "/from-second" if endpoint == "known" else None

    def third(error: Exception, endpoint: str, values: dict[str, t.Any]) -> str:
        calls.append("third")  # pragma: no cover - never reached for "known"
        return "/from-third"  # pragma: no cover

    app.url_build_error_handlers.extend([first, second])
    with app.test_request_context():
        assert url_for("known") == "/from-second"
        assert calls == ["first", "second"]
        with pytest.raises(erlen.routing.BuildError, match="unknown"):
            url_for("unknown")
        app.url_build_error_handlers.append(third)
        calls.clear()
        assert url_for("known") == "/from-second"
        assert calls == ["first", "second"]


def test_url_defaults_fill_values_only_when_missing(app: Erlen) -> None:
    app.url_defaults(lambda endpoint, values: values.setdefault("lang", "en"))
    app.add_url_rule("/<lang>/", "home", lambda lang: lang)
    with app.test_request_context():
        assert url_for("home") == "/en/"
        assert url_for("home", lang="de") == "/de/"


# -- more hostile input: a clear 4xx, never a 500, never a hang --------------------------------


def _hostile_app() -> Erlen:
    app = Erlen("x")

    @app.route("/", methods=["GET", "POST", "PUT"])
    def touch_everything() -> str:
        what = request.args.get("what", "")
        for name in filter(None, what.split(",")):
            value = getattr(request, name)
            if name in ("get_data", "get_json"):
                value()
        return "ok"

    return app


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"QUERY_STRING": "a=\xff\xfe"}, 400),  # raw non-UTF-8 bytes, read through args
        ({"QUERY_STRING": "what=args&x=%C3%28"}, 400),  # percent-encoded invalid UTF-8
        ({"QUERY_STRING": "what=args&x=%zz%%"}, 200),  # malformed escapes stay literal
        ({"PATH_INFO": "/%zz"}, 404),  # the server already decoded the path: no match
        ({"PATH_INFO": "/\udcff"}, 400),  # surrogate-escaped bytes in the path
        ({"SCRIPT_NAME": "/\xff", "QUERY_STRING": "what=url,base_url,url_root"}, 200),
        ({"REQUEST_METHOD": "get"}, 200),  # methods are case-normalised
        ({"REQUEST_METHOD": ""}, 405),
        ({"REQUEST_METHOD": "G\xffT"}, 405),
        ({"REQUEST_METHOD": "X" * 10_000}, 405),
        ({"QUERY_STRING": "what=headers,cookies", "HTTP_X_BIG": "x" * 1_000_000}, 200),
        ({"QUERY_STRING": "what=cookies", "HTTP_COOKIE": 'a=\xff; b="open; =; ;;; c'}, 200),
        ({"QUERY_STRING": "what=url", "HTTP_HOST": "\xff\xfe"}, 400),
        ({"QUERY_STRING": "what=url", "HTTP_HOST": "h" * 100_000}, 400),  # > 253 characters
        ({"QUERY_STRING": "what=url", "HTTP_HOST": "h" * 253}, 200),
        (
            {
                "QUERY_STRING": "what=accept_mimetypes,accept_languages,accept_charsets,"
                "accept_encodings,authorization,cache_control,if_modified_since,"
                "if_unmodified_since,if_none_match,if_match,if_range,range,date,max_forwards,"
                "access_route,user_agent,content_type,mimetype_params",
                "HTTP_ACCEPT": "text/html;q=abc, */*;q=-1, ;;;",
                "HTTP_ACCEPT_LANGUAGE": "\xff;q=2",
                "HTTP_ACCEPT_CHARSET": ",,,",
                "HTTP_ACCEPT_ENCODING": "gzip;q=nan",
                "HTTP_AUTHORIZATION": "Basic !!!notbase64",
                "HTTP_CACHE_CONTROL": "max-age=abc, =, ,",
                "HTTP_IF_MODIFIED_SINCE": "garbage",
                "HTTP_IF_UNMODIFIED_SINCE": "Mon, 99 Foo 99999 99:99:99 GMT",
                "HTTP_IF_NONE_MATCH": '"unterminated',
                "HTTP_IF_MATCH": "W/",
                "HTTP_IF_RANGE": "\xff",
                "HTTP_RANGE": "bytes=9-1,abc",
                "HTTP_DATE": "0",
                "HTTP_MAX_FORWARDS": "abc",
                "HTTP_X_FORWARDED_FOR": ",,, \xff",
                "CONTENT_TYPE": 'text/plain; charset="open; ;=;',
            },
            200,
        ),
    ],
)
def test_hostile_headers_and_urls_never_500(overrides: dict[str, str], status: int) -> None:
    code = int(call_wsgi(_hostile_app(), raw_environ(**overrides))[0][:3])
    assert code == status


@pytest.mark.parametrize(
    ("content_type", "body", "what", "status"),
    [
        ("application/json", b"\xff\xfe{", "get_json", 400),  # not UTF-8
        ("application/json", b"[1", "get_json", 400),  # truncated JSON
        ("application/json", b"[" * 200_000, "get_json", 400),  # RecursionError -> 400
        ("application/json", b"9" * 5_000, "get_json", 400),  # int too long to convert
        ("text/plain", b"{}", "get_json", 415),
        ("application/x-www-form-urlencoded", b"a=%ff&b", "form", 400),
        ("application/x-www-form-urlencoded", b"a=\xff", "form", 400),
        ("multipart/form-data", b"no boundary", "form", 400),
        ("multipart/form-data; boundary=b", b"--b\r\ngarbage", "form", 400),
    ],
)
def test_hostile_bodies_are_4xx(content_type: str, body: bytes, what: str, status: int) -> None:
    import io

    environ = raw_environ(
        REQUEST_METHOD="POST",
        QUERY_STRING=f"what={what}",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body)},
    )
    assert int(call_wsgi(_hostile_app(), environ)[0][:3]) == status


@pytest.mark.parametrize("claimed", [str(10**11), "9" * 30])
def test_huge_content_length_with_a_small_body_is_400_not_a_memory_error(claimed: str) -> None:
    # A real server's input is a buffered socket file: asking it for the claimed length in
    # one read() would allocate it (MemoryError) or overflow (OverflowError): both were 500s.
    import socket

    sender, receiver = socket.socketpair()
    try:
        sender.sendall(b"tiny")
        sender.close()
        with receiver.makefile("rb") as stream:
            environ = raw_environ(
                REQUEST_METHOD="POST",
                QUERY_STRING="what=get_data",
                CONTENT_LENGTH=claimed,
                **{"wsgi.input": stream},
            )
            status, _headers, body = call_wsgi(_hostile_app(), environ)
    finally:
        receiver.close()
    assert status.startswith("400")
    assert b"closed the connection" in body


def test_huge_content_length_is_413_when_a_limit_is_set() -> None:
    app = _hostile_app()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    environ = raw_environ(
        REQUEST_METHOD="POST", QUERY_STRING="what=get_data", CONTENT_LENGTH="9" * 30
    )
    assert call_wsgi(app, environ)[0].startswith("413")


# -- the plain path and overridden pipeline methods ------------------------------------------
# wsgi_app writes the pipeline out in one function (_plain_wsgi_app) unless a method of it is
# overridden; each override must then be called, whether made by a subclass or on the instance.
_REQUEST_FOR = {"should_ignore_error": "/boom", "raise_routing_exception": "/missing"}


def _recording_app(calls: list[str], name: str, how: str) -> Erlen:
    original = getattr(Erlen, name)

    def override(self: Erlen, *args: t.Any, **kwargs: t.Any) -> t.Any:
        calls.append(name)
        return original(self, *args, **kwargs)

    app: Erlen
    if how == "subclass":
        app = type("Sub", (Erlen,), {name: override})("test_app_module")
    else:
        app = Erlen("test_app_module")
        setattr(app, name, override.__get__(app))

    @app.route("/")
    def index() -> str:
        return "ok"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app


@pytest.mark.parametrize("how", ["subclass", "instance"])
@pytest.mark.parametrize("name", erlen.app._PLAIN_PIPELINE)
def test_an_overridden_pipeline_method_is_called(name: str, how: str) -> None:
    calls: list[str] = []
    app = _recording_app(calls, name, how)
    path = _REQUEST_FOR.get(name, "/")
    response = app.test_client().get(path)
    assert calls, f"{name} overridden by {how} was not called for {path}"
    assert response.status_code == {"/": 200, "/boom": 500, "/missing": 404}[path]
    assert not erlen.app._pipeline_is_plain(app)


@pytest.mark.usefixtures("plain_pipeline")
def test_a_plain_app_takes_the_plain_path(app: Erlen, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bool] = []
    plain = Erlen._plain_wsgi_app

    def spy(self: Erlen, environ: t.Any, start_response: t.Any) -> t.Any:
        taken.append(True)
        return plain(self, environ, start_response)

    monkeypatch.setattr(Erlen, "_plain_wsgi_app", spy)
    app.route("/")(lambda: "ok")
    client = app.test_client()
    assert client.get("/").text == "ok"
    assert taken == [True]
    with app.app_context():  # a context already bound: the general path
        assert client.get("/").text == "ok"
    with client:  # the client keeps the contexts: the general path
        assert client.get("/").text == "ok"
    assert taken == [True]


@pytest.mark.usefixtures("plain_pipeline")
def test_middleware_around_wsgi_app_keeps_the_plain_path(app: Erlen) -> None:
    seen: list[str] = []
    inner = app.wsgi_app

    def middleware(environ: t.Any, start_response: t.Any) -> t.Any:
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    app.route("/")(lambda: "ok")
    assert app.test_client().get("/").text == "ok"
    assert seen == ["/"]
    assert erlen.app._pipeline_is_plain(app)


def _decided(app: Erlen) -> bool | None:
    """Whether the app takes the plain path (None: not decided yet)."""
    return app._plain_pipeline


@pytest.mark.usefixtures("plain_pipeline")
def test_setting_a_pipeline_method_after_the_first_request_takes_effect(
    app: Erlen, client: ErlenClient
) -> None:
    app.route("/")(lambda: "ok")
    assert client.get("/").text == "ok"
    assert app._plain_pipeline is True

    def make_response(rv: t.Any) -> Response:
        return Response(f"[{rv}]")

    app.make_response = make_response  # type: ignore[method-assign]
    assert _decided(app) is None
    assert client.get("/").text == "[ok]"
    assert _decided(app) is False
    del app.make_response
    assert client.get("/").text == "ok"
    assert _decided(app) is True


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize("how", ["class", "instance"])
def test_plain_path_calls_a_patched_request_close(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    from erlen import request
    from erlen.wrappers import Request

    closes: list[str] = []
    original = Request.close
    app = Erlen("test_app_module")

    if how == "class":

        def close(self: Request) -> None:
            closes.append(self.path)
            original(self)

        monkeypatch.setattr(Request, "close", close)

    @app.get("/")
    def index() -> str:
        if how == "instance":
            request.close = lambda: closes.append("instance")  # type: ignore[method-assign]
        return "ok"

    assert app.test_client().get("/").text == "ok"
    assert closes == (["/"] if how == "class" else ["instance"])


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize("subclass", [False, True])
def test_plain_path_closes_the_request(subclass: bool) -> None:
    # Request.close() is skipped when it has no files to close (PERF); a subclass's own
    # close() is always called, and uploaded files are always closed.
    import io

    from erlen import request
    from erlen.wrappers import Request

    closes: list[str] = []
    seen: list[t.Any] = []

    class Closing(Request):
        def close(self) -> None:
            closes.append(self.path)
            super().close()

    app = Erlen("test_app_module")
    if subclass:
        app.request_class = Closing

    @app.post("/upload")
    def upload() -> str:
        seen.append(request.files["f"])
        return "ok"

    @app.get("/")
    def index() -> str:
        return "ok"

    client = app.test_client()
    assert client.get("/").text == "ok"
    assert client.post("/upload", data={"f": (io.BytesIO(b"data"), "f.txt")}).text == "ok"
    assert seen[0].closed
    assert closes == (["/", "/upload"] if subclass else [])
    assert app._plain_pipeline is True


def test_plain_path_pops_the_right_context_or_says_so(app: Erlen) -> None:
    @app.route("/")
    def leak() -> str:
        app.test_request_context("/other").push()  # pushed and never popped
        return "ok"

    with pytest.raises(AssertionError, match="Popped wrong request context"):
        app.test_client().get("/")
    assert not erlen.has_request_context()
    assert not erlen.has_app_context()


def test_a_base_exception_propagates_and_teardown_sees_it(app: Erlen) -> None:
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)

    @app.route("/")
    def stop() -> str:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        app.test_client().get("/")
    assert len(seen) == 1
    assert isinstance(seen[0], KeyboardInterrupt)
    assert not erlen.has_request_context()


# -- answering without a response object (the plain path) -----------------------------------
# A str or dict return value that nothing else can see is answered without a Response; the
# answer must be the one the response object gives, byte for byte.
def _answering_app() -> Erlen:
    app = Erlen("test_app_module")
    app.add_url_rule("/text", "text", lambda: "héllo wörld")
    app.add_url_rule("/empty", "empty", lambda: "")
    app.add_url_rule("/json", "json", lambda: {"b": [1, 2], "a": "é", "when": None})
    app.add_url_rule("/nested", "nested", lambda: {"z": {"y": [{"x": 1}]}})
    return app


def _made_responses(monkeypatch: pytest.MonkeyPatch) -> list[Response]:
    """The Response objects made from now on (the test client makes none: call_wsgi)."""
    made: list[Response] = []
    init = Response.__init__

    def spy(self: Response, *args: t.Any, **kwargs: t.Any) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Response, "__init__", spy)
    return made


def _both_answers(app: Erlen, **environ: t.Any) -> tuple[t.Any, t.Any]:
    """The answer of the plain path and that of the general path for one request."""
    plain = call_wsgi(app, raw_environ(**environ))
    app._plain_pipeline = False  # the general path, which always makes a Response
    general = call_wsgi(app, raw_environ(**environ))
    app._plain_pipeline = None
    return plain, general


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize("path", ["/text", "/empty", "/json", "/nested"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("debug", [False, True])  # debug indents JSON
def test_a_plain_answer_is_the_response_objects_answer(
    monkeypatch: pytest.MonkeyPatch, path: str, method: str, debug: bool
) -> None:
    app = _answering_app()
    app.debug = debug
    made = _made_responses(monkeypatch)
    plain, general = _both_answers(app, PATH_INFO=path, REQUEST_METHOD=method)
    assert len(made) == 1  # the general path's only
    assert plain == general
    assert plain[0] == "200 OK"
    assert (plain[2] == b"") == (method == "HEAD" or path == "/empty")


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (lambda app: setattr(Response, "default_mimetype", "text/plain"), "text/plain"),
        (lambda app: setattr(Response, "default_mimetype", None), None),
        (lambda app: setattr(app.json, "mimetype", "application/vnd.api+json"), "vnd.api"),
        (lambda app: setattr(app.json, "compact", False), "indented"),
        (lambda app: setattr(app.json, "sort_keys", False), "unsorted"),
    ],
)
def test_a_plain_answer_follows_the_class_and_provider_settings(
    monkeypatch: pytest.MonkeyPatch, setting: t.Callable[[Erlen], None], expected: str | None
) -> None:
    monkeypatch.setattr(Response, "default_mimetype", Response.default_mimetype)  # restored
    app = _answering_app()
    setting(app)
    made = _made_responses(monkeypatch)
    for path in ("/text", "/json"):
        plain, general = _both_answers(app, PATH_INFO=path)
        assert plain == general
    assert len(made) == 2
    text, json_answer = (call_wsgi(app, raw_environ(PATH_INFO=p)) for p in ("/text", "/json"))
    if expected is None:
        assert [name for name, _ in text[1]] == ["Content-Length"]
    elif expected.startswith("text/"):
        assert ("Content-Type", f"{expected}; charset=utf-8") in text[1]
    elif expected == "vnd.api":
        assert ("Content-Type", "application/vnd.api+json") in json_answer[1]
    elif expected == "indented":
        assert json_answer[2].startswith(b'{\n  "a"')
    else:
        assert json_answer[2].startswith(b'{"b"')


def _seeing(response: Response, seen: list[t.Any]) -> Response:
    seen.append(response)
    return response


def _after_request(app: Erlen, seen: list[t.Any]) -> None:
    app.after_request(lambda response: _seeing(response, seen))


def _after_this_request(app: Erlen, seen: list[t.Any]) -> None:
    @app.before_request
    def register() -> None:
        erlen.after_this_request(lambda response: _seeing(response, seen))


def _touch_session(app: Erlen, seen: list[t.Any]) -> None:
    app.before_request(lambda: session.get("x"))


def _connect_finished(app: Erlen, seen: list[t.Any]) -> None:
    def receiver(sender: Erlen, response: Response, **extra: t.Any) -> None:
        seen.append(response)

    erlen.signals.request_finished.connect(receiver, app, weak=False)
    seen.append(receiver)


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(_after_request, id="after_request"),
        pytest.param(_after_this_request, id="after_this_request"),
        pytest.param(_touch_session, id="session"),
        pytest.param(_connect_finished, id="request_finished"),
        pytest.param(
            lambda app, seen: setattr(app, "response_class", type("R", (Response,), {})),
            id="response_class",
        ),
        pytest.param(
            lambda app, seen: setattr(Response, "default_status", 201), id="default_status"
        ),
        pytest.param(
            lambda app, seen: setattr(Response, "automatically_set_content_length", False),
            id="no_content_length",
        ),
    ],
)
def test_anything_that_can_see_the_response_gets_one(
    monkeypatch: pytest.MonkeyPatch, setup: t.Callable[[Erlen, list[t.Any]], None]
) -> None:
    for name in ("default_status", "automatically_set_content_length"):
        monkeypatch.setattr(Response, name, getattr(Response, name))  # restored after
    app = _answering_app()
    app.secret_key = "test key"
    seen: list[t.Any] = []
    setup(app, seen)
    made = _made_responses(monkeypatch)
    try:
        for path in ("/text", "/json"):
            plain, general = _both_answers(app, PATH_INFO=path)
            assert plain == general
    finally:
        for receiver in seen:
            if callable(receiver) and not isinstance(receiver, Response):
                erlen.signals.request_finished.disconnect(receiver)
    assert len(made) == 4  # both paths made one for each request
    headers = dict(plain[1])
    assert ("Content-Length" in headers) == Response.automatically_set_content_length
    responses = [r for r in seen if isinstance(r, Response)]
    assert responses in ([], made)  # a hook or receiver saw each response that was made
    assert responses or setup not in (_after_request, _after_this_request, _connect_finished)


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda app: setattr(app, "json", type("P", (type(app.json),), {})(app))),
        pytest.param(lambda app: setattr(app.json, "response", lambda obj: Response("mine", 202))),
    ],
    ids=["provider_subclass", "provider_response_attribute"],
)
def test_another_json_provider_makes_the_response(
    monkeypatch: pytest.MonkeyPatch, setup: t.Callable[[Erlen], None]
) -> None:
    app = _answering_app()
    setup(app)
    made = _made_responses(monkeypatch)
    plain, general = _both_answers(app, PATH_INFO="/json")
    assert plain == general
    assert len(made) == 2


@pytest.mark.usefixtures("plain_pipeline")
def test_a_body_that_cannot_be_encoded_is_a_500_on_both_paths() -> None:
    app = _answering_app()
    app.add_url_rule("/surrogate", "surrogate", lambda: "\udc80")
    plain, general = _both_answers(app, PATH_INFO="/surrogate")
    assert plain == general
    assert plain[0].startswith("500")


@pytest.mark.usefixtures("plain_pipeline")
@pytest.mark.parametrize("plain", [None, False])
def test_an_error_in_start_response_propagates_after_the_teardown(plain: bool | None) -> None:
    app = _answering_app()
    torn_down: list[BaseException | None] = []
    app.teardown_request(torn_down.append)
    app._plain_pipeline = plain

    def start_response(status: str, headers: list[tuple[str, str]], exc: t.Any = None) -> t.Any:
        raise OSError("the client went away")

    with pytest.raises(OSError, match="went away"):
        app(raw_environ(PATH_INFO="/text"), start_response)
    assert torn_down == [None]
    assert not erlen.has_request_context()


# -- matching without binding an adapter (the plain path) ------------------------------------
def _matching_app() -> Erlen:
    app = Erlen("test_app_module")
    app.route("/", endpoint="index")(lambda: "index")
    app.route("/users/<int:uid>", endpoint="user")(lambda uid: f"user {uid}")
    app.route("/dir/", endpoint="dir")(lambda: "dir")
    app.route("/post", methods=["POST"], endpoint="post")(lambda: "post")
    app.add_url_rule("/old", endpoint="old", redirect_to="/")
    app.route("/api", subdomain="api", endpoint="api")(lambda: "api")
    return app


@pytest.mark.parametrize(
    ("overrides", "outcome"),
    [
        ({"PATH_INFO": "/"}, "found"),
        ({"PATH_INFO": "/users/42"}, "found"),
        ({"PATH_INFO": "/dir/"}, "found"),
        ({"PATH_INFO": "/post", "REQUEST_METHOD": "POST"}, "found"),
        ({"PATH_INFO": "/missing"}, "404"),
        ({"PATH_INFO": "/missing/"}, "404"),
        ({"PATH_INFO": "/users/x"}, "404"),
        ({"PATH_INFO": "/api"}, "404"),  # a subdomain rule, and no subdomain
        ({"PATH_INFO": "/post"}, "adapter"),  # 405
        ({"PATH_INFO": "/dir"}, "adapter"),  # the strict-slash redirect
        ({"PATH_INFO": "/dir", "REQUEST_METHOD": "DELETE"}, "adapter"),  # "/dir/" gives 405
        ({"PATH_INFO": "/old"}, "adapter"),  # redirect_to
        ({"PATH_INFO": "//users/42"}, "adapter"),  # merge_slashes
        ({"PATH_INFO": "/users/\xc3\xa9"}, "adapter"),  # non-ASCII: decoded by the adapter
        ({"PATH_INFO": ""}, "adapter"),
        ({"PATH_INFO": "/", "HTTP_HOST": "new.example:81"}, "adapter"),  # Host not checked yet
        ({"PATH_INFO": "/", "HTTP_UPGRADE": "websocket"}, "adapter"),
        ({"PATH_INFO": "/", "wsgi.url_scheme": "ws"}, "adapter"),
    ],
)
def test_matching_without_an_adapter_agrees_with_the_adapter(
    overrides: dict[str, str], outcome: str
) -> None:
    app = _matching_app()
    environ = raw_environ(**{"HTTP_HOST": "localhost", **overrides})
    app.url_map.bind_to_environ(raw_environ(HTTP_HOST="localhost"))  # "localhost" now known
    method = environ["REQUEST_METHOD"]
    try:
        found = app._match_without_adapter(environ, method)
    except NotFound:
        assert outcome == "404"
        with pytest.raises(NotFound):
            app.url_map.bind_to_environ(environ).match(return_rule=True)
        return
    assert ("adapter" if found is None else "found") == outcome
    if found is not None:
        assert found == app.url_map.bind_to_environ(environ).match(return_rule=True)


@pytest.mark.parametrize(
    "setup",
    [
        lambda app: app.config.update(SERVER_NAME="localhost"),
        lambda app: app.config.update(TRUSTED_HOSTS=["localhost"]),
        lambda app: setattr(app, "subdomain_matching", True),
        lambda app: setattr(app.url_map, "default_subdomain", "www"),
    ],
)
def test_host_settings_leave_matching_to_the_adapter(setup: t.Callable[[Erlen], None]) -> None:
    app = _matching_app()
    app.url_map.bind_to_environ(raw_environ(HTTP_HOST="localhost"))
    setup(app)
    assert app._match_without_adapter(raw_environ(HTTP_HOST="localhost"), "GET") is None


def test_the_adapter_is_made_when_a_view_asks_for_it(app: Erlen, client: ErlenClient) -> None:
    @app.route("/")
    def index() -> str:
        return url_for("index", _external=True)

    assert client.get("/").text == "http://localhost/"
    assert client.get("/").text == "http://localhost/"


@pytest.mark.parametrize("host", ["bad host", "a/b", "x@y", "[::1", "h\tx"])
def test_a_refused_host_stays_refused_on_the_plain_path(app: Erlen, host: str) -> None:
    app.route("/")(lambda: "ok")
    for _ in range(2):  # the second time too: a refused Host is never remembered
        status, _, _ = call_wsgi(app, raw_environ(HTTP_HOST=host))
        assert status.startswith("400")

"""The names Flask applications import from ``werkzeug.*`` exist under ``erlen.*``, so a
migration is a change of import lines; and the small helpers that came with them."""

from __future__ import annotations

import importlib
import inspect
import typing as t

import pytest

from erlen import Erlen
from erlen.middleware import DispatcherMiddleware, ProxyFix
from erlen.utils import append_slash_redirect, get_content_type

from .conftest import call_wsgi, raw_environ

# What Flask applications and extensions commonly import from werkzeug, module by module.
WERKZEUG_NAMES = {
    "erlen.exceptions": [
        "HTTPException", "NotFound", "BadRequest", "Unauthorized", "Forbidden",
        "MethodNotAllowed", "RequestEntityTooLarge", "InternalServerError",
        "BadRequestKeyError", "TooManyRequests", "abort", "Aborter", "default_exceptions",
    ],
    "erlen.security": ["generate_password_hash", "check_password_hash", "safe_join", "gen_salt"],
    "erlen.utils": [
        "secure_filename", "redirect", "cached_property", "import_string",
        "append_slash_redirect", "get_content_type",
    ],
    "erlen.middleware.proxy_fix": ["ProxyFix"],
    "erlen.middleware.dispatcher": ["DispatcherMiddleware"],
    "erlen.datastructures": [
        "FileStorage", "MultiDict", "ImmutableMultiDict", "CombinedMultiDict", "Headers",
        "EnvironHeaders", "ETags", "Accept", "MIMEAccept", "LanguageAccept", "CharsetAccept",
        "Authorization", "WWWAuthenticate", "ContentRange", "Range", "IfRange", "HeaderSet",
        "RequestCacheControl", "ResponseCacheControl", "CallbackDict", "ImmutableDict",
        "ImmutableList",
    ],
    "erlen.http": [
        "http_date", "parse_date", "dump_cookie", "parse_cookie", "quote_etag", "unquote_etag",
        "generate_etag", "parse_etags", "is_resource_modified", "parse_options_header",
        "dump_options_header", "parse_list_header", "parse_dict_header", "dump_header",
        "parse_accept_header", "parse_cache_control_header", "parse_set_header",
        "parse_range_header", "parse_content_range_header", "parse_if_range_header",
        "parse_age", "dump_age", "quote_header_value", "unquote_header_value",
        "HTTP_STATUS_CODES", "parse_csp_header", "dump_csp_header", "remove_entity_headers",
        "remove_hop_by_hop_headers", "is_entity_header", "is_hop_by_hop_header",
    ],
    "erlen.routing": [
        "BaseConverter", "ValidationError", "Map", "Rule", "MapAdapter", "RequestRedirect",
        "BuildError", "UnicodeConverter", "PathConverter", "IntegerConverter",
        "FloatConverter", "UUIDConverter", "AnyConverter",
    ],
    "erlen.wrappers": ["Request", "Response"],
}  # fmt: skip


@pytest.mark.parametrize(("module", "names"), WERKZEUG_NAMES.items())
def test_werkzeug_names_exist(module: str, names: list[str]) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in names if not hasattr(mod, name)]
    assert missing == []
    for name in names:
        obj = getattr(mod, name)
        if callable(obj):
            assert obj.__doc__, f"{module}.{name} has no docstring"


def test_proxy_fix_has_werkzeugs_arguments_and_defaults() -> None:
    params = inspect.signature(ProxyFix).parameters
    defaults = {name: p.default for name, p in params.items() if name != "app"}
    assert defaults == {"x_for": 1, "x_proto": 1, "x_host": 0, "x_port": 0, "x_prefix": 0}
    fix = ProxyFix(lambda e, s: [])
    assert (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (1, 1, 0, 0, 0)


def test_proxy_fix_originals_under_werkzeugs_key_too() -> None:
    seen: list[t.Any] = []

    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        seen.append(environ["werkzeug.proxy_fix.orig"])
        seen.append(environ["erlen.proxy_fix.orig"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    call_wsgi(ProxyFix(app), raw_environ(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"))
    assert seen[0] is seen[1]
    assert seen[0]["REMOTE_ADDR"] == "10.0.0.1"


def test_proxy_fix_forwarded_host_is_still_checked_against_trusted_hosts() -> None:
    app = Erlen("proxied_hosts")
    app.config["TRUSTED_HOSTS"] = ["public.test"]
    app.add_url_rule("/", "i", lambda: "ok")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)  # type: ignore[method-assign]
    good = raw_environ(HTTP_X_FORWARDED_HOST="public.test", HTTP_HOST="internal")
    assert call_wsgi(app, good)[0].startswith("200")
    evil = raw_environ(HTTP_X_FORWARDED_HOST="evil.test", HTTP_HOST="public.test")
    assert call_wsgi(app, evil)[0].startswith("400")
    # Only the last (proxy-added) value is used; a client-sent one before it is not.
    spoofed = raw_environ(HTTP_X_FORWARDED_HOST="public.test, evil.test")
    assert call_wsgi(app, spoofed)[0].startswith("400")


def test_dispatcher_extends_an_existing_script_name() -> None:
    def inner(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]

    dispatcher = DispatcherMiddleware(inner, {"/api": inner})
    body = call_wsgi(dispatcher, raw_environ(SCRIPT_NAME="/root", PATH_INFO="/api/x"))[2]
    assert body == b"/root/api|/x"
    assert call_wsgi(dispatcher, raw_environ(PATH_INFO=""))[2] == b"|"


@pytest.mark.parametrize(
    ("path", "query", "location"),
    [
        ("/a/name", "", "name/"),
        ("/a/name", "x=1&y=2", "name/?x=1&y=2"),
        ("/a/", "", "./"),
        ("/a/é s", "", "%C3%A9%20s/"),
        ("//evil.test", "", "evil.test/"),
    ],
)
def test_append_slash_redirect(path: str, query: str, location: str) -> None:
    resp = append_slash_redirect(raw_environ(PATH_INFO=path, QUERY_STRING=query))
    assert resp.status_code == 308
    assert resp.headers["Location"] == location
    assert append_slash_redirect(raw_environ(PATH_INFO=path), code=301).status_code == 301


def test_get_content_type() -> None:
    assert get_content_type("text/plain") == "text/plain; charset=utf-8"
    assert get_content_type("image/png") == "image/png"
    assert get_content_type("application/xml", "latin-1") == "application/xml; charset=latin-1"


def test_redirect_with_a_response_class_and_an_iri() -> None:
    from erlen import Response
    from erlen.utils import redirect

    class Mine(Response):
        pass

    resp = redirect("/caf\u00e9 menu?q=\u00e9", 301, Response=Mine)
    assert isinstance(resp, Mine)
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/caf%C3%A9%20menu?q=%C3%A9"
    assert "caf\u00e9 menu" in resp.get_data(as_text=True)


def test_pbkdf2_with_only_a_hash_name() -> None:
    from erlen.security import check_password_hash, generate_password_hash

    stored = generate_password_hash("x", "pbkdf2:sha1")
    assert stored.startswith("pbkdf2:sha1:1000000$")
    assert check_password_hash(stored, "x")

"""URL routing: rule syntax, converters, matching, priority, redirects, hosts, building."""

from __future__ import annotations

import itertools
import re
import typing as t
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erlen.exceptions import BadHost, BadRequest, HTTPException, MethodNotAllowed, NotFound
from erlen.routing import (
    AnyConverter,
    BaseConverter,
    BuildError,
    FloatConverter,
    IntegerConverter,
    Map,
    MapAdapter,
    PathConverter,
    RequestRedirect,
    RoutingException,
    Rule,
    UnicodeConverter,
    UUIDConverter,
    ValidationError,
    WebsocketMismatch,
)


def environ(path: str = "/", host: str = "localhost", **extra: t.Any) -> dict[str, t.Any]:
    """A minimal WSGI environ (``path`` as WSGI gives it: bytes decoded as latin-1)."""
    env: dict[str, t.Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
    }
    env.update(extra)
    return env


def adapter(*rules: Rule, **map_options: t.Any) -> MapAdapter:
    return Map(list(rules), **map_options).bind("example.test")


def redirect_of(a: MapAdapter, path: str, **kwargs: t.Any) -> str:
    with pytest.raises(RequestRedirect) as info:
        a.match(path, **kwargs)
    return info.value.new_url


# -- rule syntax ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("string", "arguments"),
    [
        ("/", set()),
        ("/user/<int:id>", {"id"}),
        ("/<name>", {"name"}),
        ("/<any(a, b):kind>", {"kind"}),
        ("/<string(length=2):code>", {"code"}),
        ("/<int(min=1, signed=True):n>", {"n"}),
        ("/<a>.<b>/<path:rest>", {"a", "b", "rest"}),
        ("/x/<any('a-b', \"c)d\"):w>", {"w"}),
        ("/<any(en-us, de-de):lang>", {"lang"}),
        ("/<string(minlength = 2,):s>", {"s"}),
    ],
)
def test_valid_rules(string: str, arguments: set[str]) -> None:
    rule = Rule(string, endpoint="e")
    Map([rule])
    assert rule.arguments == arguments
    assert rule.rule == string


@pytest.mark.parametrize(
    ("string", "error", "message"),
    [
        ("no-slash", ValueError, "must start with a slash"),
        ("/<", ValueError, "position 1"),
        ("/<int:>", ValueError, "Malformed URL rule"),
        ("/<1x>", ValueError, "Malformed"),
        ("/a/<b", ValueError, "position 3"),
        ("/<a>/<a>", ValueError, "appears twice"),
        ("/<nope:x>", LookupError, "converters\\['nope'\\]"),
        ("/<int(bogus=1):x>", ValueError, "rejected its arguments"),
        ("/<any():x>", ValueError, "rejected its arguments"),
        ("/<any(a b):x>", ValueError, "Cannot parse the converter arguments"),
        ("/<int(**{'a': 1}):x>", ValueError, "Cannot parse"),
    ],
)
def test_malformed_rules_fail_when_added(string: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Map([Rule(string, endpoint="e")])


def test_converter_arguments_are_never_evaluated() -> None:
    with pytest.raises(ValueError, match="Cannot parse"):
        Map([Rule("/<any(__import__('os').system('x')):k>", endpoint="e")])


def test_invalid_converter_regex_is_reported() -> None:
    class Broken(BaseConverter):
        regex = "(unclosed"

    with pytest.raises(ValueError, match="invalid regex"):
        Map([Rule("/<broken:x>", endpoint="e")], converters={"broken": Broken})


def test_methods_head_added_and_string_refused() -> None:
    assert Rule("/", methods=["get", "post"]).methods == {"GET", "HEAD", "POST"}
    assert Rule("/", methods=["POST"]).methods == {"POST"}
    assert Rule("/").methods is None
    with pytest.raises(TypeError, match=r"\['GET'\]"):
        Rule("/", methods="GET")
    with pytest.raises(ValueError, match="websocket"):
        Rule("/", methods=["POST"], websocket=True)


def test_rule_repr_copy_and_rebinding() -> None:
    rule = Rule("/a/<int:x>", endpoint="a", methods=["GET"], defaults={"y": 1})
    rule.provide_automatic_options = True
    m = Map([rule])
    assert repr(rule) == "<Rule '/a/<int:x>' (GET, HEAD) -> a>"
    assert "Map([<Rule '/a/<int:x>'" in repr(m)
    with pytest.raises(RuntimeError, match="already bound"):
        Map([rule])
    copy = rule.empty()
    assert copy.map is None
    assert (copy.rule, copy.endpoint, copy.defaults, copy.methods) == (
        "/a/<int:x>",
        "a",
        {"y": 1},
        {"GET", "HEAD"},
    )
    assert copy.provide_automatic_options is True
    Map([copy])


def test_map_api() -> None:
    rules = [
        Rule("/", endpoint="index"),
        Rule("/u/<name>", endpoint="user"),
        Rule("/u/<name>/<int:page>", endpoint="user"),
    ]
    m = Map(rules)
    assert list(m.iter_rules()) == rules
    assert [r.rule for r in m.iter_rules("user")] == ["/u/<name>/<int:page>", "/u/<name>"]
    assert list(m.iter_rules("missing")) == []
    assert m.is_endpoint_expecting("user", "name")
    assert not m.is_endpoint_expecting("index", "name")
    assert (m.host_matching, m.default_subdomain, m.strict_slashes) == (False, "", True)
    m.update()
    assert m.bind("x").match("/u/a/2") == ("user", {"name": "a", "page": 2})


def test_adding_a_rule_rebuilds_the_matcher() -> None:
    m = Map([Rule("/a", endpoint="a")])
    a = m.bind("example.test")
    assert a.match("/a") == ("a", {})
    m.add(Rule("/b/<x>", endpoint="b"))
    assert a.match("/b/1") == ("b", {"x": "1"})


def test_build_only_rules_are_not_matched() -> None:
    a = adapter(Rule("/x", endpoint="x", build_only=True))
    with pytest.raises(NotFound):
        a.match("/x")
    assert a.build("x") == "/x"


# -- converters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ("/<x>", "/abc", "abc"),
        ("/<string(length=2):x>", "/ab", "ab"),
        ("/<string(length=2):x>", "/abc", None),
        ("/<string(minlength=2, maxlength=3):x>", "/a", None),
        ("/<string(minlength=2, maxlength=3):x>", "/abc", "abc"),
        ("/<string(minlength=2, maxlength=3):x>", "/abcd", None),
        ("/<int:x>", "/42", 42),
        ("/<int:x>", "/-1", None),
        ("/<int:x>", "/\u0663", None),  # an Arabic-Indic digit is not a URL digit
        ("/<int(signed=True):x>", "/-1", -1),
        ("/<int(min=1):x>", "/0", None),
        ("/<int(max=9):x>", "/10", None),
        ("/<int(fixed_digits=3):x>", "/007", 7),
        ("/<int(fixed_digits=3):x>", "/07", None),
        ("/<float:x>", "/1.5", 1.5),
        ("/<float:x>", "/1", None),
        ("/<float(signed=True, max=0):x>", "/-2.5", -2.5),
        ("/<float(min=1.0):x>", "/0.5", None),
        (
            "/<uuid:x>",
            "/12345678-1234-5678-1234-567812345678",
            uuid.UUID(int=0x12345678123456781234567812345678),
        ),
        ("/<uuid:x>", "/12345678", None),
        ("/<any(a, b):x>", "/b", "b"),
        ("/<any(a, b):x>", "/c", None),
        ("/<any('a.b'):x>", "/aXb", None),
        ("/<path:x>", "/a/b/c", "a/b/c"),
        ("/<path:x>", "/a\nb", "a\nb"),
        ("/f/<path:x>/edit", "/f/a/b/edit", "a/b"),
    ],
)
def test_converters_match(rule: str, path: str, expected: t.Any) -> None:
    a = adapter(Rule(rule, endpoint="e"))
    if expected is None:
        with pytest.raises(NotFound):
            a.match(path)
    else:
        _, values = a.match(path)
        assert values == {"x": expected}
        assert type(values["x"]) is type(expected)


def test_custom_converter_validation_error_tries_next_rule() -> None:
    class EvenConverter(BaseConverter):
        regex = "[0-9]+"
        weight = 10

        def to_python(self, value: str) -> int:
            if int(value) % 2:
                raise ValidationError()
            return int(value)

        def to_url(self, value: int) -> str:
            return str(value)

    m = Map()
    # Registered after the map was created, before a rule uses it (app.url_map.converters).
    m.converters["even"] = EvenConverter
    for rule in (Rule("/<even:n>", endpoint="even"), Rule("/<n>", endpoint="any")):
        m.add(rule)
    m.add(Rule("/e/<even:n>", endpoint="e"))
    a = m.bind("x")
    assert a.match("/2") == ("even", {"n": 2})
    assert a.match("/3") == ("any", {"n": "3"})
    with pytest.raises(NotFound):
        a.match("/e/3")


def test_converter_class_attributes() -> None:
    class Slashy(BaseConverter):
        regex = "[a-z/]+"

    class Explicit(BaseConverter):
        regex = "[a-z/]+"
        part_isolating = True

    assert Slashy.part_isolating is False
    assert Explicit.part_isolating is True
    assert PathConverter.part_isolating is False
    assert (UnicodeConverter.weight, IntegerConverter.weight, PathConverter.weight) == (
        100,
        50,
        200,
    )
    m = Map()
    assert BaseConverter(m).map is m
    assert AnyConverter(m, "a", "b").items == ["a", "b"]
    # A lying converter ("isolating" but matching "/") still matches correctly.
    m2 = Map([Rule("/s/<explicit:x>", endpoint="e")], converters={"explicit": Explicit})
    assert m2.bind("x").match("/s/a/b") == ("e", {"x": "a/b"})


def test_custom_converter_with_groups_in_regex() -> None:
    class Pair(BaseConverter):
        regex = "([a-z]+)-([a-z]+)"

        def to_python(self, value: str) -> tuple[str, ...]:
            return tuple(value.split("-"))

    m = Map(
        [Rule("/p/<pair:a>/<int:n>", endpoint="p"), Rule("/q/<pair:b>", endpoint="q")],
        converters={"pair": Pair},
    )
    a = m.bind("x")
    assert a.match("/p/ab-cd/3") == ("p", {"a": ("ab", "cd"), "n": 3})
    assert a.match("/q/x-y") == ("q", {"b": ("x", "y")})


def test_clashing_named_groups_fall_back_to_one_by_one() -> None:
    class Named(BaseConverter):
        regex = "(?P<word>[a-z]+)"

    m = Map(
        [
            Rule("/a/<named:x>", endpoint="a"),
            Rule("/b/<named:x>", endpoint="b"),
            Rule("/<named:x>/<named2:y>", endpoint="c"),
        ],
        converters={"named": Named, "named2": UnicodeConverter},
    )
    a = m.bind("x")
    assert a.match("/a/q") == ("a", {"x": "q"})
    assert a.match("/z/w") == ("c", {"x": "z", "y": "w"})
    # Two of them in one group: the combined regex cannot compile.
    m2 = Map(
        [Rule("/<named:x>/<int:n>", endpoint="a"), Rule("/<named:x>/<y>", endpoint="b")],
        converters={"named": Named},
    )
    a2 = m2.bind("x")
    assert a2.match("/q/1") == ("a", {"x": "q", "n": 1})
    assert a2.match("/q/w") == ("b", {"x": "q", "y": "w"})


@given(st.integers())
def test_int_round_trip(n: int) -> None:
    a = adapter(Rule("/<int(signed=True):n>", endpoint="e"))
    assert a.match(a.build("e", {"n": n})) == ("e", {"n": n})


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0))
def test_float_round_trip(x: float) -> None:
    a = adapter(Rule("/<float:x>", endpoint="e"))
    url = a.build("e", {"x": x})
    assert "e" not in url.lower().lstrip("/")  # never exponent notation
    assert a.match(url) == ("e", {"x": x})


@given(st.uuids())
def test_uuid_round_trip(u: uuid.UUID) -> None:
    a = adapter(Rule("/<uuid:u>", endpoint="e"))
    assert a.match(a.build("e", {"u": u})) == ("e", {"u": u})


_segment_text = st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1)


def _as_wsgi(url: str) -> str:
    """What a server puts in PATH_INFO for a built URL: percent-decoded, bytes as latin-1."""
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(url).decode("latin-1")


@given(_segment_text, st.lists(_segment_text, min_size=1, max_size=4))
def test_string_and_path_round_trip_through_wsgi(name: str, parts: list[str]) -> None:
    m = Map([Rule("/n/<name>", endpoint="n"), Rule("/p/<path:rest>", endpoint="p")])
    for endpoint, values in (("n", {"name": name}), ("p", {"rest": "/".join(parts)})):
        url = m.bind("x").build(endpoint, values)
        assert url.isascii()
        a = m.bind_to_environ(environ(_as_wsgi(url)))
        assert a.match() == (endpoint, values)


@given(st.text(max_size=60), st.sampled_from(["GET", "POST", "BREW", "", "\x00"]))
def test_match_never_fails_unexpectedly(path: str, method: str) -> None:
    m = Map(
        [
            Rule("/", endpoint="i"),
            Rule("/a/", endpoint="a"),
            Rule("/u/<int:id>", endpoint="u", methods=["GET"]),
            Rule("/<path:p>/edit", endpoint="e"),
            Rule("/<any(x, y):k>/<float:f>", endpoint="k"),
        ]
    )
    wsgi_path = path.encode("utf-8", "surrogatepass").decode("latin-1")
    code = 200
    try:
        m.bind_to_environ(environ(wsgi_path, REQUEST_METHOD=method)).match()
    except HTTPException as e:
        code = e.code or 0
    assert 200 <= code < 500


# -- matching and priority --------------------------------------------------------------------


_PRIORITY_RULES = [
    Rule("/a/b", endpoint="static"),
    Rule("/a/<x>", endpoint="a_var"),
    Rule("/<x>/b", endpoint="var_b"),
    Rule("/<int:x>", endpoint="int"),
    Rule("/<x>.json", endpoint="json"),
    Rule("/<x>", endpoint="string"),
    Rule("/<path:p>", endpoint="path"),
    Rule("/f/<path:p>", endpoint="f_path"),
    Rule("/<x>/<y>", endpoint="two"),
]


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/a/b", "static"),
        ("/a/c", "a_var"),
        ("/c/b", "var_b"),
        ("/1", "int"),
        ("/1.json", "json"),
        ("/x", "string"),
        ("/x/y/z", "path"),
        ("/f/y", "f_path"),  # a static first segment beats variables there
        ("/g/y", "two"),  # a variable segment beats one that can span "/"
    ],
)
def test_priority(path: str, endpoint: str) -> None:
    # The answer does not depend on the registration order.
    for rules in (_PRIORITY_RULES, _PRIORITY_RULES[::-1]):
        a = Map([r.empty() for r in rules]).bind("x")
        assert a.match(path)[0] == endpoint


def test_equal_rules_fall_back_to_registration_order() -> None:
    a = adapter(Rule("/<a>", endpoint="first"), Rule("/<b>", endpoint="second"))
    assert a.match("/x") == ("first", {"a": "x"})


@given(
    st.permutations(range(len(_PRIORITY_RULES))), st.sampled_from(["/a/b", "/c/b", "/1", "/g/y"])
)
def test_priority_is_independent_of_other_rules(order: list[int], path: str) -> None:
    # pallets/werkzeug#3156: which rule wins must not depend on unrelated rules.
    full = Map([_PRIORITY_RULES[i].empty() for i in order]).bind("x").match(path)[0]
    kept = [i for i in order if _PRIORITY_RULES[i].endpoint in (full, "path", "string")]
    assert Map([_PRIORITY_RULES[i].empty() for i in kept]).bind("x").match(path)[0] == full


def test_static_path_dict_with_several_rules() -> None:
    a = adapter(
        Rule("/x", endpoint="post", methods=["POST"]),
        Rule("/x", endpoint="get", methods=["GET"]),
        Rule("/<v>", endpoint="var", methods=["PUT"]),
    )
    assert a.match("/x", method="GET") == ("get", {})
    assert a.match("/x", method="POST") == ("post", {})
    assert a.match("/x", method="PUT") == ("var", {"v": "x"})
    with pytest.raises(MethodNotAllowed) as info:
        a.match("/x", method="DELETE")
    assert info.value.valid_methods == ["GET", "HEAD", "POST", "PUT"]


def test_defaults_are_copied_into_values() -> None:
    a = adapter(
        Rule("/", endpoint="i", defaults={"page": 1}),
        Rule("/<int:n>", endpoint="n", defaults={"k": 2}),
    )
    _, values = a.match("/")
    values["page"] = 99
    assert a.match("/") == ("i", {"page": 1})
    assert a.match("/3") == ("n", {"k": 2, "n": 3})


def test_method_not_allowed_carries_sorted_allow() -> None:
    a = adapter(
        Rule("/r", endpoint="r", methods=["POST", "GET"]),
        Rule("/d/<int:n>", endpoint="d", methods=["DELETE", "PUT"]),
    )
    with pytest.raises(MethodNotAllowed) as info:
        a.match("/r", method="BREW")
    assert info.value.valid_methods == ["GET", "HEAD", "POST"]
    assert ("Allow", "GET, HEAD, POST") in info.value.get_headers()
    with pytest.raises(MethodNotAllowed) as info:
        a.match("/d/1", method="get")
    assert info.value.valid_methods == ["DELETE", "PUT"]
    assert a.match("/d/1", method="put") == ("d", {"n": 1})
    assert a.allowed_methods("/r") == ["GET", "HEAD", "POST"]
    assert a.allowed_methods("/nothing") == []


def test_return_rule_and_test() -> None:
    rule = Rule("/a/", endpoint="a")
    a = adapter(rule)
    assert a.match("/a/", return_rule=True) == (rule, {})
    assert a.match("a/") == ("a", {})  # a missing leading slash is added
    assert a.test("/a/")
    assert a.test("/a")  # a redirect counts
    assert not a.test("/b")


def test_huge_and_odd_paths() -> None:
    a = adapter(
        Rule("/", endpoint="i"), Rule("/s/<path:p>", endpoint="s"), Rule("/<x>/<y>", endpoint="xy")
    )
    with pytest.raises(NotFound):
        a.match("/" + "a" * 100_000)
    assert a.match("/s/" + "a/" * 10_000 + "z")[0] == "s"
    with pytest.raises(NotFound):
        a.match("/a" * 5000)
    assert a.match("/%zz/%") == ("xy", {"x": "%zz", "y": "%"})  # no second decoding


# -- redirects --------------------------------------------------------------------------------


def test_strict_slashes() -> None:
    m = Map(
        [
            Rule("/dir/", endpoint="dir"),
            Rule("/file", endpoint="file"),
            Rule("/d/<x>/", endpoint="d"),
        ]
    )
    a = m.bind_to_environ(environ("/dir", QUERY_STRING="a=1&b=%C3%A9"))
    with pytest.raises(RequestRedirect) as info:
        a.match()
    assert info.value.new_url == "http://localhost/dir/?a=1&b=%C3%A9"
    assert info.value.code == 308
    assert isinstance(info.value, RoutingException)
    assert redirect_of(a, "/d/é") == "http://localhost/d/%C3%A9/?a=1&b=%C3%A9"
    assert redirect_of(a, "/dir", query_args={"q": "x y"}) == "http://localhost/dir/?q=x+y"
    with pytest.raises(NotFound):
        a.match("/file/")


def test_raw_query_string_is_made_safe_for_location() -> None:
    a = Map([Rule("/d/", endpoint="d")]).bind_to_environ(
        environ("/d", QUERY_STRING="q=caf\xc3\xa9 x\r\n")
    )
    assert redirect_of(a, "/d") == "http://localhost/d/?q=caf%C3%A9%20x%0D%0A"


def test_strict_slash_redirect_needs_the_method() -> None:
    a = adapter(Rule("/p/", endpoint="p", methods=["POST"]))
    assert redirect_of(a, "/p", method="POST") == "http://example.test/p/"
    with pytest.raises(NotFound):
        a.match("/p", method="GET")


@pytest.mark.parametrize("where", ["rule", "map"])
def test_non_strict_slashes_match_both(where: str) -> None:
    options: dict[str, t.Any] = {"strict_slashes": False} if where == "rule" else {}
    map_options = {"strict_slashes": False} if where == "map" else {}
    a = adapter(
        Rule("/a/", endpoint="a", **options),
        Rule("/b", endpoint="b", **options),
        Rule("/c/<x>/", endpoint="c", **options),
        Rule("/d/<x>", endpoint="d", **options),
        Rule("/", endpoint="root", **options),
        **map_options,
    )
    assert a.match("/a") == ("a", {})
    assert a.match("/a/") == ("a", {})
    assert a.match("/b/") == ("b", {})
    assert a.match("/c/1") == ("c", {"x": "1"})
    assert a.match("/c/1/") == ("c", {"x": "1"})
    assert a.match("/d/1/") == ("d", {"x": "1"})
    assert a.match("/") == ("root", {})


def test_non_strict_slash_in_slow_path() -> None:
    a = adapter(
        Rule("/c/<x>/", endpoint="c", strict_slashes=False, methods=["POST"]),
        Rule("/c/<int:x>/", endpoint="int", methods=["GET"]),
    )
    assert a.match("/c/1", method="POST") == ("c", {"x": "1"})


def test_merge_slashes() -> None:
    a = adapter(
        Rule("/a/b", endpoint="ab"),
        Rule("/x//y", endpoint="xy", merge_slashes=False),
        Rule("/p/<path:p>", endpoint="p", merge_slashes=False),
    )
    assert redirect_of(a, "/a//b") == "http://example.test/a/b"
    assert redirect_of(a, "//a///b") == "http://example.test/a/b"
    assert a.match("/x//y") == ("xy", {})
    assert a.match("/p/q//r") == ("p", {"p": "q//r"})
    with pytest.raises(NotFound):
        a.match("/a//c")
    off = adapter(Rule("/a/b", endpoint="ab"), merge_slashes=False)
    with pytest.raises(NotFound):
        off.match("/a//b")


def test_rule_with_double_slash_and_merge_matches_merged() -> None:
    a = adapter(Rule("/a//b", endpoint="ab"))
    assert a.match("/a/b") == ("ab", {})
    assert redirect_of(a, "/a//b") == "http://example.test/a/b"


def test_redirect_defaults() -> None:
    rules = [
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
        Rule("/page/<int:n>", endpoint="page"),
    ]
    a = Map(rules).bind_to_environ(environ("/page/1", QUERY_STRING="x=1"))
    assert a.match("/page/2") == ("page", {"n": 2})
    assert a.match("/page/") == ("page", {"n": 1})
    assert redirect_of(a, "/page/1") == "http://localhost/page/?x=1"
    off = Map([r.empty() for r in rules], redirect_defaults=False).bind("x")
    assert off.match("/page/1") == ("page", {"n": 1})


def test_redirect_to() -> None:
    def to_user(adapter: MapAdapter, id: int) -> str:
        return f"/users/{id}?via=old"

    a = Map(
        [
            Rule("/old/<int:n>/<slug>", endpoint="old", redirect_to="/new/<n>/<string:slug>"),
            Rule("/u/<int:id>", endpoint="u", redirect_to=to_user),
            Rule("/rel/<x>", endpoint="rel", redirect_to="target/<x>"),
            Rule("/ext", endpoint="ext", redirect_to="https://elsewhere.test/x"),
            Rule("/unknown", endpoint="unk", defaults={"q": "a b"}, redirect_to="/q/<q>"),
        ]
    ).bind("example.test", script_name="/app/")
    assert redirect_of(a, "/old/4/a b") == "http://example.test/new/4/a%20b"
    assert redirect_of(a, "/u/7") == "http://example.test/users/7?via=old"
    assert redirect_of(a, "/rel/y") == "http://example.test/app/target/y"
    assert redirect_of(a, "/ext") == "https://elsewhere.test/x"
    assert redirect_of(a, "/unknown") == "http://example.test/q/a%20b"


def test_request_redirect_response() -> None:
    e = RequestRedirect("http://example.test/a/")
    assert isinstance(e, HTTPException)
    response = e.get_response()
    assert response.status_code == 308
    assert response.headers["Location"] == "http://example.test/a/"


# -- websockets -------------------------------------------------------------------------------


def test_websocket_rules() -> None:
    m = Map([Rule("/ws", endpoint="ws", websocket=True), Rule("/http", endpoint="http")])
    upgrade = {"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "keep-alive, Upgrade"}
    a = m.bind_to_environ(environ("/ws", **upgrade))
    assert (a.url_scheme, a.websocket) == ("ws", True)
    assert a.match() == ("ws", {})
    with pytest.raises(WebsocketMismatch):
        a.match("/http")
    plain = m.bind_to_environ(environ("/ws", HTTP_UPGRADE="h2c"))
    with pytest.raises(WebsocketMismatch) as info:
        plain.match()
    assert info.value.code == 400
    assert plain.match("/ws", websocket=True) == ("ws", {})
    assert plain.build("ws") == "ws://localhost/ws"
    assert a.build("http") == "http://localhost/http"
    secure = m.bind_to_environ(environ("/ws", **upgrade, **{"wsgi.url_scheme": "https"}))
    assert secure.url_scheme == "wss"
    assert secure.build("ws") == "/ws"


def test_websocket_mismatch_in_static_and_dynamic_paths() -> None:
    a = adapter(Rule("/w/<x>", endpoint="w", websocket=True))
    with pytest.raises(WebsocketMismatch):
        a.match("/w/1")


# -- hosts and subdomains ---------------------------------------------------------------------


def test_bind_to_environ_reads_the_request() -> None:
    m = Map([Rule("/", endpoint="i")])
    a = m.bind_to_environ(
        environ(
            "/caf\xc3\xa9",
            host="Example.TEST:80",
            SCRIPT_NAME="/r\xc3\xa9",
            QUERY_STRING="a=1",
            REQUEST_METHOD="post",
        )
    )
    assert (a.server_name, a.subdomain, a.url_scheme) == ("example.test", "", "http")
    assert (a.path_info, a.script_name, a.query_args, a.default_method) == (
        "/café",
        "/ré",
        "a=1",
        "POST",
    )
    assert repr(a) == "<MapAdapter http://example.test/ré>"
    assert m.bind_to_environ(environ(host="h:8080")).server_name == "h:8080"
    assert m.bind_to_environ(environ(path="")).path_info == "/"

    class FakeRequest:
        environ = environ("/x")

    assert m.bind_to_environ(FakeRequest()).path_info == "/x"


@pytest.mark.parametrize("path", ["/caf\xc3", "/\xff", "/\xed\xa0\x80", "/\u0100"])
def test_path_that_is_not_utf8_is_400(path: str) -> None:
    a = Map([Rule("/<x>", endpoint="x")]).bind_to_environ(environ(path))
    with pytest.raises(BadRequest, match="UTF-8"):
        a.match()
    assert a.match("/ok") == ("x", {"x": "ok"})  # an explicit path is still matched


@pytest.mark.parametrize("host", ["bad host", "a\r\nb", "[::1", "::1]", "[::1]x", "[]", "[::1]:8x"])
def test_malformed_host_is_400(host: str) -> None:
    with pytest.raises(BadHost):
        Map().bind_to_environ(environ(host=host))


@pytest.mark.parametrize("host", ["[::1]", "[::1]:8080", "[::1]:80"])
def test_ip_literal_hosts(host: str) -> None:
    assert Map().bind_to_environ(environ(host=host)).server_name.startswith("[::1]")


def test_subdomain_matching() -> None:
    m = Map(
        [
            Rule("/", endpoint="user", subdomain="<user>"),
            Rule("/", endpoint="api", subdomain="api"),
            Rule("/", endpoint="index"),
            Rule("/p/<int:n>", endpoint="page", subdomain="<user>"),
        ]
    )

    def bound(host: str, server_name: str = "example.test") -> MapAdapter:
        return m.bind_to_environ(environ(host=host), server_name=server_name)

    assert bound("ada.example.test").match("/") == ("user", {"user": "ada"})
    assert bound("api.example.test").match("/") == ("api", {})  # static beats a pattern
    assert bound("example.test").match("/") == ("index", {})
    assert bound("ada.example.test").match("/p/2") == ("page", {"user": "ada", "n": 2})
    assert bound("ada.example.test:5000").subdomain == "ada"  # port-less server name
    assert bound("a.b.example.test:5000", "example.test:5000").subdomain == "a.b"
    other = bound("other.test")
    assert other.subdomain == "<invalid>"
    with pytest.raises(NotFound):
        other.match("/")
    # Without server_name the host is the server name: no subdomain.
    assert m.bind_to_environ(environ(host="ada.example.test")).match("/") == ("index", {})
    # With an explicit subdomain the host is not consulted (Flask without subdomain matching).
    explicit = m.bind_to_environ(
        environ(host="elsewhere.test"), server_name="example.test", subdomain=""
    )
    assert explicit.match("/") == ("index", {})


def test_subdomain_building() -> None:
    m = Map(
        [
            Rule("/", endpoint="user", subdomain="<user>"),
            Rule("/", endpoint="index"),
            Rule("/api", endpoint="api", subdomain="api"),
        ],
        default_subdomain="",
    )
    a = m.bind("example.test", subdomain="ada")
    assert a.build("user", {"user": "ada"}) == "/"
    assert a.build("user", {"user": "bob"}) == "http://bob.example.test/"
    assert a.build("index") == "http://example.test/"
    assert a.build("api", force_external=True, url_scheme="https") == "https://api.example.test/api"
    root = m.bind("example.test")
    assert root.build("index") == "/"
    assert root.build("index", url_scheme="https") == "https://example.test/"


def test_host_matching() -> None:
    m = Map(
        [
            Rule("/", endpoint="a", host="a.test"),
            Rule("/", endpoint="b", host="<name>.b.test"),
            Rule("/", endpoint="any"),
            Rule("/u/<int:id>", endpoint="u", host="<name>.b.test"),
            Rule("/s", endpoint="s", host="static.test"),
        ],
        host_matching=True,
    )

    def bound(host: str) -> MapAdapter:
        return m.bind_to_environ(environ(host=host))

    assert bound("a.test").match("/") == ("a", {})
    assert bound("x.B.test").match("/") == ("b", {"name": "x"})
    assert bound("x.b.test").match("/u/3") == ("u", {"name": "x", "id": 3})
    assert bound("c.test").match("/") == ("any", {})  # no host: any host (Erlen's choice)
    with pytest.raises(NotFound):
        bound("c.test").match("/s")
    a = bound("a.test")
    assert a.build("a") == "/"
    assert a.build("any") == "/"
    assert a.build("s") == "http://static.test/s"
    assert a.build("b", {"name": "y"}) == "http://y.b.test/"
    assert m.bind("a.test").match("/") == ("a", {})


def test_host_matching_priority() -> None:
    m = Map(
        [
            Rule("/", endpoint="pattern", host="<sub>.x.test"),
            Rule("/", endpoint="static", host="www.x.test"),
        ],
        host_matching=True,
    )
    assert m.bind("www.x.test").match("/") == ("static", {})
    assert m.bind("api.x.test").match("/") == ("pattern", {"sub": "api"})


def test_idna_host_when_building() -> None:
    a = Map([Rule("/", endpoint="i")]).bind("bücher.test:8080")
    assert a.build("i", force_external=True) == "http://xn--bcher-kva.test:8080/"
    assert Map([Rule("/", endpoint="i")]).bind("bücher.test").build("i", force_external=True) == (
        "http://xn--bcher-kva.test/"
    )


# -- building ---------------------------------------------------------------------------------


class _MultiDict:
    """Just enough of a MultiDict for build()."""

    def __init__(self, items: list[tuple[str, t.Any]]) -> None:
        self._items = items

    def __bool__(self) -> bool:
        return bool(self._items)

    def lists(self) -> list[tuple[str, list[t.Any]]]:
        out: dict[str, list[t.Any]] = {}
        for key, value in self._items:
            out.setdefault(key, []).append(value)
        return list(out.items())


@pytest.mark.parametrize(
    ("endpoint", "values", "expected"),
    [
        ("index", None, "/"),
        ("index", {"q": "x y", "n": 3, "none": None}, "/?q=x+y&n=3"),
        ("index", {"q": ["a", "b"], "t": ("c",)}, "/?q=a&q=b&t=c"),
        ("index", {"q": "a+b&c=d/é"}, "/?q=a%2Bb%26c%3Dd/%C3%A9"),
        ("index", {"k y": "v"}, "/?k+y=v"),
        ("index", {"b": b"raw"}, "/?b=raw"),
        ("index", _MultiDict([("a", "1"), ("a", "2"), ("b", "3")]), "/?a=1&a=2&b=3"),
        ("user", {"name": "ada"}, "/user/ada"),
        ("user", {"name": "a b/c?d#é"}, "/user/a%20b/c%3Fd%23%C3%A9"),
        ("user", _MultiDict([("name", "ada")]), "/user/ada"),
        ("user", {"name": "ada", "page": 2}, "/user/ada?page=2"),
        ("user", {"name": 7}, "/user/7"),
        ("page", {}, "/page/"),
        ("page", {"n": 1}, "/page/"),
        ("page", {"n": 3}, "/page/3"),
        ("files", {"p": "a/b c"}, "/files/a/b%20c"),
        ("café", {}, "/caf%C3%A9"),
        ("kind", {"k": "b"}, "/kind/b"),
        ("num", {"n": 5}, "/num/005"),
        ("num", {"n": "5"}, "/num/005"),
        ("f", {"x": 1e20}, "/f/100000000000000000000.0"),
        ("f", {"x": 1e-7}, "/f/0.0000001"),
    ],
)
def test_build(endpoint: str, values: t.Any, expected: str) -> None:
    a = adapter(
        Rule("/", endpoint="index"),
        Rule("/user/<name>", endpoint="user"),
        Rule("/page/", endpoint="page", defaults={"n": 1}),
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/files/<path:p>", endpoint="files"),
        Rule("/café", endpoint="café"),
        Rule("/kind/<any(a, b):k>", endpoint="kind"),
        Rule("/num/<int(fixed_digits=3):n>", endpoint="num"),
        Rule("/f/<float:x>", endpoint="f"),
    )
    assert a.build(endpoint, values) == expected


def test_build_external_and_script_name() -> None:
    m = Map([Rule("/", endpoint="i"), Rule("/u/<x>", endpoint="u")])
    a = m.bind("Example.TEST", script_name="/app/", url_scheme="https")
    assert a.server_name == "example.test"
    assert a.build("i") == "/app/"
    assert a.build("u", {"x": "1"}, force_external=True) == "https://example.test/app/u/1"
    assert a.build("u", {"x": "1"}, url_scheme="http") == "http://example.test/app/u/1"
    odd = m.bind("h", script_name="/my app/é")
    assert odd.build("i") == "/my%20app/%C3%A9/"
    assert m.bind("h").build("i") == "/"
    assert m.bind_to_environ(environ(SCRIPT_NAME="/mount")).build("u", {"x": "y"}) == "/mount/u/y"


def test_build_append_unknown_and_sorting() -> None:
    m = Map([Rule("/", endpoint="i")], sort_parameters=True)
    a = m.bind("h")
    assert a.build("i", {"b": 1, "a": 2}) == "/?a=2&b=1"
    assert a.build("i", {"b": 1, "a": 2}, append_unknown=False) == "/"
    by_value = Map([Rule("/", endpoint="i")], sort_parameters=True, sort_key=lambda kv: str(kv[1]))
    assert by_value.bind("h").build("i", {"a": 2, "b": 1}) == "/?b=1&a=2"


def test_build_picks_rule_by_method() -> None:
    a = adapter(
        Rule("/read", endpoint="item", methods=["GET"]),
        Rule("/write", endpoint="item", methods=["POST"]),
    )
    assert a.build("item") == "/read"
    assert a.build("item", method="POST") == "/write"
    assert a.build("item", method="GET") == "/read"
    post = Map(
        [
            Rule("/read", endpoint="item", methods=["GET"]),
            Rule("/write", endpoint="item", methods=["POST"]),
        ]
    ).bind("h", default_method="POST")
    assert post.build("item") == "/write"
    only_post = adapter(Rule("/w", endpoint="w", methods=["POST"]))
    assert only_post.build("w") == "/w"  # the default method is only a preference


def test_build_alias_rules_come_last() -> None:
    a = adapter(Rule("/old", endpoint="x", alias=True), Rule("/new", endpoint="x"))
    assert a.build("x") == "/new"


@pytest.mark.parametrize(
    ("endpoint", "values", "method", "message"),
    [
        ("usr", {}, None, "Did you mean 'user' instead?"),
        ("user", {}, None, "Did you forget to specify values ['name']?"),
        (
            "user",
            {"name": "a"},
            "DELETE",
            "Did you mean to use one of the methods ['GET', 'HEAD']?",
        ),
        ("zzz", {"a": 1}, None, "with values ['a']. No rule has this endpoint"),
        ("bp.zzz", {}, "GET", "endpoint 'bp.zzz' and method 'GET'."),
        ("kind", {"k": "c"}, None, "refused a value: 'c' is not one of"),
        ("num", {"n": "x"}, None, "refused a value"),
        ("f", {"x": float("inf")}, None, "cannot be written in a URL"),
        ("only", {"lang": "de"}, None, "only builds with the defaults {'lang': 'en'}"),
    ],
)
def test_build_errors(
    endpoint: str, values: dict[str, t.Any], method: str | None, message: str
) -> None:
    a = adapter(
        Rule("/user/<name>", endpoint="user", methods=["GET"]),
        Rule("/kind/<any(a, b):k>", endpoint="kind"),
        Rule("/num/<int:n>", endpoint="num"),
        Rule("/f/<float:x>", endpoint="f"),
        Rule("/en", endpoint="only", defaults={"lang": "en"}),
    )
    with pytest.raises(BuildError, match=re.escape(message)) as info:
        a.build(endpoint, values, method=method)
    assert isinstance(info.value, LookupError)
    assert info.value.endpoint == endpoint


def test_build_error_without_adapter() -> None:
    error = BuildError("x", {}, None)
    assert error.suggested is None
    assert str(error) == "Could not build a URL for endpoint 'x'."


def test_rule_build_and_suitable_for_directly() -> None:
    rule = Rule("/<a>/<b>", endpoint="e", defaults={"b": "x"})
    Map([rule])
    assert rule.build({"a": "1"}) == ("", "/1/x")
    assert rule.build({}) is None
    assert rule.suitable_for({"a": 1}, "GET")
    assert not rule.suitable_for({"a": 1, "b": "y"})
    assert not Rule("/", methods=["POST"]).suitable_for({}, "GET")


# -- adapters made outside a request ------------------------------------------------------------


def test_bind_defaults() -> None:
    m = Map([Rule("/", endpoint="i")], default_subdomain="www")
    a = m.bind("Example.test")
    assert (a.server_name, a.script_name, a.subdomain, a.url_scheme) == (
        "example.test",
        "/",
        "www",
        "http",
    )
    assert (a.path_info, a.default_method, a.query_args) == ("/", "GET", None)
    assert a.match() == ("i", {})
    b = m.bind("h", path_info="x", subdomain="", default_method="post", query_args="a=1")
    assert (b.path_info, b.default_method, b.query_args) == ("/x", "POST", "a=1")


def test_every_converter_class_is_exported() -> None:
    m = Map()
    for name, cls in {
        "default": UnicodeConverter,
        "string": UnicodeConverter,
        "any": AnyConverter,
        "path": PathConverter,
        "int": IntegerConverter,
        "float": FloatConverter,
        "uuid": UUIDConverter,
    }.items():
        assert m.converters[name] is cls
    custom = Map(converters={"x": UnicodeConverter})
    assert custom.converters["x"] is UnicodeConverter
    assert "x" not in Map().converters


def test_many_rules_each_match_their_own_path() -> None:
    rules = [Rule(f"/r{i}/<int:id>/item/<name>", endpoint=f"e{i}") for i in range(60)]
    rules += [Rule(f"/s{i}", endpoint=f"s{i}") for i in range(20)]
    a = Map(rules).bind("h")
    for i, j in itertools.product(range(60), (0, 7)):
        assert a.match(f"/r{i}/{j}/item/x") == (f"e{i}", {"id": j, "name": "x"})
    for i in range(20):
        assert a.match(f"/s{i}") == (f"s{i}", {})


# -- odd corners ------------------------------------------------------------------------------


def test_more_malformed_rules() -> None:
    with pytest.raises(ValueError, match="position 2"):
        Map([Rule("/a<b/<c>", endpoint="e")])
    with pytest.raises(ValueError, match="appears twice"):
        Map([Rule("/<user>", endpoint="e", subdomain="<user>")])

    class Named(BaseConverter):
        regex = "(?P<word>[a-z]+)"

    with pytest.raises(ValueError, match="invalid regex"):
        Map([Rule("/<named:x>/<named:y>", endpoint="e")], converters={"named": Named})


def test_bare_word_arguments_reach_the_converter() -> None:
    seen: list[t.Any] = []

    class Echo(BaseConverter):
        def __init__(self, map: Map, *args: t.Any, **kwargs: t.Any) -> None:
            super().__init__(map)
            seen.append((args, kwargs))

    Map([Rule("/<echo(en-us, lang=de-de):x>", endpoint="e")], converters={"echo": Echo})
    assert seen == [(("en-us",), {"lang": "de-de"})]


def test_host_pattern_converter_can_refuse() -> None:
    m = Map(
        [Rule("/", endpoint="big", host="<int(min=5):n>.test"), Rule("/", endpoint="other")],
        host_matching=True,
    )
    assert m.bind("7.test").match("/") == ("big", {"n": 7})
    assert m.bind("3.test").match("/") == ("other", {})


def test_host_matching_rule_without_host_builds_with_variables() -> None:
    a = Map([Rule("/u/<x>", endpoint="u")], host_matching=True).bind("h.test")
    assert a.build("u", {"x": "1"}) == "/u/1"
    assert a.build("u", {"x": "1"}, force_external=True) == "http://h.test/u/1"


def test_build_accepts_any_mapping() -> None:
    from types import MappingProxyType

    a = adapter(Rule("/<x>", endpoint="e"))
    assert a.build("e", MappingProxyType({"x": "1", "y": None})) == "/1"


@pytest.mark.parametrize(
    ("query_args", "suffix"),
    [
        (_MultiDict([("a", "1"), ("a", "2")]), "?a=1&a=2"),
        ([("a", "1"), ("b", "2")], "?a=1&b=2"),
        ({"a": None}, ""),
        ("", ""),
    ],
)
def test_redirect_query_args_forms(query_args: t.Any, suffix: str) -> None:
    a = adapter(Rule("/d/", endpoint="d"))
    assert redirect_of(a, "/d", query_args=query_args) == "http://example.test/d/" + suffix


def test_remembered_hosts_stay_bounded_and_normalised() -> None:
    from erlen.routing import map as routing_map

    url_map = Map([Rule("/", endpoint="index")])

    def bind(host: str, scheme: str = "http") -> str:
        environ = {"HTTP_HOST": host, "wsgi.url_scheme": scheme, "PATH_INFO": "/"}
        return url_map.bind_to_environ(environ).server_name

    for i in range(3 * routing_map._KNOWN_HOSTS_MAX):  # a client inventing hosts
        bind(f"h{i}.example")
    assert len(routing_map._known_hosts) <= routing_map._KNOWN_HOSTS_MAX
    assert bind("Example.COM") == "example.com"  # normalised, and not remembered raw
    assert "Example.COM" not in routing_map._known_hosts
    assert bind("example.com:80") == "example.com"  # the default port goes
    assert bind("example.com:443", "https") == "example.com"
    assert "example.com:80" not in routing_map._known_hosts
    with pytest.raises(BadHost):
        bind("evil.example\r\nX: y")
    assert bind("example.com:8080") == "example.com:8080"
    assert bind("example.com:8080") == "example.com:8080"  # remembered: same answer
    for refused in ("a" * 100_000, "example.com:99999", "example.com:99999x"):
        with pytest.raises(BadHost):
            bind(refused)
        assert refused not in routing_map._known_hosts  # a refused Host is never remembered
    assert bind("example.com:65535") == "example.com:65535"  # the full check takes it

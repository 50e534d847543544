"""erlen.json and erlen.json.provider: Flask's JSON defaults and the module-level helpers."""

from __future__ import annotations

import dataclasses
import decimal
import io
import json as stdlib_json
import typing as t
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

import erlen.json
from erlen import Erlen, jsonify
from erlen.json.provider import DefaultJSONProvider, JSONProvider


@dataclasses.dataclass
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 2, 3), '"Sat, 03 Feb 2024 00:00:00 GMT"'),
        (datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC), '"Sat, 03 Feb 2024 04:05:06 GMT"'),
        (decimal.Decimal("1.10"), '"1.10"'),
        (uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        (Point(1, 2), '{"x": 1, "y": 2}'),
        (Markup("<b>x</b>"), '"<b>x</b>"'),
        ({"b": 1, "a": 2}, '{"a": 2, "b": 1}'),  # keys sorted
        ("é", '"\\u00e9"'),  # ASCII output
    ],
)
def test_default_provider_encodes_flask_types(app: Erlen, value: object, expected: str) -> None:
    assert app.json.dumps(value) == expected


def test_unknown_type_is_a_type_error_naming_the_type(app: Erlen) -> None:
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        app.json.dumps(object())


def test_provider_settings_can_be_changed_per_app(app: Erlen) -> None:
    provider = t.cast(DefaultJSONProvider, app.json)
    provider.sort_keys = False
    provider.ensure_ascii = False
    with app.app_context():
        assert jsonify({"b": "é", "a": 1}).data == '{"b":"é","a":1}\n'.encode()


def test_custom_default_is_used_by_responses(app: Erlen) -> None:
    provider = t.cast(DefaultJSONProvider, app.json)
    provider.default = lambda o: sorted(o) if isinstance(o, set) else str(o)
    with app.app_context():
        assert jsonify({3, 1}).data == b"[1,3]\n"


def test_response_is_compact_with_a_newline_and_json_mimetype(app: Erlen) -> None:
    with app.app_context():
        rv = jsonify(b=1, a=[1, 2])
    assert rv.data == b'{"a":[1,2],"b":1}\n'
    assert rv.mimetype == "application/json"


@pytest.mark.parametrize(
    ("compact", "debug", "body"),
    [
        (None, False, b'{"a":1}\n'),
        (None, True, b'{\n  "a": 1\n}\n'),
        (True, True, b'{"a":1}\n'),
        (False, False, b'{\n  "a": 1\n}\n'),
    ],
)
def test_compact_follows_debug_unless_set(
    app: Erlen, compact: bool | None, debug: bool, body: bytes
) -> None:
    t.cast(DefaultJSONProvider, app.json).compact = compact
    app.debug = debug
    with app.app_context():
        assert jsonify(a=1).data == body


@pytest.mark.parametrize(
    ("args", "kwargs", "body"),
    [
        ((), {}, b"null\n"),
        ((1,), {}, b"1\n"),
        ((1, 2), {}, b"[1,2]\n"),
        ((), {"a": 1}, b'{"a":1}\n'),
    ],
)
def test_jsonify_arguments(
    app: Erlen, args: tuple[t.Any, ...], kwargs: dict[str, t.Any], body: bytes
) -> None:
    with app.app_context():
        assert jsonify(*args, **kwargs).data == body


def test_jsonify_refuses_both_args_and_kwargs(app: Erlen) -> None:
    with app.app_context(), pytest.raises(TypeError, match="either positional or keyword"):
        jsonify(1, a=2)


def test_jsonify_outside_app_context_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="app_context"):
        jsonify(a=1)


def test_module_helpers_outside_an_app_use_the_stdlib_with_extra_types() -> None:
    assert erlen.json.dumps({"u": uuid.UUID(int=0)}) == (
        '{"u": "00000000-0000-0000-0000-000000000000"}'
    )
    assert erlen.json.loads('{"a": [1]}') == {"a": [1]}
    assert erlen.json.loads(b'{"a": 1}') == {"a": 1}
    out = io.StringIO()
    erlen.json.dump({"b": 1, "a": 2}, out)
    assert out.getvalue() == '{"b": 1, "a": 2}'  # the stdlib keeps insertion order
    assert erlen.json.load(io.StringIO("[1, 2]")) == [1, 2]


def test_module_helpers_inside_an_app_use_app_json(app: Erlen) -> None:
    with app.app_context():
        assert erlen.json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
        out = io.StringIO()
        erlen.json.dump({"b": 1, "a": 2}, out)
        assert out.getvalue() == '{"a": 2, "b": 1}'
        assert erlen.json.loads("[1]") == [1]
        assert erlen.json.load(io.BytesIO(b'{"x": null}')) == {"x": None}


def test_a_custom_provider_class_is_used_for_responses() -> None:
    class Upper(JSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return stdlib_json.dumps(obj).upper()

        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return stdlib_json.loads(s)

    class App(Erlen):
        json_provider_class = Upper

    app = App("custom")
    app.add_url_rule("/", "v", lambda: {"a": "b"})
    rv = app.test_client().get("/")
    assert rv.data == b'{"A": "B"}'
    assert rv.mimetype == "application/json"
    with app.app_context():
        assert erlen.json.loads('{"a": 1}') == {"a": 1}


def test_base_provider_methods_are_abstract(app: Erlen) -> None:
    provider = JSONProvider(app)
    with pytest.raises(NotImplementedError):
        provider.dumps(1)
    with pytest.raises(NotImplementedError):
        provider.loads("1")


def test_deeply_nested_json_body_is_a_400_not_a_crash(app: Erlen) -> None:
    app.add_url_rule(
        "/", "v", lambda: {"ok": erlen.request.get_json() is not None}, methods=["POST"]
    )
    body = "[" * 100_000 + "]" * 100_000
    rv = app.test_client().post("/", data=body, content_type="application/json")
    assert rv.status_code == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_dumps_loads_round_trip(value: t.Any) -> None:
    app = Erlen("prop")
    assert app.json.loads(app.json.dumps(value)) == value


def test_removed_json_config_keys_have_no_effect(app: Erlen) -> None:
    # Removed in Flask 2.3: the provider's attributes are the only switches now.
    app.config.update(
        JSON_AS_ASCII=False,
        JSON_SORT_KEYS=False,
        JSONIFY_PRETTYPRINT_REGULAR=True,
        JSONIFY_MIMETYPE="text/x-json",
    )
    with app.app_context():
        rv = jsonify({"b": "é", "a": 1})
        assert app.json.dumps({"b": "é", "a": 1}) == '{"a": 1, "b": "\\u00e9"}'
    assert rv.data == b'{"a":1,"b":"\\u00e9"}\n'
    assert rv.mimetype == "application/json"


def test_view_returning_a_list_or_dict_is_json(app: Erlen) -> None:
    app.add_url_rule("/list", "list", lambda: [{"b": 1, "a": 2}])
    app.add_url_rule("/dict", "dict", lambda: {"d": date(2024, 1, 2)})
    client = app.test_client()
    listed = client.get("/list")
    assert (listed.mimetype, listed.data) == ("application/json", b'[{"a":2,"b":1}]\n')
    assert client.get("/dict").json == {"d": "Tue, 02 Jan 2024 00:00:00 GMT"}


def _outcome(loads: t.Callable[[bytes], t.Any], data: bytes) -> t.Any:
    try:
        return ("value", loads(data))
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError alike
        return ("error", type(e))


_ENCODED_JSON = [
    b'{"a": [1, 2.5, null, true]}',
    b"",
    b"   ",
    b"\xef\xbb\xbf{}",  # UTF-8 BOM
    '{"é": 1}'.encode("utf-16"),  # UTF-16 with BOM
    '{"é": 1}'.encode("utf-16-le"),  # UTF-16 without BOM: NULs in the first bytes
    '{"é": 1}'.encode("utf-32-be"),
    b'"\xff"',  # not UTF-8
    b'"\\ud800"',  # an escaped lone surrogate
    b"\x00",
    b"[1",
]


@pytest.mark.parametrize("data", _ENCODED_JSON)
def test_provider_loads_bytes_like_stdlib(data: bytes) -> None:
    # The provider decodes plain UTF-8 itself; every input must come out as json.loads' does.
    provider = DefaultJSONProvider(Erlen(__name__))
    assert _outcome(provider.loads, data) == _outcome(stdlib_json.loads, data)


@given(
    st.binary(max_size=16)
    | st.builds(
        lambda value, encoding: stdlib_json.dumps(value, ensure_ascii=False).encode(encoding),
        st.text(max_size=6) | st.lists(st.integers(), max_size=3),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32-be"]),
    )
)
def test_provider_loads_bytes_like_stdlib_for_any_bytes(data: bytes) -> None:
    provider = DefaultJSONProvider(Erlen(__name__))
    assert _outcome(provider.loads, data) == _outcome(stdlib_json.loads, data)

"""erlen.json.tag: the tagged JSON of session cookies, byte for byte Flask's format."""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from erlen import Erlen
from erlen.json.tag import JSONTag, TaggedJSONSerializer

# The expected strings are the wire format Flask's session serializer writes (inside an
# application context, where keys are sorted and output is ASCII).
WIRE = [
    ({"a": 1}, '{"a":1}'),
    ({"t": (1, 2)}, '{"t":{" t":[1,2]}}'),
    ({"b": b"\x00\xff"}, '{"b":{" b":"AP8="}}'),
    ({"m": Markup("<i>")}, '{"m":{" m":"<i>"}}'),
    ({"u": UUID(int=255)}, '{"u":{" u":"000000000000000000000000000000ff"}}'),
    (
        {"d": datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)},
        '{"d":{" d":"Sat, 03 Feb 2024 04:05:06 GMT"}}',
    ),
    ({" t": "looks like a tag"}, '{" di":{" t__":"looks like a tag"}}'),
    ({"l": [(1,), b"x"]}, '{"l":[{" t":[1]},{" b":"eA=="}]}'),
    ({"z": 1, "_flashes": [("message", "hi")]}, '{"_flashes":[{" t":["message","hi"]}],"z":1}'),
    ({"s": "é"}, '{"s":"\\u00e9"}'),
]


@pytest.mark.parametrize(("value", "wire"), WIRE)
def test_wire_format_matches_flask(app: Erlen, value: t.Any, wire: str) -> None:
    s = TaggedJSONSerializer()
    with app.app_context():
        assert s.dumps(value) == wire
        assert s.loads(wire) == value


def test_loads_accepts_bytes_and_keeps_untagged_dicts() -> None:
    s = TaggedJSONSerializer()
    assert s.loads(b'{"a":{"x":1,"y":2}}') == {"a": {"x": 1, "y": 2}}
    assert s.loads('{"a":{" unknown":1}}') == {"a": {" unknown": 1}}


def test_datetime_comes_back_aware_in_utc() -> None:
    s = TaggedJSONSerializer()
    value = s.loads('{" d":"Sat, 03 Feb 2024 04:05:06 GMT"}')
    assert value == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert value.tzinfo is not None


def test_markup_comes_back_as_markup() -> None:
    value = TaggedJSONSerializer().loads('{" m":"<b>"}')
    assert isinstance(value, Markup)
    assert str(value) == "<b>"


class Color:
    def __init__(self, hex_value: str) -> None:
        self.hex_value = hex_value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Color) and other.hex_value == self.hex_value

    __hash__ = object.__hash__


class TagColor(JSONTag):
    key = " c"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, Color)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex_value

    def to_python(self, value: t.Any) -> t.Any:
        return Color(value)


def test_register_a_custom_tag() -> None:
    s = TaggedJSONSerializer()
    s.register(TagColor, index=0)
    assert s.order[0].key == " c"
    assert s.loads(s.dumps({"c": Color("#fff")})) == {"c": Color("#fff")}


def test_register_an_existing_key_needs_force() -> None:
    s = TaggedJSONSerializer()
    s.register(TagColor)
    with pytest.raises(KeyError, match="force=True"):
        s.register(TagColor)
    s.register(TagColor, force=True)
    assert isinstance(s.tags[" c"], TagColor)


def test_base_tag_is_abstract() -> None:
    tag = JSONTag(TaggedJSONSerializer())
    with pytest.raises(NotImplementedError):
        tag.check(1)
    with pytest.raises(NotImplementedError):
        tag.to_json(1)
    with pytest.raises(NotImplementedError):
        tag.to_python(1)


def test_hostile_input_raises_value_errors_only() -> None:
    s = TaggedJSONSerializer()
    for wire in ['{" b":"a"}', '{" u":"nope"}', "not json", '{" t":']:
        with pytest.raises(ValueError):  # binascii.Error and JSONDecodeError are ValueErrors
            s.loads(wire)


session_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.binary()
    | st.uuids()
    | st.builds(Markup, st.text()),
    lambda children: (
        st.lists(children).map(tuple) | st.lists(children) | st.dictionaries(st.text(), children)
    ),
    max_leaves=15,
)


@given(session_values)
def test_round_trip(value: t.Any) -> None:
    s = TaggedJSONSerializer()
    assert s.loads(s.dumps(value)) == value


def _full_walk() -> TaggedJSONSerializer:
    """A serializer that always takes the tagging and untagging walks."""
    s = TaggedJSONSerializer()
    s._plain_ok = False
    return s


@given(session_values)
def test_the_plain_shortcut_gives_what_the_full_walk_gives(value: t.Any) -> None:
    fast, full = TaggedJSONSerializer(), _full_walk()
    assert fast._plain_ok
    wire = full.dumps(value)
    assert fast.dumps(value) == wire
    assert fast.loads(wire) == full.loads(wire) == value
    assert fast.loads(wire.encode()) == value


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ('{ " t": [1, 2]}', (1, 2)),  # whitespace another writer may leave
        ('{\n  " b": "eA=="\n}', b"x"),
        ('[{"a": {  " u": "000000000000000000000000000000ff"}}]', [{"a": UUID(int=255)}]),
        ('{"text": "{\\" not a tag"}', {"text": '{" not a tag'}),
    ],
)
def test_tags_are_found_whatever_the_whitespace(wire: str, value: t.Any) -> None:
    assert TaggedJSONSerializer().loads(wire) == value


def test_a_registered_tag_turns_the_shortcut_off() -> None:
    class TagInt(JSONTag):
        key = " i"

        def check(self, value: t.Any) -> bool:
            return type(value) is int

        def to_json(self, value: t.Any) -> t.Any:
            return str(value)

        def to_python(self, value: t.Any) -> t.Any:
            return int(value)

    s = TaggedJSONSerializer()
    s.register(TagInt, index=0)
    assert s.dumps({"a": 1}) == '{"a":{" i":"1"}}'
    assert s.loads('{"a":{" i":"1"}}') == {"a": 1}


def test_an_overridden_tag_method_turns_the_shortcut_off() -> None:
    class Upper(TaggedJSONSerializer):
        def tag(self, value: t.Any) -> t.Any:
            return value.upper() if isinstance(value, str) else super().tag(value)

    assert Upper().dumps({"a": "x"}) == '{"a":"X"}'


def test_subclasses_of_plain_types_are_tagged() -> None:
    s = TaggedJSONSerializer()
    assert s.dumps([Markup("<b>")]) == '[{" m":"<b>"}]'
    assert s.dumps({" t": 1}) == '{" di":{" t__":1}}'

"""Form bodies: multipart uploads, urlencoded fields, their limits and hostile input."""

from __future__ import annotations

import inspect
import io
import os
import tempfile
import time
import typing as t

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from erlen import Erlen, request
from erlen.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from erlen.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from erlen.formparser import (
    SPOOL_SIZE,
    DebugFilesKeyError,
    FormDataParser,
    default_stream_factory,
    parse_form_data,
)
from erlen.testing import EnvironBuilder, encode_multipart
from erlen.wrappers import Request

from .conftest import call_wsgi

BOUNDARY = "testboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


def part(name: str | None, body: bytes, filename: str | None = None, extra: str = "") -> bytes:
    """One raw multipart part (without the closing delimiter)."""
    disposition = "form-data" if name is None else f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n"
    return head.encode() + body + b"\r\n"


def body_of(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


_TERMINATED: dict[str, t.Any] = {"wsgi.input_terminated": True}


def environ(
    body: bytes, content_type: str = MULTIPART, length: int | None = None, **extra: t.Any
) -> dict[str, t.Any]:
    env: dict[str, t.Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body) if length is None else length),
    }
    env.update(extra)
    return env


class TrackingRequest(Request):
    """A request that records every upload stream it opens."""

    opened: t.ClassVar[list[t.IO[bytes]]] = []

    def _get_file_stream(self, *args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
        # The real stream factory, recorded; its arguments are checked by
        # test_custom_stream_factory_receives_every_upload.
        stream = super()._get_file_stream(*args, **kwargs)
        self.opened.append(stream)
        return stream


@pytest.fixture
def tracked(monkeypatch: pytest.MonkeyPatch, tmp_path: t.Any) -> t.Iterator[list[t.IO[bytes]]]:
    """Uploads go to an empty temp dir; on exit every stream is closed and the dir is empty."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    opened: list[t.IO[bytes]] = []
    monkeypatch.setattr(TrackingRequest, "opened", opened)
    yield opened
    assert all(f.closed for f in opened), "an upload stream was left open"
    assert os.listdir(tmp_path) == [], "a temporary file was left behind"


@pytest.fixture
def form_app(app: Erlen) -> Erlen:
    """An app whose ``/`` view describes the parsed form and files."""
    app.request_class = TrackingRequest

    @app.post("/")
    def view() -> t.Any:
        files = {
            key: [f.filename, f.content_type, f.read().decode("latin-1")]
            for key, f in request.files.items()
        }
        return {"form": request.form.to_dict(flat=False), "files": files}

    return app


def post_raw(app: Erlen, body: bytes, **kw: t.Any) -> tuple[int, bytes]:
    status, _headers, data = call_wsgi(app, environ(body, **kw))
    return int(status.split()[0]), data


# -- uploads and fields ----------------------------------------------------------------------


def test_files_and_fields(form_app: Erlen, tracked: list[t.IO[bytes]]) -> None:
    rv = form_app.test_client().post(
        "/",
        data={
            "title": "hello",
            "tags": ["a", "b"],
            "doc": (io.BytesIO(b"file body"), "report.txt"),
            "raw": (io.BytesIO(b"\x00\x01"), "blob", "application/x-thing"),
        },
    )
    assert rv.status_code == 200
    assert rv.json == {
        "form": {"title": ["hello"], "tags": ["a", "b"]},
        "files": {
            "doc": ["report.txt", "text/plain", "file body"],
            "raw": ["blob", "application/x-thing", "\x00\x01"],
        },
    }
    assert len(tracked) == 2  # and the fixture checks they were closed when the request ended


def test_file_storage_attributes(app: Erlen, tmp_path: t.Any) -> None:
    data = {"upload": (io.BytesIO(b"content"), "notes.txt", "text/plain; charset=utf-8")}
    with app.test_request_context("/", method="POST", data=data):
        f = request.files["upload"]
        assert isinstance(f, FileStorage)
        assert f.name == "upload"
        assert f.filename == "notes.txt"
        assert f.content_type == "text/plain; charset=utf-8"
        assert f.mimetype == "text/plain"
        assert f.mimetype_params == {"charset": "utf-8"}
        assert f.headers["Content-Disposition"].startswith('form-data; name="upload"')
        assert f.stream.read() == b"content"
        f.stream.seek(0)
        target = tmp_path / "saved.txt"
        f.save(target)
        assert target.read_bytes() == b"content"
        f.stream.seek(0)
        out = io.BytesIO()
        f.save(out)
        assert out.getvalue() == b"content"
        assert not request.form


def test_several_files_under_one_name_and_file_storage_values(app: Erlen) -> None:
    upload = FileStorage(io.BytesIO(b"fs"), "fs.bin", content_type="application/octet-stream")
    data = {"many": [(b"one", "1.txt"), (io.BytesIO(b"two"), "2.txt")], "fs": upload}
    with app.test_request_context("/", method="POST", data=data):
        many = request.files.getlist("many")
        assert [(f.filename, f.read()) for f in many] == [("1.txt", b"one"), ("2.txt", b"two")]
        assert request.files["fs"].read() == b"fs"
        assert request.files["fs"].filename == "fs.bin"


def test_empty_file_input_is_a_falsy_file(app: Erlen) -> None:
    # A browser sends filename="" for a file input left empty.
    body = body_of(part("f", b"", filename=""))
    with app.test_request_context("/", method="POST", data=body, content_type=MULTIPART):
        f = request.files["f"]
        assert f.filename == ""
        assert not f


def test_multipart_without_files_and_bytes_values(app: Erlen) -> None:
    data = {"a": "1", "b": b"\xc3\xa9", "skipped": None}
    with app.test_request_context(
        "/", method="POST", data=data, content_type="multipart/form-data"
    ):
        assert request.mimetype == "multipart/form-data"
        assert request.form.to_dict() == {"a": "1", "b": "é"}


def test_unicode_names_and_escaped_quotes(app: Erlen) -> None:
    data = {'na"me': (io.BytesIO(b"x"), 'fi"le ü.txt')}
    with app.test_request_context("/", method="POST", data=data):
        f = request.files['na"me']
        assert f.filename == 'fi"le ü.txt'


def test_empty_field_name_is_allowed(app: Erlen) -> None:
    body = body_of(part("", b"v"))
    with app.test_request_context("/", method="POST", data=body, content_type=MULTIPART):
        assert request.form[""] == "v"


def test_small_uploads_stay_in_memory_large_ones_spool_to_disk(app: Erlen) -> None:
    small = {"f": (io.BytesIO(b"x" * 10), "s.bin")}
    with app.test_request_context("/", method="POST", data=small):
        assert isinstance(request.files["f"].stream, io.BytesIO)
    big = {"f": (io.BytesIO(b"y" * (SPOOL_SIZE + 1)), "b.bin")}
    with app.test_request_context("/", method="POST", data=big):
        stream: t.Any = request.files["f"].stream
        assert isinstance(stream, tempfile.SpooledTemporaryFile)
        assert stream._rolled  # type: ignore[attr-defined]  # on disk, not in memory
        assert request.files["f"].read() == b"y" * (SPOOL_SIZE + 1)


def test_default_stream_factory() -> None:
    assert isinstance(default_stream_factory(100, None, "a"), io.BytesIO)
    spooled = default_stream_factory(None, None, "a")
    assert isinstance(spooled, tempfile.SpooledTemporaryFile)
    spooled.close()


def test_files_closed_when_request_ends(app: Erlen) -> None:
    seen: list[FileStorage] = []

    @app.post("/")
    def view() -> str:
        seen.append(request.files["f"])
        return "ok"

    app.test_client().post("/", data={"f": (io.BytesIO(b"z" * (SPOOL_SIZE + 10)), "z")})
    assert seen[0].stream.closed


def test_boundary_split_across_reads_keeps_data(app: Erlen) -> None:
    # werkzeug#3065: a CR LF that falls on a read boundary must stay part of the data.
    payload = b"a" * 1023 + b"\r\n" + b"b" * 1022 + b"\r\n--" + b"c" * 10
    body = body_of(part("f", payload, filename="x"), part("g", b"\r\n\r\n"))
    parser = FormDataParser()
    for size in (1, 2, 3, 1024, 1025, 4096):
        parser.chunk_size = size
        _, form, files = parser.parse(
            io.BytesIO(body), "multipart/form-data", len(body), {"boundary": BOUNDARY}
        )
        assert files["f"].read() == payload
        assert form["g"] == "\r\n\r\n"


@settings(max_examples=60, deadline=None)
@given(
    payload=st.lists(
        st.sampled_from([b"\r", b"\n", b"\r\n", b"-", b"--", f"--{BOUNDARY}".encode(), b"x"]),
        max_size=40,
    ).map(b"".join),
    chunk_size=st.integers(min_value=1, max_value=64),
)
def test_any_payload_round_trips_at_any_chunk_size(payload: bytes, chunk_size: int) -> None:
    # A payload holding the delimiter itself ends its part; any other payload comes back whole.
    assume(f"\r\n--{BOUNDARY}".encode() not in b"\r\n" + payload)
    body = body_of(part("f", payload, filename="x"), part("g", payload.replace(b"\xff", b"")))
    parser = FormDataParser()
    parser.chunk_size = chunk_size
    _, form, files = parser.parse(
        io.BytesIO(body), "multipart/form-data", None, {"boundary": BOUNDARY}
    )
    try:
        assert files["f"].read() == payload
    finally:
        files["f"].close()
    assert form["g"] == payload.decode()


# -- the body, the stream and get_data --------------------------------------------------------


def test_get_data_first_then_form_still_parses(app: Erlen) -> None:
    body = body_of(part("a", b"1"))
    with app.test_request_context("/", method="POST", data=body, content_type=MULTIPART):
        assert request.get_data() == body
        assert request.form["a"] == "1"


def test_data_of_a_form_is_empty_and_stream_consumed(app: Erlen) -> None:
    with app.test_request_context("/", method="POST", data={"f": (b"x", "x")}):
        assert request.data == b""
        assert request.files["f"].read() == b"x"
        assert request.stream.read() == b""
    with app.test_request_context("/", method="POST", data={"a": "1"}):
        assert request.get_data(parse_form_data=True) == b""
        assert request.form["a"] == "1"


def test_input_stream_is_the_raw_input(app: Erlen) -> None:
    with app.test_request_context("/", method="POST", data=b"raw"):
        assert request.input_stream is request.environ["wsgi.input"]


def test_body_without_length_is_not_read() -> None:
    env = environ(body_of(part("a", b"1")))
    del env["CONTENT_LENGTH"]
    req = Request(env)
    assert not req.form
    assert env["wsgi.input"].tell() == 0


def test_terminated_body_without_length_is_read_up_to_the_limit(app: Erlen) -> None:
    body = body_of(part("a", b"1"))
    env = environ(body, **_TERMINATED)
    del env["CONTENT_LENGTH"]
    assert Request(env).form["a"] == "1"
    env = environ(body, **_TERMINATED)
    del env["CONTENT_LENGTH"]
    req = Request(env)
    req.max_content_length = 20
    with pytest.raises(RequestEntityTooLarge) as info:
        req.form  # noqa: B018
    assert "MAX_CONTENT_LENGTH" in str(info.value.description)


def test_empty_multipart_body_is_an_empty_form(form_app: Erlen) -> None:
    assert post_raw(form_app, b"") == (200, b'{"files":{},"form":{}}\n')


def test_shallow_request_is_not_parsed() -> None:
    req = Request(environ(body_of(part("a", b"1"))), shallow=True)
    assert not req.form
    assert not req.files


def test_non_form_mimetype_is_left_alone() -> None:
    stream = io.BytesIO(b"{}")
    rv_stream, form, files = FormDataParser().parse(stream, "application/json", 2)
    assert rv_stream is stream
    assert stream.tell() == 0
    assert not form
    assert not files


# -- limits -------------------------------------------------------------------------------------


def test_max_content_length_is_413_naming_the_key(form_app: Erlen) -> None:
    form_app.config["MAX_CONTENT_LENGTH"] = 100
    rv = form_app.test_client().post("/", data={"f": (io.BytesIO(b"x" * 200), "f")})
    assert rv.status_code == 413
    assert b"MAX_CONTENT_LENGTH" in rv.data


def test_max_content_length_per_request(app: Erlen) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 100
    data = {"f": (io.BytesIO(b"x" * 200), "f")}
    with app.test_request_context("/", method="POST", data=data):
        request.max_content_length = 10_000
        assert request.files["f"].read() == b"x" * 200
    with app.test_request_context("/", method="POST", data=data):
        request.max_content_length = 10
        with pytest.raises(RequestEntityTooLarge):
            request.files  # noqa: B018


def test_cve_2024_49767_field_memory_limit_across_chunks(
    form_app: Erlen, tracked: list[t.IO[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 4 KB field under a 2 KB MAX_FORM_MEMORY_SIZE, read 1 KB at a time, is a 413.
    monkeypatch.setattr(FormDataParser, "chunk_size", 1024)
    form_app.config["MAX_FORM_MEMORY_SIZE"] = 2048
    body = body_of(part("doc", b"z" * 10, filename="a"), part("big", b"x" * 4096))
    status, data = post_raw(form_app, body)
    assert status == 413
    assert b"MAX_FORM_MEMORY_SIZE" in data
    assert b"big" in data
    assert len(tracked) == 1  # the file opened before the field was closed again
    # Files do not count against the in-memory limit.
    ok = body_of(part("doc", b"z" * 8192, filename="a"), part("small", b"x" * 2048))
    assert post_raw(form_app, ok)[0] == 200


def test_cve_2023_25577_multipart_part_limit(form_app: Erlen, tracked: list[t.IO[bytes]]) -> None:
    parts = [part(f"f{i}", b"v", filename="x" if i % 2 else None) for i in range(1001)]
    status, data = post_raw(form_app, body_of(*parts))
    assert status == 413
    assert b"MAX_FORM_PARTS" in data
    assert len(tracked) == 500  # and every one of them closed
    assert post_raw(form_app, body_of(*parts[:1000]))[0] == 200


def test_cve_2023_25577_urlencoded_field_limit(form_app: Erlen) -> None:
    body = "&".join(f"f{i}=v" for i in range(1001)).encode()
    status, data = post_raw(form_app, body, content_type="application/x-www-form-urlencoded")
    assert status == 413
    assert b"MAX_FORM_PARTS" in data


def test_max_form_parts_from_config(form_app: Erlen) -> None:
    form_app.config["MAX_FORM_PARTS"] = 2
    assert post_raw(form_app, body_of(part("a", b"1"), part("b", b"2")))[0] == 200
    assert post_raw(form_app, body_of(*(part("a", b"1") for _ in range(3))))[0] == 413


def test_urlencoded_memory_limit(form_app: Erlen) -> None:
    form_app.config["MAX_FORM_MEMORY_SIZE"] = 10
    ct = "application/x-www-form-urlencoded"
    code, data = post_raw(form_app, b"a=" + b"x" * 20, content_type=ct)
    assert (code, b"MAX_FORM_MEMORY_SIZE" in data) == (413, True)
    env = environ(b"a=" + b"x" * 20, content_type=ct, **_TERMINATED)
    del env["CONTENT_LENGTH"]
    status, _, data = call_wsgi(form_app, env)
    assert status.startswith("413")


def test_part_header_limits_are_413(form_app: Erlen) -> None:
    long_header = f"X-Long: {'h' * 5000}\r\n"
    assert post_raw(form_app, body_of(part("a", b"1", extra=long_header)))[0] == 413
    many = "".join(f"X-H{i}: v\r\n" for i in range(10))
    assert post_raw(form_app, body_of(part("a", b"1", extra=many)))[0] == 413


# -- malformed input: a clear 400, and nothing left open ----------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(body_of(part("a", b"1"))[:-12], b"end of multipart", id="truncated"),
        pytest.param(part("f", b"x" * 100_000, filename="x"), b"end of multipart", id="no-end"),
        pytest.param(b"this is not multipart at all", b"malformed", id="garbage"),
        pytest.param(body_of(part(None, b"1")), b"no name", id="nameless"),
        pytest.param(
            f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
            b"Content-Disposition",
            id="no-disposition",
        ),
        pytest.param(
            f'--{BOUNDARY}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n'
            f"--{BOUNDARY}--\r\n".encode(),
            b"Content-Disposition",
            id="not-form-data",
        ),
        pytest.param(body_of(part("a", b"\xff\xfe")), b"not valid UTF-8", id="bad-utf8"),
        pytest.param(
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\n".encode(),
            b"malformed",
            id="bare-lf",
        ),
        pytest.param(
            body_of(part("f", b"x", filename="x", extra="X-Nul: a\x00b\r\n")),
            b"invalid header",
            id="nul-in-header",
        ),
    ],
)
def test_malformed_bodies_are_400(
    form_app: Erlen, tracked: list[t.IO[bytes]], body: bytes, message: bytes
) -> None:
    status, data = post_raw(form_app, body)
    assert status == 400
    assert message in data


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("multipart/form-data", b"no &#x27;boundary&#x27;"),
        ("multipart/form-data; boundary=", b"no &#x27;boundary&#x27;"),
        (f"multipart/form-data; boundary={'b' * 201}", b"not valid"),
        ('multipart/form-data; boundary="bad\x01char"', b"not valid"),
        ('multipart/form-data; boundary="trailing "', b"not valid"),
    ],
)
def test_missing_or_malformed_boundary_is_400(
    form_app: Erlen, content_type: str, message: bytes
) -> None:
    status, data = post_raw(form_app, body_of(part("a", b"1")), content_type=content_type)
    assert status == 400
    assert message in data


def test_content_length_larger_than_body_is_400_not_a_hang(
    form_app: Erlen, tracked: list[t.IO[bytes]]
) -> None:
    body = body_of(part("f", b"x" * 1000, filename="f"))
    started = time.perf_counter()
    status, _data = post_raw(form_app, body[:-50], length=len(body))
    assert status == 400
    assert time.perf_counter() - started < 2
    with pytest.raises(ClientDisconnected):
        Request(environ(body[:-50], length=len(body))).form  # noqa: B018


def test_body_larger_than_content_length_is_read_only_up_to_it(form_app: Erlen) -> None:
    body = body_of(part("a", b"1"))
    env = environ(body + b"GET /smuggled HTTP/1.1\r\n\r\n", length=len(body))
    status, _, _data = call_wsgi(form_app, env)
    assert status.startswith("200")
    assert env["wsgi.input"].read() == b"GET /smuggled HTTP/1.1\r\n\r\n"
    # Cut inside the body by the Content-Length, it is a truncated body.
    assert post_raw(form_app, body, length=len(body) - 20)[0] == 400


def test_cve_2023_46136_multipart_linear_on_crlf(form_app: Erlen) -> None:
    # Quadratic parsing of a part full of CR/LF took minutes on 8 MB; linear takes well under 1 s.
    form_app.config["MAX_FORM_MEMORY_SIZE"] = None
    payloads = [
        b"\r\n" * (4 << 20),
        b"\r" * (8 << 20),
        (b"\r\n--" + BOUNDARY.encode()[:-1]) * ((8 << 20) // len(BOUNDARY)),
    ]
    for payload in payloads:
        for filename in ("f.bin", None):
            body = body_of(part("f", payload, filename=filename))
            started = time.perf_counter()
            req = Request(environ(body))
            req.max_form_memory_size = 16 << 20
            with req:
                holder: t.Any = req.files if filename else req.form
                assert len(holder["f"]) if filename is None else holder["f"].read() == payload
            assert time.perf_counter() - started < 3, f"slow on {payload[:8]!r}"


def test_silent_parser_gives_empty_results_but_limits_still_raise() -> None:
    env = environ(b"garbage")
    _, form, files = parse_form_data(env, silent=True)
    assert not form
    assert not files
    with pytest.raises(BadRequest):
        parse_form_data(environ(b"garbage"))
    env = environ(body_of(part("a", b"1"), part("b", b"2")))
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(env, silent=True, max_form_parts=1)


def test_parse_form_data_from_environ() -> None:
    env = environ(body_of(part("a", b"1"), part("f", b"data", filename="f.txt")))
    _, form, files = parse_form_data(env, cls=MultiDict)
    assert type(form) is MultiDict
    assert form["a"] == "1"
    assert files["f"].read() == b"data"


def test_parse_form_data_takes_the_parsers_arguments() -> None:
    # parse_form_data spells out FormDataParser's parameters (its public signature is its
    # documentation); this keeps the two lists from drifting apart.
    function = list(inspect.signature(parse_form_data).parameters.values())
    parser = list(inspect.signature(FormDataParser).parameters.values())
    assert function[0].name == "environ"
    assert function[1:] == parser


# -- the extension points -------------------------------------------------------------------------


def test_form_data_parser_class_and_make_form_data_parser(app: Erlen) -> None:
    class CountingParser(FormDataParser):
        calls = 0

        def parse(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            CountingParser.calls += 1
            return super().parse(*args, **kwargs)

    class MyRequest(Request):
        form_data_parser_class = CountingParser

    app.request_class = MyRequest
    app.config["MAX_FORM_PARTS"] = 7
    with app.test_request_context("/", method="POST", data={"a": "1"}):
        parser = request.make_form_data_parser()
        assert isinstance(parser, CountingParser)
        assert parser.max_form_parts == 7
        assert parser.max_form_memory_size == 500_000
        assert parser.cls is ImmutableMultiDict
        assert request.form["a"] == "1"
        assert request.files == {}
    assert CountingParser.calls == 1


def test_want_form_data_parsed() -> None:
    assert Request(environ(b"", content_type=MULTIPART)).want_form_data_parsed
    assert Request(
        environ(b"", content_type="application/x-www-form-urlencoded")
    ).want_form_data_parsed
    assert not Request(environ(b"", content_type="application/json")).want_form_data_parsed


def test_debug_files_key_error_explains_missing_enctype(app: Erlen) -> None:
    app.debug = True
    with app.test_request_context("/", method="POST", data={"upload": "photo.jpg"}):
        with pytest.raises(DebugFilesKeyError) as info:
            request.files["upload"]
        assert 'enctype="multipart/form-data"' in str(info.value)
        assert isinstance(info.value, KeyError)
        with pytest.raises(KeyError):
            request.files["other"]
    app.debug = False
    with app.test_request_context("/", method="POST", data={"upload": "photo.jpg"}):
        with pytest.raises(KeyError) as plain:
            request.files["upload"]
        assert not isinstance(plain.value, DebugFilesKeyError)


def test_encode_multipart_round_trips_through_the_parser() -> None:
    boundary, body = encode_multipart(
        [("a", "ü"), ("b", b"raw"), ("f", (io.BytesIO(b"\r\n--x"), "f.txt", "text/plain"))]
    )
    env = environ(body, content_type=f'multipart/form-data; boundary="{boundary}"')
    _, form, files = parse_form_data(env)
    assert form.to_dict() == {"a": "ü", "b": "raw"}
    assert files["f"].read() == b"\r\n--x"


def test_environ_builder_file_path_tuple(app: Erlen, tmp_path: t.Any) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(b"a,b\n")
    builder = EnvironBuilder(app, "/", method="POST", data={"f": (str(path), "upload.csv")})
    try:
        req = builder.get_request()
        assert req.files["f"].read() == b"a,b\n"
        assert req.files["f"].content_type == "text/csv"
    finally:
        builder.close()


def _reference_pairs(qs: str) -> list[tuple[str, str]] | None:
    """Split first, then unquote each piece: the definition decode_pairs must match."""
    from urllib.parse import unquote_to_bytes

    def unquote(piece: str) -> str:
        return unquote_to_bytes(piece.replace("+", " ")).decode("utf-8")

    try:
        return [
            (unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in qs.split("&") if p)
        ]
    except UnicodeDecodeError:
        return None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "%",
                "2",
                "6",
                "3",
                "d",
                "D",
                "&",
                "=",
                "+",
                "a",
                "C3",
                "A9",
                "%C3%A9",
                "%26",
                "%3D",
                "%zz",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_decode_pairs_matches_split_then_unquote(qs: str) -> None:
    from erlen.urls import decode_pairs

    expected = _reference_pairs(qs)
    if expected is None:
        with pytest.raises(BadRequest):
            decode_pairs(qs)
    else:
        assert decode_pairs(qs) == expected


def test_open_file_value_uses_its_base_name(app: Erlen, tmp_path: t.Any) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG")
    with (
        path.open("rb") as f,
        app.test_request_context("/", method="POST", data={"p": f}),
    ):
        upload = request.files["p"]
        assert (upload.filename, upload.mimetype, upload.read()) == (
            "photo.png",
            "image/png",
            b"\x89PNG",
        )


def test_custom_stream_factory_receives_every_upload(app: Erlen) -> None:
    seen: list[tuple[int | None, str | None, str | None, int | None]] = []

    class DiskRequest(Request):
        def _get_file_stream(
            self,
            total_content_length: int | None,
            content_type: str | None,
            filename: str | None = None,
            content_length: int | None = None,
        ) -> t.IO[bytes]:
            seen.append((total_content_length, content_type, filename, content_length))
            return tempfile.TemporaryFile()

    app.request_class = DiskRequest
    body = body_of(part("f", b"abc", filename="a.txt", extra="Content-Type: text/x\r\n"))
    with app.test_request_context("/", method="POST", data=body, content_type=MULTIPART):
        f = request.files["f"]
        assert f.read() == b"abc"
        assert not isinstance(f.stream, io.BytesIO)
        # Form data already parsed: get_data(parse_form_data=True) does not parse again.
        assert request.get_data(parse_form_data=True) == b""
    assert seen == [(len(body), "text/x", "a.txt", 3)]


# -- the small-urlencoded shortcut of Request._load_form_data ---------------------------------
class _ParserRequest(Request):
    """Overrides make_form_data_parser, so every body goes through FormDataParser."""

    def make_form_data_parser(self) -> FormDataParser:
        return super().make_form_data_parser()


def _form_outcome(request_class: type[Request], body: bytes, **environ: t.Any) -> t.Any:
    app = Erlen(__name__)
    app.config.update(MAX_CONTENT_LENGTH=200_000, MAX_FORM_MEMORY_SIZE=100_000, MAX_FORM_PARTS=50)
    app.request_class = request_class
    base = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    built = EnvironBuilder(app, environ_overrides={**base, **environ}).get_environ()
    with app.request_context(built):
        try:
            form = request.form.to_dict(flat=False)
        except (BadRequest, RequestEntityTooLarge) as e:
            return type(e), e.description
        return form, request.get_data(), request.stream.read()


@pytest.mark.parametrize(
    ("body", "environ"),
    [
        (b"name=Ann&email=a%40b.c&name=Bo+B", {}),
        (b"", {}),
        (b"a=1", {"CONTENT_LENGTH": ""}),  # no length: nothing is read
        (b"a=1", {"CONTENT_LENGTH": "x"}),
        (b"a=1", {"CONTENT_LENGTH": "9"}),  # cut short
        (b"a=1&b", {"CONTENT_LENGTH": "3"}),  # only the declared bytes
        (b"a=%ff", {}),  # not UTF-8
        (b"&".join(b"k%d=v" % i for i in range(51)), {}),  # MAX_FORM_PARTS
        (b"a=" + b"x" * 100_001, {}),  # MAX_FORM_MEMORY_SIZE
        (b"a=" + b"x" * 200_001, {}),  # MAX_CONTENT_LENGTH
        (b"a=" + b"x" * 70_000, {}),  # past 64 KiB: read through the stream
        (b"a=1", {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}),
    ],
)
def test_small_urlencoded_forms_parse_as_the_parser_does(
    body: bytes, environ: dict[str, t.Any]
) -> None:
    assert _form_outcome(Request, body, **environ) == _form_outcome(_ParserRequest, body, **environ)


def test_a_small_urlencoded_form_needs_no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(self: FormDataParser, *args: t.Any) -> t.Any:
        raise AssertionError("a parser was made for a small urlencoded body")

    monkeypatch.setattr(FormDataParser, "parse", no_parser)
    form, data, rest = _form_outcome(Request, b"a=1&b=2")
    assert form == {"a": ["1"], "b": ["2"]}
    assert (data, rest) == (b"", b"")
    with pytest.raises(AssertionError, match="a parser was made"):
        _form_outcome(_ParserRequest, b"a=1&b=2")


_READS: dict[str, t.Callable[[Request], t.Any]] = {
    "form": lambda r: r.form.to_dict(flat=False),
    "files": lambda r: (type(r.files).__name__, r.files.to_dict()),
    "stream": lambda r: r.stream.read(),
    "data": lambda r: r.data,
    "get_data": lambda r: r.get_data(cache=False),
    "values": lambda r: r.values.to_dict(flat=False),
}


@pytest.mark.parametrize(
    "order",
    [
        ("form", "files", "stream", "data"),
        ("files", "form", "get_data", "get_data"),
        ("stream", "form", "files"),
        ("data", "form", "stream"),
        ("get_data", "form", "files", "get_data"),
        ("values", "files", "stream"),
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_an_urlencoded_body_read_in_one_call_leaves_what_the_parser_leaves(
    app: Erlen, order: tuple[str, ...], debug: bool
) -> None:
    app.debug = debug
    body = b"a=1&b=x+y&b=%40&c"
    seen: dict[type[Request], list[t.Any]] = {}
    for cls in (Request, _ParserRequest):
        app.request_class = cls
        with app.test_request_context("/", method="POST", data=body, content_type=URLENCODED):
            seen[cls] = [_READS[name](request) for name in order]
            assert request.files is request.files  # made once
    assert seen[Request] == seen[_ParserRequest]
    parsed = {"a": ["1"], "b": ["x y", "@"], "c": [""]}
    if order[0] in ("stream", "get_data"):  # the raw body was read first: no form is left
        assert parsed not in seen[Request]
    elif "form" in order:
        assert parsed in seen[Request]


def test_a_subclass_mimetype_is_still_asked(app: Erlen) -> None:
    class Plain(Request):
        @property
        def mimetype(self) -> str:
            return "text/plain"  # so the body is not a form

    app.request_class = Plain
    with app.test_request_context(
        "/", method="POST", data=b"a=1", content_type="application/x-www-form-urlencoded"
    ):
        assert request.form.to_dict() == {}
        assert request.get_data() == b"a=1"
    app.request_class = Request
    with app.test_request_context(
        "/", method="POST", data=b"a=1", content_type="application/x-www-form-urlencoded"
    ):
        assert request.form.to_dict() == {"a": "1"}


# The small urlencoded path reads the three limits and Content-Length from the config and
# environ directly when the request is a plain Request with none of them set on it (PERF);
# each way of setting one must still be honoured there.
_URLENCODED = "application/x-www-form-urlencoded"
_LIMIT_VALUES = {"max_content_length": 5, "max_form_memory_size": 5, "max_form_parts": 1}
_LIMIT_KEYS = {
    "max_content_length": "MAX_CONTENT_LENGTH",
    "max_form_memory_size": "MAX_FORM_MEMORY_SIZE",
    "max_form_parts": "MAX_FORM_PARTS",
}


@pytest.mark.parametrize("limit", sorted(_LIMIT_VALUES))
@pytest.mark.parametrize("how", ["config", "instance", "subclass"])
def test_each_urlencoded_limit_holds_however_it_is_set(app: Erlen, limit: str, how: str) -> None:
    body = b"a=1&b=22"
    with app.test_request_context("/", method="POST", data=body, content_type=_URLENCODED):
        assert request.form.to_dict() == {"a": "1", "b": "22"}  # within the defaults
    if how == "config":
        app.config[_LIMIT_KEYS[limit]] = _LIMIT_VALUES[limit]
    elif how == "subclass":

        class Limited(Request):
            pass

        setattr(Limited, limit, property(lambda self: _LIMIT_VALUES[limit]))
        app.request_class = Limited
    with app.test_request_context("/", method="POST", data=body, content_type=_URLENCODED):
        if how == "instance":
            setattr(request, limit, _LIMIT_VALUES[limit])
        with pytest.raises(RequestEntityTooLarge) as info:
            request.form  # noqa: B018
        assert _LIMIT_KEYS[limit] in str(info.value.description)


@pytest.mark.parametrize("declared", ["3", "-1", "x"])
def test_urlencoded_content_length_read_before_the_form_is_the_one_used(
    app: Erlen, declared: str
) -> None:
    with app.test_request_context("/", method="POST", data=b"a=1&b=22", content_type=_URLENCODED):
        request.environ["CONTENT_LENGTH"] = declared
        if declared == "3":
            assert request.content_length == 3
            request.environ["CONTENT_LENGTH"] = "8"  # the cached value still decides
            assert request.form.to_dict() == {"a": "1"}
        else:
            with pytest.raises(BadRequest, match="Content-Length"):
                request.form  # noqa: B018

"""Static files, ``send_file`` and ``send_from_directory``: caching, conditional and range
requests, download names, X-Sendfile, streaming, and hostile paths."""

from __future__ import annotations

import io
import os
import typing as t
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from erlen import Erlen, send_file, send_from_directory
from erlen.blueprints import Blueprint
from erlen.exceptions import NotFound
from erlen.helpers import FILE_CHUNK_SIZE, content_disposition
from erlen.http import http_date

from .conftest import call_wsgi, raw_environ

BIG = bytes(range(256)) * 4096 * 3  # 3 MiB


@pytest.fixture
def sapp(tmp_path: Path) -> Erlen:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_bytes(b"body { color: red }")
    (static / "big.bin").write_bytes(BIG)
    (static / "unknown.zzqq").write_bytes(b"?")
    (tmp_path / "secret.txt").write_text("top secret")
    app = Erlen("sapp", root_path=str(tmp_path))
    app.config["TESTING"] = True
    return app


def test_static_endpoint_serves_with_revalidation_by_default(sapp: Erlen) -> None:
    rv = sapp.test_client().get("/static/css/site.css")
    assert rv.status_code == 200
    assert rv.data == b"body { color: red }"
    assert rv.mimetype == "text/css"
    assert rv.headers["Content-Length"] == "19"
    assert rv.headers["Cache-Control"] == "no-cache"
    assert rv.headers["ETag"]
    assert rv.headers["Last-Modified"]
    assert rv.headers["Accept-Ranges"] == "bytes"
    assert rv.headers["Content-Disposition"] == 'inline; filename="site.css"'


def test_unknown_extension_is_octet_stream(sapp: Erlen) -> None:
    assert sapp.test_client().get("/static/unknown.zzqq").mimetype == "application/octet-stream"


def test_url_for_static_and_custom_paths(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.js").write_text("1")
    app = Erlen("x", root_path=str(tmp_path), static_folder="assets", static_url_path="/s")
    with app.test_request_context():
        from erlen import url_for

        assert url_for("static", filename="a.js") == "/s/a.js"
    assert app.test_client().get("/s/a.js").data == b"1"
    default = Erlen("x", root_path=str(tmp_path), static_folder="assets")
    assert default.static_url_path == "/assets"
    assert default.test_client().get("/assets/a.js").data == b"1"


def test_static_host(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("hosted")
    app = Erlen("x", root_path=str(tmp_path), static_host="cdn.test", host_matching=True)
    client = app.test_client()
    assert client.get("/static/a.txt", base_url="http://cdn.test").data == b"hosted"
    assert client.get("/static/a.txt", base_url="http://other.test").status_code == 404
    with pytest.raises(AssertionError, match="static_host"):
        Erlen("x", root_path=str(tmp_path), static_host="cdn.test")


def test_no_static_folder(tmp_path: Path) -> None:
    app = Erlen("x", root_path=str(tmp_path), static_folder=None)
    assert not app.has_static_folder
    assert app.test_client().get("/static/a").status_code == 404
    with pytest.raises(RuntimeError, match="static_folder"):
        app.send_static_file("a")


def test_static_folder_follows_root_path_and_folder(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f.txt").write_text(name)
    app = Erlen(
        "x", root_path=str(tmp_path / "elsewhere"), static_folder="one", static_url_path="/static"
    )
    assert app.static_folder == str(tmp_path / "elsewhere" / "one")
    app.root_path = str(tmp_path)  # the joined path is remembered, but not past a change
    assert app.static_folder == str(tmp_path / "one")
    assert app.test_client().get("/static/f.txt").text == "one"
    app.static_folder = "two"
    assert app.static_folder == str(tmp_path / "two")
    assert app.test_client().get("/static/f.txt").text == "two"
    app.static_folder = None
    assert app.static_folder is None


def test_blueprint_static_folder(sapp: Erlen, tmp_path: Path) -> None:
    bp_root = tmp_path / "bp"
    (bp_root / "files").mkdir(parents=True)
    (bp_root / "files" / "b.txt").write_text("from bp")
    bp = Blueprint(
        "admin",
        "admin",
        static_folder="files",
        static_url_path="/assets",
        url_prefix="/admin",
        root_path=str(bp_root),
    )
    sapp.register_blueprint(bp)
    rv = sapp.test_client().get("/admin/assets/b.txt")
    assert (rv.status_code, rv.data) == (200, b"from bp")
    with sapp.test_request_context():
        from erlen import url_for

        assert url_for("admin.static", filename="b.txt") == "/admin/assets/b.txt"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(None, None), (3600, 3600), (timedelta(minutes=2), 120), (0, 0)],
)
def test_send_file_max_age_default(sapp: Erlen, setting: t.Any, expected: int | None) -> None:
    sapp.config["SEND_FILE_MAX_AGE_DEFAULT"] = setting
    assert sapp.get_send_file_max_age("x") == expected
    rv = sapp.test_client().get("/static/css/site.css")
    if expected:
        assert rv.headers["Cache-Control"] == f"public, max-age={expected}"
        assert rv.expires is not None
    else:
        assert rv.headers["Cache-Control"] == "no-cache"


def test_get_send_file_max_age_override(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.css").write_text("a")

    class MyApp(Erlen):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 60 if filename and filename.endswith(".css") else None

    rv = MyApp("x", root_path=str(tmp_path)).test_client().get("/static/a.css")
    assert rv.headers["Cache-Control"] == "public, max-age=60"


# -- conditional requests -----------------------------------------------------------------------


def test_if_none_match_gives_304(sapp: Erlen) -> None:
    client = sapp.test_client()
    first = client.get("/static/big.bin")
    etag = first.headers["ETag"]
    rv = client.get("/static/big.bin", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert "Content-Length" not in rv.headers
    assert client.get("/static/big.bin", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since(sapp: Erlen) -> None:
    client = sapp.test_client()
    last_modified = client.get("/static/css/site.css").headers["Last-Modified"]
    assert (
        client.get("/static/css/site.css", headers={"If-Modified-Since": last_modified})
    ).status_code == 304
    old = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    rv = client.get("/static/css/site.css", headers={"If-Modified-Since": old})
    assert rv.status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        http_date(datetime.now(UTC) + timedelta(days=365)),  # in the future: ignored
        "not a date",
        "",
    ],
)
def test_bad_if_modified_since_is_ignored(sapp: Erlen, value: str) -> None:
    rv = sapp.test_client().get("/static/css/site.css", headers={"If-Modified-Since": value})
    assert (rv.status_code, rv.data) == (200, b"body { color: red }")


def test_range_gives_206(sapp: Erlen) -> None:
    client = sapp.test_client()
    rv = client.get("/static/big.bin", headers={"Range": "bytes=100-199"})
    assert rv.status_code == 206
    assert rv.data == BIG[100:200]
    assert rv.headers["Content-Range"] == f"bytes 100-199/{len(BIG)}"
    assert rv.headers["Content-Length"] == "100"
    rv = client.get("/static/big.bin", headers={"Range": "bytes=-10"})
    assert rv.data == BIG[-10:]
    rv = client.get("/static/big.bin", headers={"Range": f"bytes={len(BIG) - 5}-"})
    assert rv.data == BIG[-5:]


def test_range_with_stale_if_range_gives_whole_file(sapp: Erlen) -> None:
    rv = sapp.test_client().get(
        "/static/big.bin", headers={"Range": "bytes=0-9", "If-Range": '"stale"'}
    )
    assert rv.status_code == 200
    assert len(rv.data) == len(BIG)


@pytest.mark.parametrize(
    "value", [f"bytes={len(BIG)}-", f"bytes={len(BIG) + 100}-{len(BIG) + 200}", "bytes=9-2"]
)
def test_range_past_the_end_or_malformed_gives_416(sapp: Erlen, value: str) -> None:
    rv = sapp.test_client().get("/static/big.bin", headers={"Range": value})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == f"bytes */{len(BIG)}"


def _opened_files(monkeypatch: pytest.MonkeyPatch) -> list[t.Any]:
    """The files named ``big.bin`` that ``open()`` returns from now on."""
    import builtins

    opened: list[t.Any] = []
    real_open = builtins.open

    def spy_open(*args: t.Any, **kwargs: t.Any) -> t.Any:
        f = real_open(*args, **kwargs)
        if str(getattr(f, "name", "")).endswith("big.bin"):
            opened.append(f)
        return f

    monkeypatch.setattr(builtins, "open", spy_open)
    return opened


@pytest.mark.parametrize(
    ("headers", "status", "opens"),
    [
        ({}, 200, True),
        ({"Range": "bytes=0-9"}, 206, True),
        ({"Range": f"bytes={len(BIG)}-"}, 416, False),
        ({"If-None-Match": "*"}, 304, False),
        ({"If-Match": '"nope"'}, 412, False),
    ],
)
def test_the_file_is_opened_only_for_a_body_and_always_closed(
    sapp: Erlen, monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], status: int, opens: bool
) -> None:
    opened = _opened_files(monkeypatch)
    rv = sapp.test_client().get("/static/big.bin", headers=headers)
    assert rv.status_code == status
    assert len(opened) == (1 if opens else 0)
    assert all(f.closed for f in opened)


def test_a_file_gone_after_the_check_is_an_error_before_any_header(
    sapp: Erlen, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    def vanished(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise FileNotFoundError(args[0])

    with sapp.test_request_context("/static/big.bin"):
        monkeypatch.setattr(builtins, "open", vanished)
        with pytest.raises(FileNotFoundError):
            sapp.send_static_file("big.bin")


def test_the_servers_file_wrapper_gets_a_file_it_can_read_and_seek(sapp: Erlen) -> None:
    from wsgiref.util import FileWrapper

    client = sapp.test_client()
    whole = client.get("/static/big.bin", environ_base={"wsgi.file_wrapper": FileWrapper})
    assert whole.data == BIG
    part = client.get(
        "/static/big.bin",
        headers={"Range": "bytes=5-14"},
        environ_base={"wsgi.file_wrapper": FileWrapper},
    )
    assert (part.status_code, part.data) == (206, BIG[5:15])


def test_unknown_range_unit_is_ignored(sapp: Erlen) -> None:
    rv = sapp.test_client().get("/static/css/site.css", headers={"Range": "pages=1-2"})
    assert rv.status_code == 200


# A 304 from send_file is answered without building the 200 first (helpers.send_file, PERF);
# these hold that answer to the general path's (make_conditional on the 200), byte for byte.


_ETAGS: dict[str, bool | str] = {"no": False, "str": "given"}


def _send_file_apps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: bool = False
) -> tuple[Erlen, Erlen, list[int]]:
    """The same app twice: one with Response (the 304 shortcut can run), one with a
    subclass of it (always the general path); and the shortcut's calls. With ``hook``, an
    after_request function reports in a header what it sees of the response."""
    import time

    from erlen.wrappers import Response

    static = tmp_path / "static"
    static.mkdir(exist_ok=True)
    (static / "f.txt").write_bytes(b"0123456789" * 10)
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.5)  # Date and Expires agree
    shortcut: list[int] = []
    prebuilt = Response.__dict__["_prebuilt"].__func__

    def spy(
        cls: type[Response], status: int, headers: list[tuple[str, str]], body: t.Any
    ) -> Response:
        shortcut.append(status)
        return prebuilt(cls, status, headers, body)  # type: ignore[no-any-return]

    monkeypatch.setattr(Response, "_prebuilt", classmethod(spy))

    class General(Response):
        pass

    apps = []
    for response_class in (Response, General):
        app = Erlen("sf", root_path=str(tmp_path))
        app.response_class = response_class

        @app.route("/f", methods=["GET", "HEAD", "POST"])
        def f() -> t.Any:
            from erlen import request

            args = request.args
            return send_file(
                str(static / "f.txt") if "obj" not in args else io.BytesIO(b"x" * 100),
                download_name="f.txt",
                etag=_ETAGS.get(args.get("etag", ""), True),
                max_age=int(args["max_age"]) if "max_age" in args else None,
                last_modified=datetime(2020, 1, 1, tzinfo=UTC) if "lm" in args else None,
                conditional="uncond" not in args,
            )

        if hook:

            @app.after_request
            def seen(response: Response) -> Response:
                try:
                    data = repr(response.get_data())
                except RuntimeError as e:
                    data = type(e).__name__
                response.headers["X-Seen"] = (
                    f"{response.is_sequence} {response.is_streamed}"
                    f" {response.direct_passthrough} {data}"
                )
                return response

        app.config["USE_X_SENDFILE"] = False
        apps.append(app)
    return apps[0], apps[1], shortcut


def _both(plain: Erlen, general: Erlen, **environ: t.Any) -> t.Any:
    got = call_wsgi(plain, raw_environ(PATH_INFO="/f", **environ))
    assert got == call_wsgi(general, raw_environ(PATH_INFO="/f", **environ)), environ
    return got


@pytest.mark.parametrize("hook", [False, True])
def test_send_file_304_shortcut_answers_as_the_general_path_for_every_condition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: bool
) -> None:
    import itertools

    plain, general, shortcut = _send_file_apps(tmp_path, monkeypatch, hook)
    first = call_wsgi(plain, raw_environ(PATH_INFO="/f"))
    headers = dict(first[1])
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    old = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    future = http_date(datetime(2999, 1, 1, tzinfo=UTC))
    statuses: dict[str, int] = {}  # by code: each outcome is reached
    for method, inm, ims, if_match, ius, range_ in itertools.product(
        ["GET", "HEAD", "POST"],
        [None, "*", etag, f"W/{etag}", '"other"', f'"other", {etag}', "garbage"],
        [None, last_modified, old, future, "not a date"],
        [None, "*", etag, '"nope"'],
        [None, old, last_modified],
        [None, "bytes=0-9"],
    ):
        named = {
            "HTTP_IF_NONE_MATCH": inm,
            "HTTP_IF_MODIFIED_SINCE": ims,
            "HTTP_IF_MATCH": if_match,
            "HTTP_IF_UNMODIFIED_SINCE": ius,
            "HTTP_RANGE": range_,
        }
        environ = {key: value for key, value in named.items() if value is not None}
        environ["REQUEST_METHOD"] = method
        before = len(shortcut)
        status = _both(plain, general, **environ)[0]
        statuses[status[:3]] = statuses.get(status[:3], 0) + 1
        # The shortcut answers exactly the 304s, and only for the plain app.
        assert len(shortcut) - before == status.startswith("304"), environ
    assert set(statuses) == {"200", "206", "304", "412"}, statuses


@pytest.mark.parametrize(
    "query",
    [
        "",
        "etag=no",
        "etag=str",
        "max_age=60",
        "lm=1",
        "lm=1&etag=no",
        "uncond=1",
        "obj=1",
        "max_age=60&lm=1",
    ],
)
@pytest.mark.parametrize("x_sendfile", [False, True])
def test_send_file_304_shortcut_matches_for_every_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, x_sendfile: bool
) -> None:
    plain, general, shortcut = _send_file_apps(tmp_path, monkeypatch)
    for app in (plain, general):
        app.config["USE_X_SENDFILE"] = x_sendfile
    first = call_wsgi(plain, raw_environ(PATH_INFO="/f", QUERY_STRING=query))
    headers = dict(first[1])
    revalidations = [
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_NONE_MATCH": headers.get("ETag", '"none"')},
        {"HTTP_IF_MODIFIED_SINCE": headers.get("Last-Modified", "")},
        {"HTTP_IF_NONE_MATCH": '"other"', "HTTP_IF_MODIFIED_SINCE": http_date(1_800_000_000)},
    ]
    from wsgiref.util import FileWrapper

    for environ in revalidations:
        _both(plain, general, QUERY_STRING=query, **environ)
        _both(plain, general, QUERY_STRING=query, REQUEST_METHOD="HEAD", **environ)
        _both(plain, general, QUERY_STRING=query, **{"wsgi.file_wrapper": FileWrapper}, **environ)
    shortcut_expected = not x_sendfile and query in (
        "",
        "etag=no",
        "max_age=60",
        "lm=1",
        "lm=1&etag=no",
        "max_age=60&lm=1",
    )
    assert bool(shortcut) == shortcut_expected


def test_send_file_outside_a_request_names_the_fix(sapp: Erlen) -> None:
    with pytest.raises(RuntimeError, match="outside of application context"):
        send_file(io.BytesIO(b"x"), mimetype="text/plain")
    with sapp.app_context(), pytest.raises(RuntimeError, match="test_request_context"):
        send_file(io.BytesIO(b"x"), mimetype="text/plain")


@pytest.mark.parametrize("last_modified", [None, datetime(2020, 1, 1, tzinfo=UTC)])
def test_send_file_header_order(sapp: Erlen, last_modified: datetime | None) -> None:
    # The order Flask users see: the body's headers, then the validators and caching.
    path = str(Path(sapp.root_path) / "static" / "css" / "site.css")
    with (
        sapp.test_request_context("/"),
        send_file(path, etag="given", last_modified=last_modified, max_age=60) as rv,
    ):
        names = [name for name, _ in rv.headers]
    expected = ["Content-Type", "Content-Length", "Content-Disposition", "Last-Modified"]
    expected += ["ETag", "Cache-Control", "Expires", "Date", "Accept-Ranges"]
    assert names == expected


# -- streaming ----------------------------------------------------------------------------------


def test_large_file_is_streamed_in_chunks(sapp: Erlen) -> None:
    environ = raw_environ(PATH_INFO="/static/big.bin")
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        return None

    app_iter = sapp(environ, start_response)
    try:
        chunks.extend(app_iter)
    finally:
        app_iter.close()
    assert b"".join(chunks) == BIG
    assert len(chunks) == len(BIG) // FILE_CHUNK_SIZE
    assert max(len(c) for c in chunks) == FILE_CHUNK_SIZE


def test_wsgi_file_wrapper_is_used(sapp: Erlen) -> None:
    wrapped: list[tuple[t.Any, int]] = []

    class Wrapper:
        def __init__(self, filelike: t.Any, block_size: int = 8192) -> None:
            wrapped.append((filelike, block_size))
            self.filelike = filelike
            self.block_size = block_size

        def __iter__(self) -> t.Iterator[bytes]:
            while chunk := self.filelike.read(self.block_size):
                yield chunk

        def close(self) -> None:
            self.filelike.close()

    environ = raw_environ(PATH_INFO="/static/big.bin", **{"wsgi.file_wrapper": Wrapper})
    status, _headers, body = call_wsgi(sapp, environ)
    assert status.startswith("200")
    assert body == BIG
    assert len(wrapped) == 1
    assert wrapped[0][0].closed
    # A range over a file wrapper seeks in the file instead of reading from the start.
    environ = raw_environ(
        PATH_INFO="/static/big.bin", HTTP_RANGE="bytes=1000-1009", **{"wsgi.file_wrapper": Wrapper}
    )
    status, _headers, body = call_wsgi(sapp, environ)
    assert status.startswith("206")
    assert body == BIG[1000:1010]


# -- send_file ----------------------------------------------------------------------------------


def test_send_file_relative_path_is_relative_to_root(sapp: Erlen) -> None:
    with sapp.test_request_context():
        rv = send_file("secret.txt")
        rv.direct_passthrough = False
        assert rv.get_data() == b"top secret"
        assert rv.mimetype == "text/plain"
        rv.close()


def test_send_file_object(sapp: Erlen) -> None:
    sapp.add_url_rule(
        "/obj",
        "obj",
        lambda: send_file(io.BytesIO(b"0123456789"), mimetype="application/x-test"),
    )
    client = sapp.test_client()
    rv = client.get("/obj")
    assert (rv.data, rv.mimetype, rv.headers["Content-Length"]) == (
        b"0123456789",
        "application/x-test",
        "10",
    )
    assert "ETag" not in rv.headers
    assert "Content-Disposition" not in rv.headers
    rv = client.get("/obj", headers={"Range": "bytes=2-4"})
    assert (rv.status_code, rv.data) == (206, b"234")


def test_send_real_file_object_gets_its_size(sapp: Erlen, tmp_path: Path) -> None:
    path = tmp_path / "static" / "css" / "site.css"
    with sapp.test_request_context():
        with open(path, "rb") as f:
            rv = send_file(f, download_name="x.css")
            assert rv.headers["Content-Length"] == "19"
            assert rv.mimetype == "text/css"
        with open(path, "rb") as f:
            f.read(3)  # not at the start: the size is unknown
            rv = send_file(f, mimetype="text/css")
            assert "Content-Length" not in rv.headers


def test_send_file_object_errors(sapp: Erlen) -> None:
    with sapp.test_request_context():
        with pytest.raises(TypeError, match="binary"):
            send_file(io.StringIO("text"), mimetype="text/plain")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="mimetype"):
            send_file(io.BytesIO(b"x"))
        with pytest.raises(TypeError, match="download_name"):
            send_file(io.BytesIO(b"x"), mimetype="text/plain", as_attachment=True)
        with pytest.raises(FileNotFoundError):
            send_file("no/such/file.txt")


def test_send_file_options(sapp: Erlen, tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    when = datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)
    with sapp.test_request_context():
        rv = send_file(
            path,
            mimetype="application/x-custom",
            as_attachment=True,
            download_name="report final.txt",
            etag="v1",
            last_modified=when,
            max_age=lambda p: 30,
        )
        assert rv.mimetype == "application/x-custom"
        assert rv.headers["Content-Disposition"] == 'attachment; filename="report final.txt"'
        assert rv.headers["ETag"] == '"v1"'
        assert rv.last_modified == when
        assert rv.headers["Cache-Control"] == "public, max-age=30"
        rv.close()
        rv = send_file(path, etag=False, max_age=0)
        assert "ETag" not in rv.headers
        assert rv.headers["Cache-Control"] == "no-cache"
        rv.close()
    with sapp.test_request_context(headers={"If-None-Match": '"v1"'}):
        rv = send_file(path, etag="v1", conditional=False)
        assert rv.status_code == 200
        rv.close()


def test_etag_changes_with_the_file(sapp: Erlen, tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    with sapp.test_request_context():
        first = send_file(path)
        first.close()
        stat = path.stat()
        os.utime(path, (stat.st_atime, stat.st_mtime + 10))
        second = send_file(path)
        second.close()
    assert first.headers["ETag"] != second.headers["ETag"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        (
            "résumé.pdf",
            "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        ),
        ("日本.txt", "attachment; filename=\".txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
        ("☃", "attachment; filename=\"download\"; filename*=UTF-8''%E2%98%83"),
        (
            "evil\r\nSet-Cookie: x=1.txt",
            'attachment; filename="evilSet-Cookie: x=1.txt";'
            " filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1.txt",
        ),
    ],
)
def test_content_disposition(name: str, expected: str) -> None:
    assert content_disposition("attachment", name) == expected


def test_download_name_header_injection_is_harmless(sapp: Erlen) -> None:
    sapp.add_url_rule(
        "/dl",
        "dl",
        lambda: send_file(io.BytesIO(b"x"), download_name="a\r\nX-Evil: 1.txt", as_attachment=True),
    )
    rv = sapp.test_client().get("/dl")
    assert rv.status_code == 200
    assert "X-Evil" not in rv.headers


def test_use_x_sendfile(sapp: Erlen, tmp_path: Path) -> None:
    sapp.config["USE_X_SENDFILE"] = True
    rv = sapp.test_client().get("/static/big.bin")
    assert rv.headers["X-Sendfile"] == str(tmp_path / "static" / "big.bin")
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len(BIG))
    etag = rv.headers["ETag"]
    assert (
        sapp.test_client().get("/static/big.bin", headers={"If-None-Match": etag}).status_code
        == 304
    )


# -- hostile paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/css/..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/C:/Windows/win.ini",
        "/static/c:secret.txt",
        "/static/NUL",
        "/static/css/CON.txt",
        "/static/AUX%20",
        "/static/css",
        "/static/missing.txt",
        "/static/%5c%5cserver%5cshare",
    ],
)
def test_hostile_static_paths_give_404(sapp: Erlen, path: str) -> None:
    rv = sapp.test_client().get(path)
    assert rv.status_code == 404
    assert b"top secret" not in rv.data


@pytest.mark.parametrize("path", ["/static//etc/passwd", "/static/%2fetc%2fpasswd"])
def test_doubled_slash_is_merged_then_404(sapp: Erlen, path: str) -> None:
    # The router merges the slashes (a 308 to /static/etc/passwd, on this host); the merged
    # path is inside the static folder, where there is no such file.
    rv = sapp.test_client().get(path)
    assert rv.status_code == 308
    assert rv.headers["Location"].endswith("/static/etc/passwd")
    assert sapp.test_client().get(path, follow_redirects=True).status_code == 404


def test_nul_byte_in_path_gives_404(sapp: Erlen) -> None:
    environ = raw_environ(PATH_INFO="/static/css/site.css\x00.txt")
    status, _headers, _body = call_wsgi(sapp, environ)
    assert status.startswith("404")
    with sapp.test_request_context(), pytest.raises(NotFound):
        send_from_directory(sapp.static_folder or "", "css/site.css\x00")


@pytest.mark.parametrize(
    "name",
    ["..", "../secret.txt", "/etc/passwd", "css/../../secret.txt", "C:\\x", "\\\\srv\\s", "a/NUL"],
)
def test_send_from_directory_refuses(sapp: Erlen, name: str) -> None:
    with sapp.test_request_context(), pytest.raises(NotFound):
        send_from_directory("static", name)


def test_send_from_directory_relative_to_root(sapp: Erlen) -> None:
    with sapp.test_request_context():
        rv = send_from_directory("static", "css/site.css", max_age=5)
        assert rv.headers["Cache-Control"] == "public, max-age=5"
        rv.close()

"""Erlen against Flask, Bottle, Falcon and a hand-written WSGI floor, in-process.

Every request is a direct WSGI call with a fresh environ (a copy of a per-endpoint template
and a new ``wsgi.input``); the response body is consumed and ``close()`` called, as a server
would. Each framework's answer to each endpoint is checked once before anything is timed, so a
broken endpoint shows as FAIL instead of posting a fast figure. Within each repeat the
frameworks are interleaved (for each endpoint, for each framework: time N calls) so that drift
on the machine spreads over all of them. A cell's figure is the minimum over the repeats (or,
with ``--stat median``, the median): on a shared VM the minimum is the repeatable one (in an
A/A run, two copies of one app differed by under 3 % in geometric mean with it, and by up to 8 %
with the median).

Run it with ``make bench`` from the repo root (which builds bench/.venv), or directly with
``bench/.venv/bin/python bench/run.py [--quick] [--repeats R] [--calls N]``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # so `apps.*` imports from any working directory

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# --- what a response is, and how endpoints check it -------------------------------------------


@dataclass
class Response:
    """One WSGI response, collected."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        """All values of a header, case-insensitively."""
        lower = name.lower()
        return [value for key, value in self.headers if key.lower() == lower]


class CheckFailed(Exception):
    """A framework answered an endpoint wrongly."""


Check = Callable[[Response], None]


def body_is(expected: bytes) -> Check:
    """The body must be exactly ``expected``."""

    def check(response: Response) -> None:
        if response.body != expected:
            raise CheckFailed(f"body {response.body[:200]!r}, expected {expected!r}")

    return check


def json_is(expected: Any) -> Check:
    """The body must be JSON equal to ``expected``, served as ``application/json``."""

    def check(response: Response) -> None:
        content_type = ";".join(response.header("Content-Type"))
        if not content_type.startswith("application/json"):
            raise CheckFailed(f"Content-Type {content_type!r}, expected application/json")
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            raise CheckFailed(f"body is not JSON ({exc}): {response.body[:200]!r}") from None
        if data != expected:
            raise CheckFailed(f"JSON {data!r}, expected {expected!r}")

    return check


def sets_cookie(name: str, value: str) -> Check:
    """A ``Set-Cookie`` header must set ``name`` to ``value``."""

    def check(response: Response) -> None:
        wanted = f"{name}={value}"
        cookies = response.header("Set-Cookie")
        if not any(c == wanted or c.startswith(wanted + ";") for c in cookies):
            raise CheckFailed(f"Set-Cookie {cookies!r}, expected {wanted}; ...")

    return check


def all_of(*checks: Check) -> Check:
    """Every one of ``checks`` must pass."""

    def check(response: Response) -> None:
        for one in checks:
            one(response)

    return check


# --- the endpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One request, sent identically to every framework, and what its answer must be.

    To add an endpoint: append it to ENDPOINTS, implement it in the apps under bench/apps/, and
    add its name to the sets in IMPLEMENTS of the frameworks that have it (others show "—").
    """

    name: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    check: Check | None = None
    description: str = ""

    def environ(self) -> dict[str, Any]:
        """The environ template; each timed call copies it and adds a fresh ``wsgi.input``."""
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": self.path,
            "QUERY_STRING": self.query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "54321",
            "HTTP_HOST": "localhost:8000",
            "HTTP_USER_AGENT": "erlen-bench/1.0",
            "HTTP_ACCEPT": "*/*",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate",
            "HTTP_CONNECTION": "keep-alive",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if self.body or self.method in {"POST", "PUT", "PATCH"}:
            env["CONTENT_LENGTH"] = str(len(self.body))
        if self.content_type:
            env["CONTENT_TYPE"] = self.content_type
        for name, value in self.headers.items():
            env["HTTP_" + name.upper().replace("-", "_")] = value
        return env


ECHO_DATA = {"name": "erlen", "count": 3, "items": [1, 2, 3], "nested": {"ok": True}}

UPLOAD_BOUNDARY = "----ErlenBenchBoundary7MA4YWxkTrZu0gW"
UPLOAD_BODY = (
    (
        f"--{UPLOAD_BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\nerlen\r\n'
        f"--{UPLOAD_BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="upload.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    + bytes(range(256)) * 4096
    + f"\r\n--{UPLOAD_BOUNDARY}--\r\n".encode()
)
# Every tenth value is percent-encoded, the rest plain, as a browser sends a long form.
FORM100_BODY = "&".join(
    f"field{i}=v%40lue+{i}" if i % 10 == 9 else f"field{i}=value+{i}" for i in range(100)
).encode()


def bench_session_cookie(data: dict[str, Any]) -> str:
    """A session cookie as Flask writes it (itsdangerous, salt ``cookie-session``, HMAC-SHA1,
    compact JSON), signed with the apps' SECRET_KEY when the run starts."""
    import hashlib

    from apps._assets import SECRET_KEY
    from itsdangerous import URLSafeTimedSerializer

    class CompactJSON:
        @staticmethod
        def dumps(obj: Any) -> str:
            return json.dumps(obj, separators=(",", ":"))

        loads = staticmethod(json.loads)

    return URLSafeTimedSerializer(
        SECRET_KEY,
        salt="cookie-session",
        serializer=CompactJSON,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).dumps(data)


def template_rendered() -> Check:
    """The 20-row table, rendered with autoescaping."""

    def check(response: Response) -> None:
        body = response.body
        if body.count(b"<tr><td>") != 20 or b"User &lt;19&gt; &amp; Co" not in body:
            raise CheckFailed(f"not the escaped 20-row table: {body[:300]!r}")
        if b"<friends>" in body or b"User <" in body:
            raise CheckFailed("the table is not autoescaped")

    return check


def session_saved() -> Check:
    """The view read count=1 from the session cookie and saved count=2 in a new one."""

    def check(response: Response) -> None:
        body_is(b"count=2")(response)
        cookies = response.header("Set-Cookie")
        if not any(c.startswith("session=") and len(c) > 40 for c in cookies):
            raise CheckFailed(f"no session cookie set: {cookies!r}")

    return check


def body_length(expected: int) -> Check:
    """The body must be ``expected`` bytes long."""

    def check(response: Response) -> None:
        if len(response.body) != expected:
            raise CheckFailed(f"body of {len(response.body)} bytes, expected {expected}")

    return check


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "text",
        "GET",
        "/",
        check=body_is(b"Hello, World!"),
        description="plain-text view",
    ),
    Endpoint(
        "json",
        "GET",
        "/json",
        check=json_is(
            {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}
        ),
        description="a small dict as JSON",
    ),
    Endpoint(
        "route",
        "GET",
        "/users/42/posts/7",
        check=body_is(b"user 42 post 7"),
        description="two int converters, the 26th of 50 look-alike dynamic routes",
    ),
    Endpoint(
        "query",
        "GET",
        "/search",
        query="q=erlen&page=2&sort=new&limit=20&lang=en",
        check=body_is(b"q=erlen page=2"),
        description="two of five query-string args read, one as int",
    ),
    Endpoint(
        "post_json",
        "POST",
        "/echo",
        body=json.dumps(ECHO_DATA).encode(),
        content_type="application/json",
        check=json_is(ECHO_DATA),
        description="a JSON body parsed and echoed",
    ),
    Endpoint(
        "form",
        "POST",
        "/form",
        body=b"name=Erlen+Bench&email=bench%40example.com&remember=on",
        content_type="application/x-www-form-urlencoded",
        check=body_is(b"Erlen Bench <bench@example.com>"),
        description="two of three urlencoded fields read",
    ),
    Endpoint(
        "cookie",
        "GET",
        "/cookie",
        headers={"Cookie": "session=abc123; theme=dark; lang=en"},
        check=all_of(body_is(b"theme=dark"), sets_cookie("last_theme", "dark")),
        description="one of three cookies read, one set",
    ),
    Endpoint(
        "not_found",
        "GET",
        "/no/such/page",
        status=404,
        description="no route matches",
    ),
    Endpoint(
        "upload",
        "POST",
        "/upload",
        body=UPLOAD_BODY,
        content_type=f"multipart/form-data; boundary={UPLOAD_BOUNDARY}",
        check=body_is(b"erlen upload.bin 1048576"),
        description="a 1 MiB multipart file upload and one field, the file read",
    ),
    Endpoint(
        "form100",
        "POST",
        "/form100",
        body=FORM100_BODY,
        content_type="application/x-www-form-urlencoded",
        check=body_is(b"100 value 0 v@lue 99"),
        description="a 100-field urlencoded form: all parsed, two read",
    ),
    Endpoint(
        "async_json",
        "GET",
        "/async-json",
        check=json_is(
            {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "active": True}
        ),
        description="the json view as `async def` (Flask runs it through asgiref)",
    ),
    Endpoint(
        "template",
        "GET",
        "/template",
        check=template_rendered(),
        description="a 20-row table rendered by Jinja2, autoescaped",
    ),
    Endpoint(
        "session",
        "GET",
        "/session",
        headers={"Cookie": f"session={bench_session_cookie({'count': 1})}"},
        check=session_saved(),
        description="a signed session cookie read, changed and written back",
    ),
    Endpoint(
        "static",
        "GET",
        "/static/bench-1mb.bin",
        check=body_length(1 << 20),
        description="a 1 MiB static file",
    ),
    Endpoint(
        "static_304",
        "GET",
        "/static/bench-1mb.bin",
        headers={"If-None-Match": "*"},
        status=304,
        check=body_is(b""),
        description="the same file with If-None-Match: * (a 304)",
    ),
)

#: Endpoints only the Flask-API apps have (Bottle and Falcon show "—").
ASYNC = frozenset({"async_json"})
#: Endpoints that need signed-cookie sessions, which Bottle and Falcon do not have.
SESSION = frozenset({"session"})
#: Bottle's static_file() compares If-None-Match to its ETag literally and ignores "*".
STATIC_304 = frozenset({"static_304"})
CORE = frozenset(e.name for e in ENDPOINTS) - ASYNC - SESSION - STATIC_304


# --- the frameworks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    """A contender: the module under bench/apps/ exposing ``app``, and whose versions to report."""

    name: str
    module: str
    distributions: tuple[str, ...] = ()


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("Erlen", "apps.erlen_app", ("erlen",)),
    Framework("Flask", "apps.flask_app", ("flask", "werkzeug")),
    Framework("Falcon", "apps.falcon_app", ("falcon",)),
    Framework("Bottle", "apps.bottle_app", ("bottle",)),
    Framework("floor", "apps.floor_app"),
)

#: Which endpoints each framework implements; a missing one shows as "—" and is not timed.
IMPLEMENTS: dict[str, frozenset[str]] = {
    "Erlen": CORE | ASYNC | SESSION | STATIC_304,
    "Flask": CORE | ASYNC | SESSION | STATIC_304,
    "Falcon": CORE | STATIC_304,
    "Bottle": CORE,
    "floor": CORE | SESSION | STATIC_304,
}


@dataclass
class Loaded:
    """A framework after its import: the app, or why there is none."""

    framework: Framework
    app: WSGIApp | None
    error: str = ""


def load(framework: Framework) -> Loaded:
    """Import a framework's app; an import failure is reported, not raised."""
    try:
        module = importlib.import_module(framework.module)
        app: WSGIApp = module.app
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return Loaded(framework, None, f"{type(exc).__name__}: {exc} ({where})")
    return Loaded(framework, app)


def erlen_differs_from_flask() -> str:
    """Erlen's app must be Flask's with only the import changed; what differs otherwise."""
    apps = HERE / "apps"
    try:
        flask_lines = (apps / "flask_app.py").read_text().splitlines()
        erlen_lines = (apps / "erlen_app.py").read_text().splitlines()
    except OSError as exc:
        return f"cannot compare erlen_app.py with flask_app.py: {exc}"
    expected = [line.replace("from flask import", "from erlen import") for line in flask_lines]
    if erlen_lines == expected:
        return ""
    return "apps/erlen_app.py is not apps/flask_app.py with only `from flask` -> `from erlen`"


# --- calling and timing -------------------------------------------------------------------------


def call(app: WSGIApp, environ: dict[str, Any]) -> Response:
    """One WSGI request, with the response collected and closed."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise CheckFailed("start_response was never called")
    return Response(int(started[0].split(" ", 1)[0]), list(started[1]), body)


def check(app: WSGIApp, endpoint: Endpoint) -> str:
    """Send ``endpoint`` once; the empty string if the answer is right, else what was wrong."""
    environ = endpoint.environ()
    environ["wsgi.input"] = io.BytesIO(endpoint.body)
    try:
        response = call(app, environ)
        if response.status != endpoint.status:
            raise CheckFailed(
                f"status {response.status}, expected {endpoint.status}: {response.body[:200]!r}"
            )
        if endpoint.check is not None:
            endpoint.check(response)
    except CheckFailed as exc:
        return str(exc)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    return ""


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return _write


def _write(data: bytes) -> None:
    pass


def time_calls(app: WSGIApp, template: dict[str, Any], body: bytes, calls: int) -> int:
    """Nanoseconds for ``calls`` requests, each with a fresh environ and body stream."""
    # PERF: everything the loop touches is a local, so the loop adds as little as it can to
    # every contender's figure (the floor shows what is left of it).
    copy = template.copy
    bytes_io = io.BytesIO
    start_response = _start_response
    gc.collect()
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        environ = copy()
        environ["wsgi.input"] = bytes_io(body)
        result = app(environ, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return time.perf_counter_ns() - t0


def _null_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b""]


# --- results ------------------------------------------------------------------------------------

MISSING = "—"
STATISTICS: dict[str, Callable[[list[float]], float]] = {"median": statistics.median, "min": min}


@dataclass
class Results:
    """The figures of one run, in µs per request, with what could not be measured and why."""

    endpoints: list[Endpoint]
    frameworks: list[Loaded]
    repeats: int
    calls: int
    stat: str = "min"
    samples: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    harness_us: float = 0.0

    @property
    def measured(self) -> list[str]:
        """The frameworks with at least one figure."""
        names = {framework for (_endpoint, framework) in self.samples}
        return [f.framework.name for f in self.frameworks if f.framework.name in names]

    def value(self, endpoint: str, framework: str, stat: str = "") -> float | None:
        """The cell's figure: its samples reduced by ``stat`` (the run's statistic by default)."""
        values = self.samples.get((endpoint, framework))
        if not values:
            return None
        return STATISTICS[stat or self.stat](values)

    def cell(self, endpoint: str, framework: str) -> str:
        loaded = next(f for f in self.frameworks if f.framework.name == framework)
        if loaded.app is None:
            return "n/a"
        if (endpoint, framework) in self.failures:
            return "FAIL"
        value = self.value(endpoint, framework)
        return MISSING if value is None else f"{value:.2f}"

    def common(self, names: Sequence[str]) -> list[str]:
        """Endpoints measured for every one of ``names``: the fair basis of a geometric mean."""
        return [
            e.name for e in self.endpoints if all(self.value(e.name, n) is not None for n in names)
        ]

    def geomean(self, framework: str, endpoints: Sequence[str], stat: str = "") -> float | None:
        values = [self.value(e, framework, stat) for e in endpoints]
        if not values or any(v is None for v in values):
            return None
        return math.exp(statistics.fmean(math.log(v) for v in values if v is not None))

    def paired_ratio(self, mine: str, theirs: str, endpoints: Sequence[str]) -> float | None:
        """The geometric mean over ``endpoints`` of the median over repeats of ``mine``'s time
        divided by ``theirs``' in the same repeat: the two ran within milliseconds of each
        other there, so a slow spell of the machine moves both."""
        medians = []
        for endpoint in endpoints:
            a, b = self.samples.get((endpoint, mine)), self.samples.get((endpoint, theirs))
            if not a or not b or len(a) != len(b):
                return None
            medians.append(statistics.median(x / y for x, y in zip(a, b, strict=True)))
        if not medians:
            return None
        return math.exp(statistics.fmean(math.log(m) for m in medians))

    def worst_spread(self) -> tuple[float, str]:
        """The largest (max - min) / median over the repeats of any cell, and which cell."""
        worst, where = 0.0, ""
        for (endpoint, framework), values in self.samples.items():
            if len(values) > 1:
                spread = (max(values) - min(values)) / statistics.median(values)
                if spread > worst:
                    worst, where = spread, f"{framework} {endpoint}"
        return worst, where


def measure(
    endpoints: list[Endpoint],
    frameworks: list[Loaded],
    repeats: int,
    calls: int,
    stat: str = "min",
) -> Results:
    """Check every (endpoint, framework) once, then time the good ones, interleaved."""
    results = Results(endpoints, frameworks, repeats, calls, stat)
    runnable: list[tuple[Endpoint, dict[str, Any], list[tuple[str, WSGIApp]]]] = []
    for endpoint in endpoints:
        apps: list[tuple[str, WSGIApp]] = []
        for loaded in frameworks:
            name = loaded.framework.name
            if loaded.app is None or endpoint.name not in IMPLEMENTS.get(name, frozenset()):
                continue
            problem = check(loaded.app, endpoint)
            if problem:
                results.failures[endpoint.name, name] = problem
                continue
            apps.append((name, loaded.app))
        runnable.append((endpoint, endpoint.environ(), apps))

    # Warm every path (imports done lazily, caches, the router built on first request).
    for endpoint, template, apps in runnable:
        for _name, app in apps:
            time_calls(app, template, endpoint.body, max(10, calls // 10))

    overhead: list[float] = []
    for repeat in range(repeats):
        overhead.append(time_calls(_null_app, ENDPOINTS[0].environ(), b"", calls) / calls / 1e3)
        for endpoint, template, apps in runnable:
            # Each repeat starts the round with the next framework, so none is always the
            # first after a change of endpoint (and the others always after it).
            shift = repeat % len(apps) if apps else 0
            for name, app in apps[shift:] + apps[:shift]:
                ns = time_calls(app, template, endpoint.body, calls)
                results.samples.setdefault((endpoint.name, name), []).append(ns / calls / 1e3)
        print(f"  repeat {repeat + 1}/{repeats} done", file=sys.stderr, flush=True)
    results.harness_us = STATISTICS[stat](overhead)
    return results


# --- reporting ----------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    return MISSING if a is None or b is None else f"{a / b:.2f}"


def tables(results: Results) -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    """The figures table and the ratios table, as header and rows of strings."""
    names = [f.framework.name for f in results.frameworks]
    common = results.common(results.measured)
    head = ["endpoint", *names]
    rows = [[e.name] + [results.cell(e.name, n) for n in names] for e in results.endpoints]
    means = [results.geomean(n, common) for n in names]
    rows.append(
        [f"geomean ({len(common)} endpoints)"]
        + [MISSING if m is None else f"{m:.2f}" for m in means]
    )
    # The other statistic's geometric means, to show how much the choice (and noise) matters.
    other = "min" if results.stat == "median" else "median"
    other_means = [results.geomean(n, common, other) for n in names]
    rows.append(
        [f"geomean of {other}s"] + [MISSING if m is None else f"{m:.2f}" for m in other_means]
    )

    others = [n for n in names if n != "Erlen"]
    ratio_head = ["endpoint"] + [f"Erlen/{n}" for n in others]
    ratio_rows = [
        [e.name]
        + [_ratio(results.value(e.name, "Erlen"), results.value(e.name, n)) for n in others]
        for e in results.endpoints
    ]
    erlen_mean = results.geomean("Erlen", common)
    ratio_rows.append(
        [f"geomean ({len(common)} endpoints)"]
        + [_ratio(erlen_mean, results.geomean(n, common)) for n in others]
    )
    return head, rows, ratio_head, ratio_rows


def targets(results: Results) -> list[tuple[bool | None, str]]:
    """The project's speed targets: (met, or None if they cannot be judged; explanation)."""
    loaded = {f.framework.name: f for f in results.frameworks}
    for name in ("Erlen", "Falcon", "Bottle"):
        framework = loaded.get(name)
        if framework is None or framework.app is None:
            why = "not in this run" if framework is None else f"unavailable ({framework.error})"
            reason = f"not judged: {name} {why}"
            return [
                (None, f"Erlen geomean <= Falcon geomean: {reason}"),
                (None, f"no Erlen endpoint slower than Bottle's: {reason}"),
            ]
    erlen_failed = sorted(e for (e, f) in results.failures if f == "Erlen")
    fails = f"Erlen FAILS {', '.join(erlen_failed)}" if erlen_failed else ""
    out: list[tuple[bool | None, str]] = []

    label = "Erlen geomean <= Falcon geomean"
    common = results.common(["Erlen", "Falcon"])
    erlen_mean, falcon_mean = results.geomean("Erlen", common), results.geomean("Falcon", common)
    if erlen_mean is None or falcon_mean is None:
        out.append((False if fails else None, f"{label}: {fails or 'no common endpoints'}"))
    else:
        figures = f"{erlen_mean:.2f} vs {falcon_mean:.2f} µs over {len(common)} endpoints"
        met = erlen_mean <= falcon_mean and not fails
        out.append((met, f"{label}: {figures}" + (f"; {fails}" if fails else "")))

    label = "no Erlen endpoint slower than Bottle's"
    slower = []
    for name in results.common(["Erlen", "Bottle"]):
        mine, theirs = results.value(name, "Erlen"), results.value(name, "Bottle")
        if mine is not None and theirs is not None and mine > theirs:
            slower.append(f"{name} {mine:.2f} > {theirs:.2f} µs")
    problems = [*slower, fails] if fails else slower
    detail = "; ".join(problems) if problems else "none is"
    out.append((not problems, f"{label}: {detail}"))
    return out


def text_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for row in [head, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    versions = [f"{dist} {_version(dist)}" for fw in FRAMEWORKS for dist in fw.distributions]
    try:
        revision = subprocess.run(
            ["git", "-C", str(HERE), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        revision = ""
    return [
        ("date", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("machine", platform.platform()),
        ("CPU", f"{cpu_model()}, {cores} cores ({usable} usable)"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
        ("Erlen revision", revision or "unknown (no commit yet)"),
    ]


def report(results: Results, env: list[tuple[str, str]]) -> tuple[str, str]:
    """The console report and the Markdown for RESULTS.md."""
    head, rows, ratio_head, ratio_rows = tables(results)
    checks = targets(results)
    spread, where = results.worst_spread()
    method = f"{results.stat} of {results.repeats} repeats x {results.calls} calls, lower is better"
    problems = [
        f"{f.framework.name}: unavailable: {f.error}" for f in results.frameworks if f.app is None
    ] + [f"{fw} {ep}: FAIL: {why}" for (ep, fw), why in results.failures.items()]
    if drift := erlen_differs_from_flask():
        problems.append(drift)
    marks = {True: "met", False: "NOT MET", None: "not judged"}
    notes = [
        f"The loop itself (fresh environ + body, a null app) costs {results.harness_us:.2f} µs "
        "per request; it is included in every figure, the floor's too.",
        f"Largest spread between repeats: {spread:.0%} ({where}).",
    ]
    common = results.common(["Erlen", "Falcon"])
    paired = results.paired_ratio("Erlen", "Falcon", common)
    if paired is not None:
        notes.append(
            f"Paired: Erlen's time divided by Falcon's in the same repeat (the two run within"
            f" milliseconds of each other, so a slow spell moves both), the median over the"
            f" repeats, geometric mean over the {len(common)} endpoints: {paired:.2f}. The"
            " target above is judged on the minimums, not on this."
        )

    console = [
        f"µs per request ({method})",
        text_table(head, rows),
        "",
        "Erlen's time divided by each other's (below 1.00: Erlen is faster)",
        text_table(ratio_head, ratio_rows),
        "",
        "Targets:",
        *[f"  [{marks[met]}] {text}" for met, text in checks],
        "",
        *notes,
    ]
    if problems:
        console += ["", "Problems:", *[f"  {p}" for p in problems]]

    markdown = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); see bench/README.md for what is measured. "
        "Each figure is one in-process WSGI request, in µs.",
        "",
        *[f"- **{key}**: {value}" for key, value in env],
        "",
        f"## µs per request ({method})",
        "",
        markdown_table(head, rows),
        "",
        "`n/a`: the framework did not import; `FAIL`: its answer was wrong, so it was not timed; "
        f"`{MISSING}`: not implemented. The geometric mean covers the endpoints every "
        "available framework answered.",
        "",
        "## Erlen's time divided by each other's (below 1.00: Erlen is faster)",
        "",
        markdown_table(ratio_head, ratio_rows),
        "",
        "## Targets",
        "",
        *[f"- **{marks[met]}**: {text}" for met, text in checks],
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in notes],
        "",
        "Endpoints:",
        "",
        *[
            f"- `{e.name}`: `{e.method} {e.path}{'?' + e.query if e.query else ''}`: "
            f"{e.description}"
            for e in results.endpoints
        ],
    ]
    if problems:
        markdown += ["", "## Problems", "", *[f"- {p}" for p in problems]]
    return "\n".join(console), "\n".join(markdown) + "\n"


# --- command line -------------------------------------------------------------------------------


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=_env_int("BENCH_REPEATS", 15),
        help="timed repeats per cell (default 7, env BENCH_REPEATS)",
    )
    parser.add_argument(
        "--calls",
        type=int,
        default=_env_int("BENCH_CALLS", 1000),
        help="requests per repeat per cell (default 2000, env BENCH_CALLS)",
    )
    parser.add_argument(
        "--stat",
        choices=sorted(STATISTICS),
        default=os.environ.get("BENCH_STAT") or "min",
        help="how a cell's repeats become its figure (default min, env BENCH_STAT)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 3 repeats x 200 calls (RESULTS.md is written only by full runs)",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated endpoints to run (default: all)"
    )
    parser.add_argument(
        "--frameworks", default="", help="comma-separated frameworks to run (default: all)"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="where to write the Markdown report"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if a framework fails to import or answer, or a target is not met",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.calls = 3, 200
    if args.repeats < 1 or args.calls < 1:
        parser.error("--repeats and --calls must be at least 1")
    # Only a full run (every endpoint, every framework, the usual repeats) replaces the
    # recorded figures; a partial run prints its table and leaves RESULTS.md alone.
    if args.output is None and not (args.quick or args.only or args.frameworks):
        args.output = HERE / "RESULTS.md"
    return args


def _select(wanted: str, names: Sequence[str], what: str) -> set[str]:
    if not wanted:
        return set(names)
    chosen = {w.strip() for w in wanted.split(",") if w.strip()}
    unknown = chosen - set(names)
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    endpoint_names = _select(args.only, [e.name for e in ENDPOINTS], "endpoints")
    framework_names = _select(args.frameworks, [f.name for f in FRAMEWORKS], "frameworks")
    endpoints = [e for e in ENDPOINTS if e.name in endpoint_names]
    frameworks = [load(f) for f in FRAMEWORKS if f.name in framework_names]
    for loaded in frameworks:
        if loaded.app is None:
            print(f"{loaded.framework.name}: UNAVAILABLE: {loaded.error}", file=sys.stderr)

    total = len(endpoints) * len(frameworks) * args.repeats * args.calls
    print(
        f"{len(endpoints)} endpoints x {len(frameworks)} frameworks, {args.repeats} repeats x "
        f"{args.calls} calls ({total} requests at most)",
        file=sys.stderr,
    )
    results = measure(endpoints, frameworks, args.repeats, args.calls, args.stat)
    env = environment()
    console, markdown = report(results, env)
    print()
    print("\n".join(f"{key}: {value}" for key, value in env))
    print()
    print(console)
    if args.output is not None:
        args.output.write_text(markdown, encoding="utf-8")
        print(f"\nwrote {args.output}")

    if args.strict:
        broken = results.failures or any(f.app is None for f in frameworks)
        unmet = any(met is not True for met, _ in targets(results))
        return 1 if broken or unmet else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

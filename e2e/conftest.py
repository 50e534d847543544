"""Fixtures for the browser tests: real servers in subprocesses, and headless Chromium.

Each application is served once per session by each server (the Erlen development server
through ``erlen run``, and gunicorn with two workers) on a free loopback port, from a fresh
instance folder, and stopped by its PID at the end. The browser is launched once; every test
gets its own browser context (so its own cookies). A failing test gets the tail of the server's
log in its report and a screenshot in ``e2e-artifacts/failures/``.

Environment: ``ERLEN_E2E_CHROMIUM`` (default ``/usr/bin/chromium``) and
``ERLEN_E2E_ARTIFACTS`` (default ``e2e-artifacts`` at the repository root).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = os.environ.get("ERLEN_E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ERLEN_E2E_ARTIFACTS", ROOT / "e2e-artifacts"))

# Headless Chromium on a machine with no network but loopback: without these flags it keeps
# trying to reach Google's services at start-up, and as root it refuses to run sandboxed.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]

#: How long a server may take to accept connections, and to stop after SIGTERM.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
#: Playwright's wait for an element or an action, and for a page load (milliseconds). A page of
#: a local server loads in milliseconds; these only bound how long a broken test hangs.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 15_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)

SERVERS = ("dev", "gunicorn")
LOG_TAIL_CHARS = 8_000


@dataclass
class LiveServer:
    """One server process serving one application on ``127.0.0.1:port``."""

    kind: str
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    instance_path: Path

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, with no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (which starts with ``/``) on this server."""
        return self.base_url + path

    def log(self) -> str:
        """What the server has printed so far (stdout and stderr together)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the server: SIGTERM to its process group (gunicorn's workers included), then
        SIGKILL if it has not exited within :data:`STOP_TIMEOUT` seconds."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command(kind: str, entry: str, port: int) -> list[str]:
    target = f"e2e_apps:{entry}()"
    if kind == "dev":
        return [
            sys.executable,
            "-m",
            "erlen",
            "--app",
            target,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-reload",
            "--no-debugger",
        ]
    if kind == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--graceful-timeout",
            "3",
            "--access-logfile",
            "-",
            *_gunicorn_control_socket_off(),
            target,
        ]
    raise ValueError(f"Unknown server {kind!r}: choose one of {SERVERS}.")


def _gunicorn_control_socket_off() -> list[str]:
    # gunicorn 25+ opens a control socket in ~/.gunicorn by default: one path shared by the
    # servers of this run (and by any other gunicorn on the machine), so turn it off.
    from gunicorn.config import Config  # type: ignore[import-untyped]

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def _wait_for_port(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"The {server.kind} server exited with code {server.process.returncode}"
                f" before accepting connections. Its log:\n{server.log()[-LOG_TAIL_CHARS:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"The {server.kind} server did not accept connections on port"
                    f" {server.port} within {timeout:.0f} s. Its log:\n"
                    f"{server.log()[-LOG_TAIL_CHARS:]}"
                ) from None
            time.sleep(0.05)


def start_server(kind: str, entry: str, workdir: Path) -> LiveServer:
    """Start ``e2e_apps:ENTRY()`` under the ``kind`` server with a fresh instance folder in
    ``workdir`` and wait until it accepts connections."""
    instance = workdir / "instance"
    instance.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ERLEN_", "FLASK_", "BLOG_")) or key.startswith("ERLEN_E2E_")
    }
    env.update(PYTHONUNBUFFERED="1", ERLEN_E2E_INSTANCE=str(instance))
    log_path = workdir / "server.log"
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _command(kind, entry, port),
            cwd=HERE,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole by its PID
        )
    server = LiveServer(kind, entry, port, process, log_path, instance)
    _wait_for_port(server, START_TIMEOUT)
    return server


@contextlib.contextmanager
def serving(
    kind: str, entry: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A started server for the session, stopped afterwards even when a test failed."""
    server = start_server(kind, entry, tmp_path_factory.mktemp(f"{entry}-{kind}"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=SERVERS)
def hello_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """``examples/hello`` served by each server in turn."""
    with serving(request.param, "hello", tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session", params=SERVERS)
def blog_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """``examples/blog`` served by each server in turn, with its own empty database."""
    with serving(request.param, "blog", tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots kept after the run (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, started once."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium from the system (Playwright never downloads a browser here)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No Chromium at {CHROMIUM}: run `make e2e` (it installs Debian's chromium), or set"
            " ERLEN_E2E_CHROMIUM to a Chromium or Chrome binary."
        )
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start sandboxed as root
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=args, timeout=30_000
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (empty cookie jar) for one test."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 800}, color_scheme="light")
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, context: BrowserContext, artifacts: Path
) -> Iterator[Page]:
    """A page in :func:`context`; a screenshot of it is kept when the test fails."""
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False) and not page.is_closed():
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        failures = artifacts / "failures"
        failures.mkdir(exist_ok=True)
        with contextlib.suppress(Exception):  # a screenshot must not hide the real failure
            page.screenshot(path=failures / f"{name}.png", full_page=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> t.Any:
    """On failure: mark the test (for :func:`page`) and add each server's log to the report."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[_FAILED] = True
        funcargs: dict[str, t.Any] = getattr(item, "funcargs", {})
        for value in funcargs.values():
            if isinstance(value, LiveServer):
                report.sections.append(
                    (f"{value.kind} server log ({value.app})", value.log()[-LOG_TAIL_CHARS:])
                )
    return report

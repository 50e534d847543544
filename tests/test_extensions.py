"""The application-factory and extension patterns (spec §1.17), with a small real extension.

``Pool`` behaves the way Flask-SQLAlchemy and Flask-Login do: it keeps no reference to an
app (one instance serves many), stores per-app state in ``app.extensions``, reads its
settings with ``config.get_namespace``, finds the app through ``current_app``, keeps the
per-context resource on ``g`` and releases it in ``teardown_appcontext``.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from functools import wraps

import pytest

from erlen import Erlen, current_app, g, request
from erlen.typing import ResponseReturnValue

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class Connection:
    """A pretend database connection."""

    def __init__(self, dsn: str, number: int) -> None:
        self.dsn = dsn
        self.number = number
        self.closed = False

    def close(self) -> None:
        self.closed = True


@dataclass
class _PoolState:
    dsn: str
    echo: bool
    opened: list[Connection] = field(default_factory=list)


class Pool:
    """A connection-per-context extension: ``pool = Pool(); pool.init_app(app)``."""

    def __init__(self, app: Erlen | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Erlen) -> None:
        app.config.setdefault("POOL_DSN", "memory://")
        app.config.setdefault("POOL_ECHO", False)
        settings = app.config.get_namespace("POOL_")
        if "pool" in app.extensions:
            raise RuntimeError("Pool is already set up on this app; call init_app() once.")
        app.extensions["pool"] = _PoolState(dsn=settings["dsn"], echo=settings["echo"])
        app.teardown_appcontext(self._release)

    @property
    def state(self) -> _PoolState:
        try:
            return t.cast(_PoolState, current_app.extensions["pool"])
        except KeyError:
            raise RuntimeError(
                "Pool is not set up on the current app; call pool.init_app(app) in create_app."
            ) from None

    @property
    def connection(self) -> Connection:
        """This context's connection, opened on first use."""
        if "_pool_connection" not in g:
            state = self.state
            g._pool_connection = Connection(state.dsn, len(state.opened) + 1)
            state.opened.append(g._pool_connection)
        return t.cast(Connection, g._pool_connection)

    def _release(self, exc: BaseException | None) -> None:
        connection = g.pop("_pool_connection", None)
        if connection is not None:
            connection.close()

    def requires_token(self, f: F) -> F:
        """A view decorator (async-aware, like Flask-Login's ``login_required``)."""

        @wraps(f)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if request.headers.get("X-Token") != "secret":
                return "forbidden", 403
            return current_app.ensure_sync(f)(*args, **kwargs)

        return t.cast(F, wrapper)


pool = Pool()


def create_app(test_config: dict[str, t.Any] | None = None) -> Erlen:
    """The application factory."""
    app = Erlen("factory_app")
    app.config.from_mapping(SECRET_KEY="dev")
    if test_config is not None:
        app.config.from_mapping(test_config)
    pool.init_app(app)

    @app.route("/")
    def index() -> ResponseReturnValue:
        return f"{pool.connection.dsn} #{pool.connection.number}"

    @app.route("/private")
    @pool.requires_token
    async def private() -> ResponseReturnValue:
        return "secret page"

    return app


def test_one_extension_instance_serves_two_apps() -> None:
    one = create_app({"POOL_DSN": "sqlite://one"})
    two = create_app({"POOL_DSN": "sqlite://two", "POOL_ECHO": True})
    assert "app" not in vars(pool)  # no reference to any app
    assert one.test_client().get("/").text == "sqlite://one #1"
    assert one.test_client().get("/").text == "sqlite://one #2"
    assert two.test_client().get("/").text == "sqlite://two #1"
    assert one.extensions["pool"] is not two.extensions["pool"]
    assert (one.extensions["pool"].echo, two.extensions["pool"].echo) == (False, True)


def test_teardown_closes_the_connection_even_after_an_error() -> None:
    app = create_app({"PROPAGATE_EXCEPTIONS": False})

    @app.route("/boom")
    def boom() -> ResponseReturnValue:
        pool.connection  # noqa: B018 - opens it
        raise ValueError("boom")

    client = app.test_client()
    client.get("/")
    assert client.get("/boom").status_code == 500
    opened = app.extensions["pool"].opened
    assert len(opened) == 2
    assert all(c.closed for c in opened)


def test_a_request_that_does_not_use_it_opens_nothing() -> None:
    app = create_app()

    @app.route("/plain")
    def plain() -> ResponseReturnValue:
        return "plain"

    app.test_client().get("/plain")
    assert app.extensions["pool"].opened == []


def test_connection_in_an_app_context_outside_requests() -> None:
    app = create_app()
    with app.app_context():
        connection = pool.connection
        assert pool.connection is connection
    assert connection.closed


def test_async_aware_decorator() -> None:
    client = create_app().test_client()
    assert client.get("/private").status_code == 403
    assert client.get("/private", headers={"X-Token": "secret"}).text == "secret page"


def test_use_without_init_app_is_a_clear_error() -> None:
    app = Erlen("bare")
    with app.app_context(), pytest.raises(RuntimeError, match="init_app"):
        pool.connection  # noqa: B018


def test_use_outside_a_context_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="outside of application context"):
        pool.connection  # noqa: B018


def test_init_app_twice_is_refused() -> None:
    app = create_app()
    with pytest.raises(RuntimeError, match="already set up"):
        pool.init_app(app)


def test_extension_given_the_app_in_the_constructor() -> None:
    app = Erlen("direct")
    Pool(app)
    assert app.extensions["pool"].dsn == "memory://"

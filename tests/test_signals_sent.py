"""Each of the ten signals of spec §1.19: when it is sent, by whom, with which arguments."""

from __future__ import annotations

import typing as t

import pytest

from erlen import Erlen, Response, flash, render_template_string, signals
from erlen.globals import _cv_request


def test_request_signals_carry_their_arguments(app: Erlen) -> None:
    got: dict[str, tuple[t.Any, dict[str, t.Any]]] = {}

    def recorder(name: str) -> t.Callable[..., None]:
        def receiver(sender: t.Any, **kwargs: t.Any) -> None:
            got[name] = (sender, kwargs)

        return receiver

    app.add_url_rule("/", "index", lambda: "ok")
    names = [
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
    ]
    receivers = [recorder(name) for name in names]
    with (
        signals.request_started.connected_to(receivers[0], app),
        signals.request_finished.connected_to(receivers[1], app),
        signals.request_tearing_down.connected_to(receivers[2], app),
        signals.appcontext_tearing_down.connected_to(receivers[3], app),
        signals.appcontext_pushed.connected_to(receivers[4], app),
        signals.appcontext_popped.connected_to(receivers[5], app),
    ):
        rv = app.test_client().get("/")
    assert set(got) == set(names)
    assert all(sender is app for sender, _ in got.values())
    assert got["request_started"][1] == {}
    assert got["request_finished"][1]["response"].data == rv.data
    assert got["request_tearing_down"][1] == {"exc": None}
    assert got["appcontext_tearing_down"][1] == {"exc": None}
    assert got["appcontext_pushed"][1] == {}
    assert got["appcontext_popped"][1] == {}


def test_exception_signals(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    error = ValueError("boom")
    got: list[tuple[str, t.Any]] = []

    @app.route("/")
    def index() -> str:
        raise error

    def on_exception(sender: Erlen, exception: Exception) -> None:
        got.append(("exception", exception))

    def on_teardown(sender: Erlen, exc: BaseException | None) -> None:
        got.append(("teardown", exc))

    with (
        signals.got_request_exception.connected_to(on_exception, app),
        signals.request_tearing_down.connected_to(on_teardown, app),
    ):
        assert app.test_client().get("/").status_code == 500
    assert got == [("exception", error), ("teardown", error)]


def test_signals_are_scoped_to_their_sender(app: Erlen) -> None:
    other = Erlen("other")
    other.add_url_rule("/", "index", lambda: "other")
    seen: list[t.Any] = []
    with signals.request_started.connected_to(lambda sender: seen.append(sender), app):
        other.test_client().get("/")
    assert seen == []


def test_template_signals(app: Erlen) -> None:
    got: list[tuple[str, t.Any, dict[str, t.Any]]] = []

    def before(sender: Erlen, template: t.Any, context: dict[str, t.Any]) -> None:
        got.append(("before", template, dict(context)))

    def rendered(sender: Erlen, template: t.Any, context: dict[str, t.Any]) -> None:
        got.append(("rendered", template, dict(context)))

    with (
        signals.before_render_template.connected_to(before, app),
        signals.template_rendered.connected_to(rendered, app),
        app.test_request_context(),
    ):
        assert render_template_string("{{ x }}", x=1) == "1"
    assert [name for name, _, _ in got] == ["before", "rendered"]
    assert got[0][1] is got[1][1]
    assert got[1][2]["x"] == 1


def test_message_flashed_arguments(app: Erlen) -> None:
    got: list[dict[str, t.Any]] = []
    with (
        signals.message_flashed.connected_to(lambda sender, **kw: got.append(kw), app),
        app.test_request_context(),
    ):
        flash("saved", "success")
    assert got == [{"message": "saved", "category": "success"}]


def test_async_receivers(app: Erlen) -> None:
    seen: list[str] = []

    async def receiver(sender: Erlen, **kwargs: t.Any) -> None:
        seen.append(f"async {_cv_request.get().request.path}")

    app.add_url_rule("/path", "index", lambda: "ok")
    with signals.request_started.connected_to(receiver, app):
        assert app.test_client().get("/path").text == "ok"
    assert seen == ["async /path"]


def test_receiver_that_raises_becomes_a_500(app: Erlen, caplog: pytest.LogCaptureFixture) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/", "index", lambda: "ok")

    def bad(sender: Erlen, **kwargs: t.Any) -> None:
        raise RuntimeError("receiver failed")

    with signals.request_finished.connected_to(bad, app):
        rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert "receiver failed" in caplog.text


def test_receiver_that_raises_propagates_in_testing(app: Erlen) -> None:
    app.add_url_rule("/", "index", lambda: "ok")

    def bad(sender: Erlen, **kwargs: t.Any) -> None:
        raise RuntimeError("receiver failed")

    with (
        signals.request_tearing_down.connected_to(bad, app),
        pytest.raises(RuntimeError, match="receiver failed"),
    ):
        app.test_client().get("/")


def test_no_receivers_means_no_send(app: Erlen, monkeypatch: pytest.MonkeyPatch) -> None:
    # The request path tests ``.receivers`` first, so a signal nobody listens to is not sent.
    def forbidden(*args: t.Any, **kwargs: t.Any) -> None:
        raise AssertionError("send() called without receivers")

    for name in (
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
        "got_request_exception",
    ):
        signal = getattr(signals, name)
        assert not signal.receivers
        monkeypatch.setattr(signal, "send", forbidden)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/", "index", lambda: "ok")
    app.add_url_rule("/boom", "boom", lambda: str(1 / 0))
    client = app.test_client()
    assert client.get("/").text == "ok"
    assert client.get("/boom").status_code == 500


def test_custom_signals_with_namespace(app: Erlen) -> None:
    ns = signals.Namespace()
    user_created = ns.signal("user-created")
    got: list[tuple[t.Any, dict[str, t.Any]]] = []
    with user_created.connected_to(lambda sender, **kw: got.append((sender, kw)), app):
        user_created.send(app, user="ann")
    user_created.send(app, user="ignored")  # disconnected again
    assert got == [(app, {"user": "ann"})]


def test_response_is_the_one_sent(app: Erlen) -> None:
    sent: list[Response] = []
    app.add_url_rule("/", "index", lambda: "ok")

    @app.after_request
    def tag(response: Response) -> Response:
        response.headers["X-Tag"] = "1"
        return response

    with signals.request_finished.connected_to(lambda s, response: sent.append(response), app):
        rv = app.test_client().get("/")
    assert sent[0].headers["X-Tag"] == rv.headers["X-Tag"] == "1"

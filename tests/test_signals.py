"""Signals sent around a request, in order, with their arguments."""

from __future__ import annotations

import typing as t

import pytest

from erlen import Erlen, Response, signals


def test_request_signals_in_order(app: Erlen) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[tuple[str, t.Any]] = []

    def recorder(name: str) -> t.Callable[..., None]:
        def receiver(sender: Erlen, **kwargs: t.Any) -> None:
            assert sender is app
            seen.append((name, sorted(kwargs)))

        return receiver

    receivers = {
        name: recorder(name)
        for name in (
            "appcontext_pushed",
            "request_started",
            "got_request_exception",
            "request_finished",
            "request_tearing_down",
            "appcontext_tearing_down",
            "appcontext_popped",
        )
    }
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, app)

    @app.route("/")
    def boom() -> str:
        raise ValueError("x")

    try:
        app.test_client().get("/")
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)
    assert [name for name, _ in seen] == [
        "appcontext_pushed",
        "request_started",
        "got_request_exception",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert dict(seen)["got_request_exception"] == ["exception"]
    assert dict(seen)["request_finished"] == ["response"]
    assert dict(seen)["request_tearing_down"] == ["exc"]


def test_message_flashed(app: Erlen) -> None:
    from erlen import flash

    got: list[tuple[str, str]] = []

    def receiver(sender: Erlen, message: str, category: str) -> None:
        got.append((message, category))

    signals.message_flashed.connect(receiver, app)
    try:
        with app.test_request_context():
            flash("hi", "info")
    finally:
        signals.message_flashed.disconnect(receiver)
    assert got == [("hi", "info")]


def test_namespace_for_custom_signals() -> None:
    ns = signals.Namespace()
    sig = ns.signal("custom")
    assert ns.signal("custom") is sig


def test_receiver_error_propagates(app: Erlen) -> None:
    def bad(sender: Erlen, **kwargs: t.Any) -> None:
        raise RuntimeError("receiver failed")

    signals.request_started.connect(bad, app)
    app.add_url_rule("/", "v", lambda: Response("ok"))
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            app.test_client().get("/")
    finally:
        signals.request_started.disconnect(bad)

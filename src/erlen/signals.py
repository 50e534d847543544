"""The signals Erlen sends, on blinker. Connect receivers with ``signal.connect(func, app)``.

Erlen checks ``signal.receivers`` before sending, so a signal nobody listens to costs a
single attribute test on the request path.
"""

from __future__ import annotations

from blinker import Namespace as Namespace

_signals = Namespace()

template_rendered = _signals.signal("template-rendered")
before_render_template = _signals.signal("before-render-template")
request_started = _signals.signal("request-started")
request_finished = _signals.signal("request-finished")
request_tearing_down = _signals.signal("request-tearing-down")
got_request_exception = _signals.signal("got-request-exception")
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
appcontext_pushed = _signals.signal("appcontext-pushed")
appcontext_popped = _signals.signal("appcontext-popped")
message_flashed = _signals.signal("message-flashed")

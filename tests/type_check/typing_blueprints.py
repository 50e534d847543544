"""Checked by mypy (not run): blueprint, class-based view and async decorators keep types."""

from __future__ import annotations

from typing import assert_type

from erlen import Blueprint, Erlen, Response
from erlen.blueprints import BlueprintSetupState
from erlen.typing import ResponseReturnValue, RouteCallable
from erlen.views import MethodView, View

app = Erlen(__name__)
bp = Blueprint("bp", __name__, url_prefix="/bp")


@bp.route("/")
def index() -> str:
    return "index"


@bp.get("/async")
async def async_index() -> dict[str, int]:
    return {"a": 1}


@bp.before_request
async def before() -> None:
    return None


@bp.before_app_request
def before_app() -> None:
    return None


@bp.after_app_request
def after_app(response: Response) -> Response:
    return response


@bp.teardown_app_request
async def teardown(exc: BaseException | None) -> None:
    return None


@bp.app_errorhandler(404)
async def missing(error: Exception) -> tuple[str, int]:
    return "missing", 404


@bp.app_template_filter("shout")
def shout(value: str) -> str:
    return value.upper()


@bp.app_context_processor
def processor() -> dict[str, int]:
    return {"x": 1}


def setup(state: BlueprintSetupState) -> None:
    assert_type(state.app, Erlen)
    assert_type(state.url_prefix, str | None)


bp.record(setup)
bp.record_once(setup)
app.register_blueprint(bp, url_prefix="/b", name="b")


class Hello(View):
    methods = ["GET"]

    def dispatch_request(self) -> ResponseReturnValue:
        return "hi"


class Items(MethodView):
    async def get(self) -> ResponseReturnValue:
        return "items"


hello_view = Hello.as_view("hello")
assert_type(hello_view, RouteCallable)
app.add_url_rule("/hello", view_func=hello_view)
app.add_url_rule("/items", view_func=Items.as_view("items"))

assert_type(index(), str)
assert_type(shout("a"), str)
assert_type(after_app(Response()), Response)

"""Register, log in and log out; ``g.user`` and :func:`login_required` for the other views."""

from __future__ import annotations

import functools
import re
import sqlite3
import typing as t

from erlen import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from erlen.security import check_password_hash, generate_password_hash
from erlen.typing import ResponseReturnValue

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")

P = t.ParamSpec("P")

USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,32}")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte-long password would be a cheap denial of service


@bp.before_app_request
def load_logged_in_user() -> None:
    """Set ``g.user`` to the logged-in user's row, or None."""
    user_id = session.get("user_id")
    g.user = None
    if isinstance(user_id, int):
        g.user = get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()


def login_required(view: t.Callable[P, ResponseReturnValue]) -> t.Callable[P, ResponseReturnValue]:
    """Send a visitor who is not logged in to the login page, and back here afterwards."""

    @functools.wraps(view)
    def wrapped_view(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if g.user is None:
            flash("Log in to do that.", "error")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped_view


@functools.cache
def dummy_hash(method: str) -> str:
    """A hash to check an unknown user's password against (made once per method)."""
    return generate_password_hash("not a password", method)


def is_safe_next(target: str) -> bool:
    """Whether ``target`` is a path on this site (``//evil.example`` and ``/\\evil`` are not)."""
    return target.startswith("/") and not target.startswith(("//", "/\\"))


@bp.route("/register", methods=("GET", "POST"))
def register() -> ResponseReturnValue:
    """Create an account, then go to the login page."""
    errors: dict[str, str] = {}
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not USERNAME_RE.fullmatch(username):
            errors["username"] = "3 to 32 letters, digits, dots, dashes or underscores."
        if len(password) < MIN_PASSWORD_LENGTH:
            errors["password"] = f"At least {MIN_PASSWORD_LENGTH} characters."
        elif len(password) > MAX_PASSWORD_LENGTH:
            errors["password"] = f"At most {MAX_PASSWORD_LENGTH} characters."
        if not errors:
            method = current_app.config["PASSWORD_HASH_METHOD"]
            db = get_db()
            try:
                db.execute(
                    "INSERT INTO user (username, password) VALUES (?, ?)",
                    (username, generate_password_hash(password, method)),
                )
                db.commit()
            except sqlite3.IntegrityError:
                errors["username"] = f"The name {username} is taken."
            else:
                flash("Your account is ready. Log in.", "success")
                return redirect(url_for("auth.login"))
    return render_template("auth/register.html", username=username, errors=errors), (
        400 if errors else 200
    )


@bp.route("/login", methods=("GET", "POST"))
def login() -> ResponseReturnValue:
    """Check the password and start a fresh session."""
    error = None
    username = request.form.get("username", "").strip()
    next_url = request.values.get("next", "")
    if request.method == "POST":
        password = request.form.get("password", "")
        user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        # One message and the same work for both cases, so nobody learns which names exist.
        stored = (
            dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
            if user is None
            else user["password"]
        )
        if not check_password_hash(stored, password) or user is None:
            error = "Incorrect username or password."
        else:
            session.clear()  # a new session for the new user: nothing carries over
            session["user_id"] = user["id"]
            flash(f"Welcome back, {user['username']}.", "success")
            return redirect(next_url if is_safe_next(next_url) else url_for("blog.index"))
    return render_template("auth/login.html", username=username, next_url=next_url, error=error), (
        401 if error else 200
    )


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (a POST with the CSRF token, so no other site can log you out)."""
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for("blog.index"))

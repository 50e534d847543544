"""SQLite through the standard library: one connection per application context."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3

import click

from erlen import Erlen, current_app, g
from erlen.cli import with_appcontext


def connect(database: str) -> sqlite3.Connection:
    """A connection that returns rows by column name and enforces foreign keys."""
    db = sqlite3.connect(database)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    return db


def get_db() -> sqlite3.Connection:
    """The connection of the current application context, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    db: sqlite3.Connection = g.db
    return db


def close_db(error: BaseException | None = None) -> None:
    """Close the context's connection, if one was opened."""
    db: sqlite3.Connection | None = g.pop("db", None)
    if db is not None:
        db.close()


def apply_schema(database: str, *, drop: bool = False) -> None:
    """Create the tables that are missing; with ``drop``, delete every table first."""
    folder = os.path.dirname(database)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(os.path.join(os.path.dirname(__file__), "schema.sql"), encoding="utf-8") as f:
        schema = f.read()
    with contextlib.closing(connect(database)) as db:
        if drop:
            db.executescript("DROP TABLE IF EXISTS post; DROP TABLE IF EXISTS user;")
        db.executescript(schema)


@click.command("init-db")
@click.option("--yes", is_flag=True, help="Do not ask before deleting every user and post.")
@with_appcontext
def init_db_command(yes: bool) -> None:
    """Delete all data and create empty tables (the blog creates them itself on first run)."""
    if not yes:
        click.confirm("Delete every user, post and upload?", abort=True)
    apply_schema(current_app.config["DATABASE"], drop=True)
    shutil.rmtree(current_app.config["UPLOAD_FOLDER"], ignore_errors=True)
    click.echo("Initialised the database.")


def init_app(app: Erlen) -> None:
    """Create missing tables now, close connections after each request, add ``init-db``."""
    apply_schema(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)

"""The instance folder, resources and the logger's default handler (spec §1.24, §1.25)."""

from __future__ import annotations

import io
import logging
import sys
import typing as t
from pathlib import Path

import pytest

from erlen import Erlen
from erlen.logging import default_handler


@pytest.fixture
def site_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``<prefix>/lib/python3.11/site-packages`` on ``sys.path``."""
    site = tmp_path / "prefix" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    return site


def test_default_instance_path_is_next_to_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a name that cannot be imported: the working directory
    assert Erlen("no_such_module_x").instance_path == str(tmp_path / "instance")
    here = Erlen(__name__)
    assert here.instance_path == str(Path(__file__).parent.parent / "instance")


def test_installed_package_uses_prefix_var(
    site_packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = site_packages / "installed_pkg_x"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (site_packages / "installed_mod_x.py").write_text("")
    monkeypatch.delitem(sys.modules, "installed_pkg_x", raising=False)
    monkeypatch.delitem(sys.modules, "installed_mod_x", raising=False)
    __import__("installed_pkg_x")
    __import__("installed_mod_x")
    prefix = site_packages.parents[2]
    assert Erlen("installed_pkg_x").instance_path == str(
        prefix / "var" / "installed_pkg_x-instance"
    )
    assert Erlen("installed_mod_x").instance_path == str(
        prefix / "var" / "installed_mod_x-instance"
    )


def test_instance_path_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="must be absolute"):
        Erlen("x", instance_path="relative/instance")


def test_instance_path_is_not_created(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    Erlen("x", instance_path=str(folder))
    assert not folder.exists()


def test_instance_relative_config(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("SECRET = 'from instance'\n")
    app = Erlen("x", instance_path=str(tmp_path), instance_relative_config=True)
    assert app.config.root_path == str(tmp_path)
    assert app.config.from_pyfile("settings.py")
    assert app.config["SECRET"] == "from instance"
    plain = Erlen("x", instance_path=str(tmp_path), root_path="/somewhere")
    assert plain.config.root_path == "/somewhere"


def test_open_instance_resource(tmp_path: Path) -> None:
    app = Erlen("x", instance_path=str(tmp_path))
    with app.open_instance_resource("notes.txt", "w") as f:
        f.write("héllo")
    with app.open_instance_resource("notes.txt") as f:
        assert f.read() == "héllo".encode()
    with app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "héllo"
    with app.open_instance_resource("notes.txt", "r", encoding="latin-1") as f:
        assert f.read() == "hÃ©llo"
    with pytest.raises(FileNotFoundError):
        app.open_instance_resource("missing.txt")


def test_open_resource(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("ça", encoding="utf-8")
    app = Erlen("x", root_path=str(tmp_path))
    with app.open_resource("schema.sql") as f:
        assert f.read() == "ça".encode()
    with app.open_resource("schema.sql", "r", encoding="utf-8") as f:
        assert f.read() == "ça"
    for mode in ("w", "a", "r+", "wb"):
        with pytest.raises(ValueError, match="only be opened for reading"):
            app.open_resource("schema.sql", mode)


# -- logging ----------------------------------------------------------------------------------
def _fresh_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    return logger


def test_default_handler_added_when_nothing_handles(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    _fresh_logger("log_app_a")
    app = Erlen("log_app_a")
    assert default_handler in app.logger.handlers
    app.logger.removeHandler(default_handler)


def test_default_handler_not_added_when_root_handles(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [logging.StreamHandler(io.StringIO())])
    _fresh_logger("log_app_b")
    assert default_handler not in Erlen("log_app_b").logger.handlers


def test_default_handler_added_when_existing_handler_is_too_strict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strict = logging.StreamHandler(io.StringIO())
    strict.setLevel(logging.CRITICAL)
    monkeypatch.setattr(logging.getLogger(), "handlers", [strict])
    _fresh_logger("log_app_c").setLevel(logging.INFO)
    app = Erlen("log_app_c")
    assert default_handler in app.logger.handlers
    app.logger.removeHandler(default_handler)


def test_dict_config_before_the_app_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging.config

    stream = io.StringIO()
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    _fresh_logger("log_app_d")
    config: dict[str, t.Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"mine": {"class": "logging.StreamHandler", "stream": stream}},
        "loggers": {"log_app_d": {"handlers": ["mine"], "level": "INFO"}},
    }
    logging.config.dictConfig(config)
    app = Erlen("log_app_d")
    assert default_handler not in app.logger.handlers
    app.logger.info("configured")
    assert "configured" in stream.getvalue()
    app.logger.handlers.clear()


def test_default_format_and_request_stream(app: Erlen, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    _fresh_logger("log_app_e")
    other = Erlen("log_app_e")
    buffer = io.StringIO()
    with other.test_request_context(errors_stream=buffer):
        other.logger.error("hello")
    other.logger.removeHandler(default_handler)
    line = buffer.getvalue()
    assert line.startswith("[")
    assert "] ERROR in test_instance: hello" in line

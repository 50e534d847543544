"""``Config`` loaders and ``ConfigAttribute``."""

from __future__ import annotations

import errno
import json
import os
import tomllib
import typing as t
from datetime import timedelta
from pathlib import Path

import pytest

from erlen.config import Config, ConfigAttribute

# -- ConfigAttribute -------------------------------------------------------------------------------


def _seconds(value: t.Any) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


class Holder:
    testing = ConfigAttribute[bool]("TESTING")
    lifetime = ConfigAttribute[timedelta]("LIFETIME", get_converter=_seconds)

    def __init__(self) -> None:
        self.config: dict[str, t.Any] = {"TESTING": False, "LIFETIME": 60}


def test_config_attribute_reads_and_writes_the_key() -> None:
    holder = Holder()
    assert holder.testing is False
    holder.testing = True
    assert holder.config["TESTING"] is True
    holder.config["TESTING"] = "yes"
    assert holder.testing == "yes"


def test_config_attribute_converts_on_read_only() -> None:
    holder = Holder()
    assert holder.lifetime == timedelta(seconds=60)
    holder.lifetime = 5
    assert holder.config["LIFETIME"] == 5
    assert holder.lifetime == timedelta(seconds=5)


def test_config_attribute_on_the_class_is_the_descriptor() -> None:
    descriptor = Holder.__dict__["testing"]
    assert Holder.testing is descriptor
    assert isinstance(Holder.testing, ConfigAttribute)
    assert Holder.testing.__name__ == "TESTING"
    assert Holder.testing.get_converter is None


def test_config_attribute_missing_key() -> None:
    holder = Holder()
    del holder.config["TESTING"]
    with pytest.raises(KeyError, match="TESTING"):
        _ = holder.testing


# -- Config basics ---------------------------------------------------------------------------------


def test_defaults_are_copied() -> None:
    defaults = {"A": 1}
    config = Config("/root", defaults)
    config["A"] = 2
    assert defaults == {"A": 1}
    assert config.root_path == "/root"
    assert Config("/root") == {}


def test_repr() -> None:
    assert repr(Config("/", {"DEBUG": True})) == "<Config {'DEBUG': True}>"

    class MyConfig(Config):
        pass

    assert repr(MyConfig("/")) == "<MyConfig {}>"


# -- from_mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "kwargs", "expected"),
    [
        ({"SECRET_KEY": "k", "lower": 1, "Mixed": 2}, {}, {"SECRET_KEY": "k"}),
        (None, {"DEBUG": True, "skip": 0}, {"DEBUG": True}),
        ({"A": 1}, {"A": 2, "B": 3}, {"A": 2, "B": 3}),
        ([("X_1", "x")], {}, {"X_1": "x"}),
        (None, {}, {}),
        ({"123": 1, "_": 2}, {}, {}),
    ],
)
def test_from_mapping(mapping: t.Any, kwargs: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    config = Config("/")
    assert config.from_mapping(mapping, **kwargs) is True
    assert config == expected


# -- from_object -----------------------------------------------------------------------------------


class _Settings:
    DEBUG = True
    SECRET_KEY = "abc"
    lower_case = "ignored"
    _PRIVATE_lower = "ignored"
    NAME_2 = "two"


def test_from_object_takes_uppercase_only() -> None:
    config = Config("/")
    config.from_object(_Settings)
    assert config == {"DEBUG": True, "SECRET_KEY": "abc", "NAME_2": "two"}
    instance = _Settings()
    instance.EXTRA = 1  # type: ignore[attr-defined]
    config.from_object(instance)
    assert config["EXTRA"] == 1


@pytest.fixture
def settings_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"erlen_cfg_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text(
        "HOST = 'example.org'\nport = 1\n\nclass Prod:\n    SECRET = 's'\n    lower = 'x'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [("", {"HOST": "example.org"}), (".Prod", {"SECRET": "s"}), (":Prod", {"SECRET": "s"})],
)
def test_from_object_imports_a_string(
    settings_module: str, suffix: str, expected: dict[str, t.Any]
) -> None:
    config = Config("/")
    config.from_object(settings_module + suffix)
    assert config == expected


@pytest.mark.parametrize("target", ["erlen_no_such_module_xyz", "erlen.config:NoSuchThing"])
def test_from_object_bad_import_string(target: str) -> None:
    with pytest.raises(ImportError, match="Cannot import"):
        Config("/").from_object(target)


# -- from_pyfile -----------------------------------------------------------------------------------


def test_from_pyfile_loads_uppercase_globals(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "import os\nSECRET_KEY = 'from file'\nDEBUG = True\nhelper = 1\n"
        "FILE = __file__\nITEMS = [i * 2 for i in range(3)]\n"
    )
    config = Config(tmp_path)
    assert config.from_pyfile("settings.py") is True
    assert config == {
        "SECRET_KEY": "from file",
        "DEBUG": True,
        "FILE": str(tmp_path / "settings.py"),
        "ITEMS": [0, 2, 4],
    }


def test_from_pyfile_absolute_path_ignores_root(tmp_path: Path) -> None:
    path = tmp_path / "abs.py"
    path.write_text("A = 1\n")
    config = Config("/somewhere/else")
    assert config.from_pyfile(path) is True
    assert config["A"] == 1


def test_from_pyfile_missing_file(tmp_path: Path) -> None:
    config = Config(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        config.from_pyfile("missing.py")
    message = str(info.value)
    assert "Unable to load configuration file (No such file or directory)" in message
    assert str(tmp_path / "missing.py") in message
    assert info.value.errno == errno.ENOENT


@pytest.mark.parametrize("name", ["missing.py", "a_dir", "not_a_dir.py/child.py"])
def test_from_pyfile_silent(tmp_path: Path, name: str) -> None:
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "not_a_dir.py").write_text("A = 1\n")
    config = Config(tmp_path)
    assert config.from_pyfile(name, silent=True) is False
    assert config == {}


def test_from_pyfile_directory_is_an_error_when_not_silent(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="Unable to load configuration file"):
        Config(tmp_path).from_pyfile(".")


def test_from_pyfile_syntax_error_is_not_silenced(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("A = (\n")
    config = Config(tmp_path)
    with pytest.raises(SyntaxError) as info:
        config.from_pyfile("bad.py", silent=True)
    assert info.value.filename == str(tmp_path / "bad.py")
    assert config == {}


def test_from_pyfile_error_inside_the_file_propagates(tmp_path: Path) -> None:
    # An OSError raised by the file's own code is not mistaken for "file missing".
    (tmp_path / "opens.py").write_text("A = 1\nopen('/nonexistent/erlen/x')\n")
    with pytest.raises(FileNotFoundError) as info:
        Config(tmp_path).from_pyfile("opens.py", silent=True)
    assert "Unable to load configuration file" not in str(info.value)


def test_from_pyfile_non_utf8_source(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n")
    config = Config(tmp_path)
    config.from_pyfile("latin.py")
    assert config["NAME"] == "été"
    (tmp_path / "broken.py").write_bytes(b"NAME = '\xff'\n")
    with pytest.raises(SyntaxError):
        config.from_pyfile("broken.py")


# -- from_envvar -----------------------------------------------------------------------------------


def test_from_envvar_loads_the_named_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "env_settings.py").write_text("FROM_ENV = 'yes'\n")
    monkeypatch.setenv("ERLEN_TEST_SETTINGS", str(tmp_path / "env_settings.py"))
    config = Config("/")
    assert config.from_envvar("ERLEN_TEST_SETTINGS") is True
    assert config == {"FROM_ENV": "yes"}


@pytest.mark.parametrize("value", [None, ""])
def test_from_envvar_unset(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("ERLEN_TEST_SETTINGS", raising=False)
    else:
        monkeypatch.setenv("ERLEN_TEST_SETTINGS", value)
    config = Config("/")
    with pytest.raises(RuntimeError, match="'ERLEN_TEST_SETTINGS' is not set") as info:
        config.from_envvar("ERLEN_TEST_SETTINGS")
    assert "Set it to the path of a configuration file" in str(info.value)
    assert config.from_envvar("ERLEN_TEST_SETTINGS", silent=True) is False


def test_from_envvar_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERLEN_TEST_SETTINGS", str(tmp_path / "nope.py"))
    config = Config("/")
    with pytest.raises(FileNotFoundError, match=r"nope\.py"):
        config.from_envvar("ERLEN_TEST_SETTINGS")
    assert config.from_envvar("ERLEN_TEST_SETTINGS", silent=True) is False


# -- from_prefixed_env -----------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("ERLEN_", "FLASK_", "MYAPP_")):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("8000", 8000),
        ("1.5", 1.5),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"quoted"', "quoted"),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ("plain text", "plain text"),
        ("/var/lib/app", "/var/lib/app"),
        ("{not json", "{not json"),
        ("True", "True"),
        ("", ""),
        ("s3cr3t\u00e9\u2603", "s3cr3t\u00e9\u2603"),
        ("line\nbreak", "line\nbreak"),
    ],
)
def test_from_prefixed_env_parses_json_or_keeps_text(
    clean_env: pytest.MonkeyPatch, raw: str, value: t.Any
) -> None:
    clean_env.setenv("ERLEN_VALUE", raw)
    config = Config("/")
    assert config.from_prefixed_env() is True
    assert config == {"VALUE": value}


def test_from_prefixed_env_prefixes(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ERLEN_A", "1")
    clean_env.setenv("FLASK_B", "2")
    clean_env.setenv("MYAPP_C", "3")
    clean_env.setenv("ERLENX_D", "4")
    clean_env.setenv("ERLEN", "5")

    config = Config("/")
    config.from_prefixed_env()
    assert config == {"A": 1}

    flask = Config("/")
    flask.from_prefixed_env("FLASK")
    assert flask == {"B": 2}

    mine = Config("/")
    mine.from_prefixed_env(prefix="MYAPP")
    assert mine == {"C": 3}


def test_from_prefixed_env_custom_loads(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ERLEN_X", "abc")
    clean_env.setenv("ERLEN_Y", "boom")

    def loads(value: str) -> t.Any:
        if value == "boom":
            raise ValueError(value)
        return value.upper()

    config = Config("/")
    config.from_prefixed_env(loads=loads)
    assert config == {"X": "ABC", "Y": "boom"}


def test_from_prefixed_env_nested(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ERLEN_DB__POOL__SIZE", "5")
    clean_env.setenv("ERLEN_DB__URL", '"sqlite://"')
    clean_env.setenv("ERLEN_EXISTING__NEW", "true")
    config = Config("/", {"EXISTING": {"OLD": 1}})
    config.from_prefixed_env()
    assert config == {
        "DB": {"POOL": {"SIZE": 5}, "URL": "sqlite://"},
        "EXISTING": {"OLD": 1, "NEW": True},
    }


def test_from_prefixed_env_sorted_order(clean_env: pytest.MonkeyPatch) -> None:
    # Sorted: ERLEN_DB comes before ERLEN_DB__PORT, so the nested key lands in its dict.
    clean_env.setenv("ERLEN_DB__PORT", "5432")
    clean_env.setenv("ERLEN_DB", '{"HOST": "h"}')
    config = Config("/")
    config.from_prefixed_env()
    assert config == {"DB": {"HOST": "h", "PORT": 5432}}


@pytest.mark.parametrize("existing", [5, "text", [1], None])
def test_from_prefixed_env_non_dict_in_the_way(
    clean_env: pytest.MonkeyPatch, existing: t.Any
) -> None:
    clean_env.setenv("ERLEN_DB__PORT", "1")
    config = Config("/", {"DB": existing})
    with pytest.raises(TypeError, match=r"Cannot apply ERLEN_DB__PORT: .*'DB'.*not a dict"):
        config.from_prefixed_env()


# -- from_file -------------------------------------------------------------------------------------


def test_from_file_json(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"SECRET_KEY": "j", "lower": 1}))
    config = Config(tmp_path)
    assert config.from_file("config.json", json.load) is True
    assert config == {"SECRET_KEY": "j"}


def test_from_file_binary_loader(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('SECRET_KEY = "t"\nPORT = 8000\nname = "x"\n')
    config = Config(tmp_path)
    assert config.from_file("config.toml", tomllib.load, text=False) is True
    assert config == {"SECRET_KEY": "t", "PORT": 8000}


def test_from_file_text_mode_matters(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("A = 1\n")
    with pytest.raises(TypeError):
        Config(tmp_path).from_file("config.toml", tomllib.load)


@pytest.mark.parametrize("name", ["missing.json", "folder", "file.json/child.json"])
def test_from_file_missing(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.json").write_text("{}")
    config = Config(tmp_path)
    assert config.from_file(name, json.load, silent=True) is False
    with pytest.raises(OSError, match=r"Unable to load configuration file \(.+\)") as info:
        config.from_file(name, json.load)
    assert str(tmp_path / name) in str(info.value)


def test_from_file_invalid_content(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(json.JSONDecodeError):
        Config(tmp_path).from_file("bad.json", json.load, silent=True)


def test_from_file_permission_error_not_silenced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise PermissionError(errno.EACCES, "Permission denied", args[0])

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(PermissionError, match="Unable to load configuration file"):
        Config(tmp_path).from_file("x.json", json.load, silent=True)
    with pytest.raises(PermissionError, match="Unable to load configuration file"):
        Config(tmp_path).from_pyfile("x.py", silent=True)


# -- get_namespace ---------------------------------------------------------------------------------


NAMESPACE_CONFIG = {
    "IMAGE_STORE_TYPE": "fs",
    "IMAGE_STORE_PATH": "/var/app/images",
    "IMAGE_STORE_BASE_URL": "http://img.website.com",
    "IMAGE_STOREX": "no underscore",
    "OTHER": 1,
}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {},
            {"type": "fs", "path": "/var/app/images", "base_url": "http://img.website.com"},
        ),
        (
            {"lowercase": False},
            {"TYPE": "fs", "PATH": "/var/app/images", "BASE_URL": "http://img.website.com"},
        ),
        (
            {"trim_namespace": False},
            {
                "image_store_type": "fs",
                "image_store_path": "/var/app/images",
                "image_store_base_url": "http://img.website.com",
            },
        ),
        (
            {"lowercase": False, "trim_namespace": False},
            {k: v for k, v in NAMESPACE_CONFIG.items() if k.startswith("IMAGE_STORE_")},
        ),
    ],
)
def test_get_namespace(kwargs: dict[str, bool], expected: dict[str, t.Any]) -> None:
    config = Config("/", NAMESPACE_CONFIG)
    assert config.get_namespace("IMAGE_STORE_", **kwargs) == expected


def test_get_namespace_no_match_and_copy() -> None:
    config = Config("/", {"A_X": [1]})
    assert config.get_namespace("B_") == {}
    result = config.get_namespace("A_")
    result["x"] = "changed"
    assert config["A_X"] == [1]

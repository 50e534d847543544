"""``app.config``: a dict that loads settings from files, objects and environment variables."""

from __future__ import annotations

import errno
import json
import os
import types
import typing as t

_T = t.TypeVar("_T")

# OSError numbers that ``silent=True`` treats as "there is no such file".
_MISSING_FILE_ERRNOS = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR})


class ConfigAttribute(t.Generic[_T]):
    """An attribute that reads and writes a config key.

    ``testing = ConfigAttribute[bool]("TESTING")`` on the application class makes
    ``app.testing`` read and write ``app.config["TESTING"]``.

    The owner must have a ``config`` mapping. ``get_converter`` turns the stored value into the
    type the attribute promises when it is read (an int of seconds into a timedelta, say).
    """

    def __init__(self, name: str, get_converter: t.Callable[[t.Any], _T] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: type[t.Any] | None = None) -> t.Self: ...

    @t.overload
    def __get__(self, obj: object, owner: type[t.Any] | None = None) -> _T: ...

    def __get__(self, obj: t.Any, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        if self.get_converter is not None:
            value = self.get_converter(value)
        return value

    def __set__(self, obj: t.Any, value: t.Any) -> None:
        obj.config[self.__name__] = value


class Config(dict[str, t.Any]):
    """The application's configuration: a dict, plus ways to fill it.

    Only UPPERCASE names are taken from objects, Python files and mappings, so a config module
    can use lowercase names for its own helpers. Relative file names are resolved against
    ``root_path`` (the application's root, or its instance folder with
    ``instance_relative_config=True``).
    """

    def __init__(
        self, root_path: str | os.PathLike[str], defaults: dict[str, t.Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by the environment variable ``variable_name``.

        Returns whether a file was loaded; with ``silent=True`` an unset variable or a missing
        file returns ``False`` instead of raising.
        """
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set, so no configuration"
                " could be loaded from it. Set it to the path of a configuration file, e.g."
                f" {variable_name}=/path/to/settings.py."
            )
        return self.from_pyfile(filename, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "ERLEN", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Load every environment variable that starts with ``{prefix}_``, prefix removed.

        Erlen's default prefix is ``ERLEN``; ``from_prefixed_env("FLASK")`` reads the
        variables Flask reads. Variables are applied in sorted order. Each value is parsed with
        ``loads`` (JSON by default, so ``ERLEN_PORT=8000`` is an int and ``ERLEN_DEBUG=true``
        a bool); a value ``loads`` rejects is kept as a string. A double underscore sets a key
        in a nested dict: ``ERLEN_SQLALCHEMY__POOL_SIZE=5`` sets
        ``config["SQLALCHEMY"]["POOL_SIZE"]``, creating the intermediate dicts that are missing.
        """
        prefix = f"{prefix}_"
        environ = os.environ
        for name in sorted(environ):
            if not name.startswith(prefix):
                continue
            raw = environ[name]
            try:
                value = loads(raw)
            except Exception:
                # Not valid for ``loads``: plain text such as a path or a secret.
                value = raw
            key = name[len(prefix) :]
            if "__" not in key:
                self[key] = value
                continue
            *parents, last = key.split("__")
            current: t.Any = self
            for part in parents:
                if part not in current:
                    current[part] = {}
                current = current[part]
                if not isinstance(current, dict):
                    raise TypeError(
                        f"Cannot apply {name}: the config value at {part!r} is a"
                        f" {type(current).__name__}, not a dict. Remove the conflicting"
                        " setting or rename the variable."
                    )
            current[last] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Run a Python file and load its UPPERCASE globals.

        The path is relative to :attr:`root_path`. Returns whether the file was loaded; with
        ``silent=True`` a missing file returns ``False``.
        """
        path = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        exec(compile(source, path, "exec"), module.__dict__)
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Load the UPPERCASE attributes of a module, class or object.

        A string is imported first (``"myapp.settings"`` or ``"myapp.settings:Production"``).
        """
        if isinstance(obj, str):
            from .utils import import_string

            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load the UPPERCASE keys of a mapping that ``load`` reads from a file.

        ``app.config.from_file("config.json", json.load)``, or
        ``from_file("config.toml", tomllib.load, text=False)`` for a loader that reads bytes.
        The path is relative to :attr:`root_path`. Returns whether the file was loaded; with
        ``silent=True`` a missing file returns ``False``.
        """
        path = os.path.join(self.root_path, filename)
        try:
            with open(path, "r" if text else "rb") as f:
                data = load(f)
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(data)

    def from_mapping(self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any) -> bool:
        """Load the UPPERCASE keys of ``mapping`` and of the keyword arguments; returns True."""
        items: dict[str, t.Any] = {}
        if mapping is not None:
            items.update(mapping)
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """The keys that start with ``namespace``, as a new dict.

        ``get_namespace("IMAGE_STORE_")`` turns ``IMAGE_STORE_PATH`` into ``path``; pass
        ``lowercase=False`` or ``trim_namespace=False`` to keep the keys as they are.
        """
        result: dict[str, t.Any] = {}
        size = len(namespace)
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            if trim_namespace:
                key = key[size:]
            if lowercase:
                key = key.lower()
            result[key] = value
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

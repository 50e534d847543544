"""Hatchling build hook: compiles the optional C module ``erlen._speedups``.

A wheel or an editable install (``pip install -e .``) gets the module when the machine can
compile it: CPython with its headers and a C compiler. Anywhere else, or with
``ERLEN_NO_SPEEDUPS`` set to any value, the build warns why (pip shows it with ``-v``) and
Erlen stays pure Python, with the same behaviour (docs/performance.md, "The compiled
decoder").
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src") / "erlen" / "_speedups.c"


def compile_speedups(root: Path) -> Path | str:
    """Compile the module next to its source; the path built, or why nothing was.

    A module left from an earlier build is removed first, so that a failed or skipped
    build never leaves stale compiled code to be imported. The compiler is CPython's own
    (sysconfig's ``LDSHARED``), or ``CC`` from the environment with ``CFLAGS`` added; a
    Python without ``LDSHARED`` (Windows) stays pure Python.
    """
    source = root / SOURCE
    for old in source.parent.glob("_speedups*.so"):
        old.unlink(missing_ok=True)
    if os.environ.get("ERLEN_NO_SPEEDUPS"):
        return "ERLEN_NO_SPEEDUPS is set"
    ldshared = sysconfig.get_config_var("LDSHARED")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if sys.implementation.name != "cpython" or not ldshared or not suffix:
        return "this Python has no C compiler configuration (LDSHARED)"
    target = source.with_name("_speedups" + suffix)
    linker = shlex.split(ldshared)
    if os.environ.get("CC"):  # the compiler asked for, with the linker's own options
        linker = [*shlex.split(os.environ["CC"]), *linker[1:]]
    paths = sysconfig.get_paths()
    includes = ["-I", paths["include"], "-I", paths["platinclude"]]
    flags = [
        "-O2",
        "-fPIC",
        "-Wall",
        "-Wextra",
        "-std=c11",
        *shlex.split(os.environ.get("CFLAGS", "")),
    ]
    command = [*linker, *flags, *includes, str(source), "-o", str(target)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except OSError as e:
        return f"the compiler could not be run ({e})"
    except subprocess.CalledProcessError as e:
        return f"the compiler failed:\n{e.stderr}"
    return target


class SpeedupsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds the compiled module to wheels (an editable install finds it in ``src/erlen``)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        built = compile_speedups(Path(self.root))
        if isinstance(built, str):
            self.app.display_warning(f"erlen._speedups not built, Erlen stays pure Python: {built}")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(built)] = f"erlen/{built.name}"

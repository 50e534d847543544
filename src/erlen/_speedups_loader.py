"""Finds the optional compiled functions of ``erlen._speedups`` (erlen/_speedups.c).

Each module that has a compiled twin of one of its functions asks for it here and keeps its
own Python version for when the answer is ``None``: the module was not built (no C compiler
at install time) or ``ERLEN_NO_SPEEDUPS`` is set, to any value, in the environment when
Erlen is imported.
"""

from __future__ import annotations

import importlib
import os
import typing as t


def compiled(name: str) -> t.Any:
    """The compiled function ``name``, or ``None``."""
    if os.environ.get("ERLEN_NO_SPEEDUPS"):
        return None
    try:
        module = importlib.import_module("erlen._speedups")
    except ImportError:
        return None
    return getattr(module, name, None)  # None from a module built before ``name`` existed

"""What the template, session and static endpoints share across the apps.

The 20-row table's data (with characters that autoescaping must escape), the templates
folder, the session's secret, and a 1 MiB static file written once to a temporary folder
(so that no binary file lives in the repository).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_DIR = os.path.join(HERE, "templates")
SECRET_KEY = "erlen-bench-secret"

ROWS: list[dict[str, Any]] = [
    {
        "id": i,
        "name": f"User <{i}> & Co",
        "email": f"user{i}@example.com",
        "note": f"\"quoted\" 'note' {i}",
    }
    for i in range(20)
]
TITLE = "Users & <friends>"

STATIC_NAME = "bench-1mb.bin"
STATIC_DATA = bytes(range(256)) * 4096
STATIC_DIR = os.path.join(tempfile.gettempdir(), "erlen-bench-static")


def _write_static() -> None:
    path = os.path.join(STATIC_DIR, STATIC_NAME)
    try:
        if os.path.getsize(path) == len(STATIC_DATA):
            return
    except OSError:
        pass
    os.makedirs(STATIC_DIR, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(STATIC_DATA)
    os.replace(tmp, path)


_write_static()

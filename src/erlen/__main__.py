"""``python -m erlen``: the ``erlen`` command."""

from .cli import main

main()

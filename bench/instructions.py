"""Instructions per request, counted by valgrind's callgrind: a figure that noise cannot move.

On a shared 2-core machine timings swing by 20 % or more between runs; the number of machine
instructions a request executes does not (with a fixed ``PYTHONHASHSEED``). This counts them
for bench/run.py's endpoints, for any of its frameworks::

    bench/.venv/bin/python bench/instructions.py                 # every endpoint, every framework
    bench/.venv/bin/python bench/instructions.py --only text,json --frameworks Erlen,Falcon

Each figure is (instructions of a run with N requests - those of a run with none) / N, after
the same warm-up in both, so start-up and lazy set-up cancel out. Fewer instructions is faster
on any machine, though not in proportion: it leaves out cache misses and allocation costs. Use
it to tell whether a change helps; use run.py for the µs figures that go in RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the endpoint table and frameworks live there)

_COLLECTED = re.compile(r"Collected : (\d+)")


def child(framework: str, endpoint: str, calls: int) -> None:
    """Run inside valgrind: warm up, then make ``calls`` requests."""
    loaded = run.load(next(f for f in run.FRAMEWORKS if f.name == framework))
    if loaded.app is None:
        raise SystemExit(loaded.error)
    spec = next(e for e in run.ENDPOINTS if e.name == endpoint)
    template = spec.environ()
    body = spec.body

    def one() -> None:
        environ = dict(template)
        environ["wsgi.input"] = run.io.BytesIO(body)
        run.call(loaded.app, environ)  # type: ignore[arg-type]

    for _ in range(50):
        one()
    for _ in range(calls):
        one()


def count(framework: str, endpoint: str, calls: int) -> int:
    """Instructions of one child run under callgrind."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        framework,
        endpoint,
        str(calls),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{framework} {endpoint}: {done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(framework: str, endpoint: str, calls: int) -> int:
    """Instructions per request, net of start-up and warm-up."""
    return (count(framework, endpoint, calls) - count(framework, endpoint, 0)) // calls


def main(argv: list[str] | None = None) -> int:
    """Print a table of thousands of instructions per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--frameworks", default="", help="comma-separated framework names")
    parser.add_argument("--calls", type=int, default=300, help="requests per counted run")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at once")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    frameworks = [f.name for f in run.FRAMEWORKS]
    if args.frameworks:
        frameworks = [name for name in args.frameworks.split(",") if name in frameworks]
    endpoints = [e.name for e in run.ENDPOINTS]
    if args.only:
        endpoints = [name for name in args.only.split(",") if name in endpoints]
    cells = [
        (f, e) for e in endpoints for f in frameworks if e in run.IMPLEMENTS.get(f, frozenset())
    ]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        counted = dict(
            zip(cells, pool.map(lambda c: per_request(*c, args.calls), cells), strict=True)
        )
    head = ["endpoint", *frameworks]
    rows = [
        [e, *(f"{counted[f, e] / 1000:.1f}" if (f, e) in counted else "—" for f in frameworks)]
        for e in endpoints
    ]
    print("thousands of instructions per request (callgrind, PYTHONHASHSEED=0)")
    print(run.text_table(head, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

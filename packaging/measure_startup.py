"""Measure how fast pmsdesk starts, for one or more installations side by side.

    python packaging/measure_startup.py source=.venv/bin/pmsdesk bundle=dist/pmsdesk/pmsdesk [--runs 5]

For each installation (LABEL=COMMAND) it prepares a demo clinic database with that installation's
``pmsdesk demo``, then times, from launch to exit, the median of ``--runs`` runs after one warm-up:
``--version``; ``--self-test``; and ``--exit-after-first-window`` on the demo database, which ends the
app as soon as its first window (the sign-in dialog) has been painted: the time to a window on screen.
Qt runs offscreen; the logs go to a temporary folder. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed_run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - started


def median_seconds(command: list[str], env: dict[str, str], runs: int) -> float:
    timed_run(command, env)  # warm-up: the file cache, Python's bytecode cache, fontconfig's cache
    return statistics.median(timed_run(command, env) for _ in range(runs))


def measure(executable: str, folder: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMSDESK_LOG_DIR": str(folder / "logs")}
    database = folder / "demo.sqlite3"
    subprocess.run([executable, "demo", "--patients", "30", "--database", str(database)], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    return {
        "--version": median_seconds([executable, "--version"], env, runs),
        "--self-test": median_seconds([executable, "--self-test"], env, runs),
        "first window": median_seconds([executable, "--database", str(database), "--exit-after-first-window"],
                                       env, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("installations", nargs="+", metavar="LABEL=COMMAND")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    for installation in args.installations:
        label, _, executable = installation.partition("=")
        with tempfile.TemporaryDirectory(prefix="pmsdesk-startup-") as folder:
            results[label] = measure(str(Path(executable).resolve()), Path(folder), args.runs)
    measurements = list(next(iter(results.values())))
    print(f"| median of {args.runs} runs (s) | " + " | ".join(measurements) + " |")
    print("|---|" + "---:|" * len(measurements))
    for label, seconds in results.items():
        print(f"| {label} | " + " | ".join(f"{seconds[name]:.2f}" for name in measurements) + " |")


if __name__ == "__main__":
    main()

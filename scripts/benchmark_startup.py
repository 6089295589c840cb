"""Time `llmpick recommend` on the bundled catalog against importing its four main libraries.

Run: python scripts/benchmark_startup.py [--runs 15]
The target is a ratio within 1.3: llmpick's own work should cost little beyond the
imports every run pays anyway. The first llmpick run fills the catalog cache and is
not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BASELINE = [sys.executable, "-c", "import typer, rich.table, pydantic, yaml"]
TARGET = [sys.executable, "-m", "llmpick", "recommend", "--profile", "cn-customer-service"]


def median_seconds(command: list[str], runs: int, environment: dict[str, str]) -> float:
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    # pip byte-compiles a package it installs; an editable install, or a shell with
    # PYTHONDONTWRITEBYTECODE set, would instead compile llmpick's sources on every run.
    import llmpick

    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(llmpick.__file__)], check=True)
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "LLMPICK_CACHE_DIR": cache, "HF_HUB_DISABLE_TELEMETRY": "1"}
        subprocess.run(TARGET, check=True, stdout=subprocess.DEVNULL, env=environment)  # fill the cache
        baseline = median_seconds(BASELINE, arguments.runs, environment)
        target = median_seconds(TARGET, arguments.runs, environment)
    print(f"imports baseline: {baseline:.3f} s (median of {arguments.runs})")
    print(f"llmpick recommend: {target:.3f} s (median of {arguments.runs})")
    print(f"ratio: {target / baseline:.2f} (target: at most 1.30)")
    return 0 if target / baseline <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time one cspace command under two installs, runs interleaved, and print both medians.

    python benchmarks/ab.py 25 main=/tmp/venv-main/bin/python branch=.venv/bin/python \\
        -- company tianbing --json

Interleaving (A, B, A, B ...) spreads a busy machine's noise over both sides alike, which
``run.py``'s case-by-case order does not; a change whose cost is a few percent needs it.
Each install gets one untimed warm-up run (which builds its index cache, if the
environment gives it one), and every run is a whole process with stdout to /dev/null.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def timed(python: str, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-m", "cspace_cli", *args], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    cut = argv.index("--")
    runs, installs, args = int(argv[0]), dict(a.split("=", 1) for a in argv[1:cut]), argv[cut + 1 :]
    for python in installs.values():
        timed(python, args)
    times: dict[str, list[float]] = {label: [] for label in installs}
    for _ in range(runs):
        for label, python in installs.items():
            times[label].append(timed(python, args))
    cells = [
        f"{label} {statistics.median(t) * 1000:.0f} ms (min {min(t) * 1000:.0f})"
        for label, t in times.items()
    ]
    print(f"`cspace {' '.join(args)}`, {runs} runs: " + ", ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Start-up cost: ``import theory`` and ``imagination bound --json`` against ``import numpy, scipy``.

Each contender is a fresh interpreter (wall time of the whole process), interleaved, medians of
repeats. The aim (issue 10): both ratios at most 3.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from _timing import interleaved, ratio_line

BOUND = ["-m", "theory.cli", "bound", "--gamma", "0.9", "--horizon", "inf", "--lip-dyn", "0.5", "--lip-rew", "1",
         "--lip-pi", "0.5", "--eps-dyn", "0.01", "--eps-rew", "0.02", "--json"]


def run(args: list[str]) -> None:
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)


def main(repeats: int = 9) -> dict[str, float]:
    times = interleaved({
        "numpy+scipy": lambda: run(["-c", "import numpy, scipy"]),
        "import theory": lambda: run(["-c", "import theory"]),
        "imagination bound --json": lambda: run(BOUND),
    }, repeats)
    for name, t in times.items():
        print(f"{name:<26} median {1e3 * statistics.median(t):7.1f} ms")
    print(ratio_line("import theory / import numpy, scipy", times["import theory"], times["numpy+scipy"]))
    print(ratio_line("imagination bound --json / import numpy, scipy", times["imagination bound --json"],
                     times["numpy+scipy"]))
    return {k: statistics.median(v) for k, v in times.items()}


if __name__ == "__main__":
    main()

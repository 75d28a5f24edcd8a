"""A command -> its wall time, CPU time and peak RSS, measured in a fresh wrapper process.

    from measure import measure; run = measure(["hugo", "--quiet"], cwd=site)

Used by build_bench.py and peer_bench.py. getrusage(RUSAGE_CHILDREN).ru_maxrss is a running
maximum over every child a process has waited for, so a benchmark that ran several builds as
its own children would report the largest of them for each. Instead each run gets its own
wrapper (a tiny `python -c` process) that runs the command as its only child and reports its
own RUSAGE_CHILDREN: the peak is that run's own, its CPU time counts the command and every
process the command waited for (forked workers included), and its wall time starts after the
wrapper's own start-up. The peak is the largest single process of the run (Linux keeps the
largest child's, not the sum of processes alive at once).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

WRAPPER = """\
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kib": usage.ru_maxrss}))
"""
"""Runs argv[1:] as its only child; prints its measurement as the last line of its stdout."""


@dataclass(frozen=True, slots=True)
class Measured:
    """One run of a command."""

    wall: float
    """Seconds from the command's start to its end."""
    cpu: float
    """User + system seconds of the command and the processes it waited for."""
    peak_kib: int
    """The largest resident set of any one process of the run, KiB."""
    stdout: str
    """What the command printed on stdout."""
    stderr: str
    """What the command printed on stderr."""

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def measure(command: Sequence[str], cwd: Path) -> Measured:
    """Run `command` in `cwd` inside a fresh wrapper process; SystemExit when it fails."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, *command], cwd=cwd,
                          capture_output=True, text=True, check=False)
    head, _, last = done.stdout.rstrip("\n").rpartition("\n")
    try:
        facts = json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"measuring wrapper failed for {' '.join(command)}:\n"
                         f"{done.stdout}{done.stderr}") from None
    if facts["code"] != 0:
        raise SystemExit(f"{' '.join(command)} exited with {facts['code']}:\n"
                         f"{head}\n{done.stderr[-4000:]}")
    return Measured(float(facts["wall"]), float(facts["cpu"]), int(facts["peak_kib"]),
                    head, done.stderr)


def median(runs: Sequence[Measured]) -> Measured:
    """Each figure's median over `runs` (figure by figure); the output of the median-wall run."""
    middle = sorted(runs, key=lambda run: run.wall)[(len(runs) - 1) // 2]
    return Measured(
        statistics.median(run.wall for run in runs),
        statistics.median(run.cpu for run in runs),
        int(statistics.median(run.peak_kib for run in runs)),
        middle.stdout,
        middle.stderr,
    )

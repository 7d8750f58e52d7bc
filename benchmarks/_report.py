"""Helpers shared by the benchmark scripts: machine description and the
section-by-section update of docs/benchmarks.md."""

import os
import platform
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
BENCHMARKS_MD = DOCS / "benchmarks.md"
PREAMBLE = ("# Benchmarks\n\nEvery number on this page comes from a script in `benchmarks/`; "
            "each section gives the command and date that produced it. Ratios compare "
            "timings taken in the same run on the same machine.\n\n")


def cpu_name():
    try:
        text = Path("/proc/cpuinfo").read_text()
        return re.search(r"model name\s*:\s*(.*)", text).group(1).strip()
    except (OSError, AttributeError):
        return platform.processor() or "unknown CPU"


def machine():
    return f"{cpu_name()}, {os.cpu_count()} cores"


def write_section(section, path=BENCHMARKS_MD):
    """Replace the section whose first line is `section`'s heading (or append it)."""
    path = Path(path)
    marker = section.splitlines()[0]
    text = path.read_text() if path.exists() else PREAMBLE
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + section.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.write_text(text)
    return path


def best_of(fn, repeats, clock=None):
    """Shortest time of `repeats` calls (the least disturbed run), by `clock`
    (default wall time, time.perf_counter)."""
    import time

    clock = clock or time.perf_counter
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def best_cpu_time_of(fn, repeats):
    """Shortest process CPU time of `repeats` calls: other load on the machine
    inflates wall time but hardly CPU time (all threads of this process count)."""
    import time

    return best_of(fn, repeats, clock=time.process_time)


def progress(iterable, desc, total=None, unit="run"):
    """`iterable` behind a tqdm bar (with the time left) when stderr is a
    terminal and tqdm is installed; as it is elsewhere (make bench's logs, CI),
    where the scripts' own per-step lines are the record."""
    import sys

    if not sys.stderr.isatty():
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            total = None
    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False, dynamic_ncols=True)

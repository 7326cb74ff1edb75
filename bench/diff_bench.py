"""`datatenet diff` of two 200,000-sample Alpaca JSONL versions, against pandas and Oxen.

Builds the versions from ../shared/data (Alpaca demo files, en + zh), about 170 MB each, with 2%
of the samples edited in the second version. Every tool runs as a whole process (interpreter
start and imports included), timed wall-clock with the peak resident memory of its process
tree, on all cores and pinned to one core:

  - `datatenet diff OLD NEW --checks none`, as a user runs it. With more than one core it parses
    the two files in two processes at once (formats/load.py: load_files);
  - pandas: `read_json(lines=True)` on both files and an outer merge on all columns, in one
    process; and the same with the two files read in two processes at once, as datatenet does;
  - Oxen (PyPI `oxenai`, Rust and polars): `oxen.diff(OLD, NEW)`, which compares raw rows: an
    edited sample is one row removed and one added, where datatenet pairs them as modified by
    their prompt. Its polars engine uses every core it is given.

The pinned runs compare the tools on equal hardware: one core each. Runs are interleaved; each
figure is the median (min-max) of --repeat runs. The tools' results are cross-checked (exit 1
when they disagree): pandas' rows only in the old file = datatenet's removed + modified, only in
the new = added + modified, in both = unchanged; Oxen's removed and added rows the same.

Usage: python bench/diff_bench.py [--samples 200000] [--repeat 5] [--no-oxen]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from spread import Spread, cross_check, ratio

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "llama_factory"
WORK = ROOT / "bench" / "_work"

PANDAS = """
import json, sys, pandas as pd
keys = ["instruction", "input", "output"]
if sys.argv[3] == "two-processes":
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        first = pool.submit(pd.read_json, sys.argv[1], lines=True)
        b = pd.read_json(sys.argv[2], lines=True)
        a = first.result()
else:
    a = pd.read_json(sys.argv[1], lines=True)
    b = pd.read_json(sys.argv[2], lines=True)
merged = a.merge(b, on=keys, how="outer", indicator=True)
print(json.dumps({k: int(v) for k, v in merged["_merge"].value_counts().items()}))
"""

OXEN = """
import json, sys, oxen
data = oxen.diff(sys.argv[1], sys.argv[2]).get().data
print(json.dumps(dict(data["_oxen_diff_status"].value_counts().iter_rows())))
"""


def build(samples: int, edited_share: float = 0.02) -> tuple[Path, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    old, new = WORK / f"alpaca_{samples}_v1.jsonl", WORK / f"alpaca_{samples}_v2.jsonl"
    if old.exists() and new.exists():
        return old, new
    pool: list[dict[str, str]] = []
    for name in ("alpaca_en_demo.json", "alpaca_zh_demo.json"):
        pool.extend(json.loads((SHARED / name).read_text(encoding="utf-8")))
    rng = random.Random(7)
    edited = set(rng.sample(range(samples), int(samples * edited_share)))
    with old.open("w", encoding="utf-8") as f_old, new.open("w", encoding="utf-8") as f_new:
        for i in range(samples):
            first, second = pool[i % len(pool)], pool[(i * 7 + 3) % len(pool)]
            output = first["output"]
            if len(output) < 250:  # pad short answers: about 850 bytes a sample, as in the issue
                output += "\n\n" + second["output"][:250]
            row = {
                "instruction": f"{first['instruction']} (variant {i})",
                "input": first["input"],
                "output": output,
            }
            f_old.write(json.dumps(row, ensure_ascii=False) + "\n")
            if i in edited:
                row = dict(row, output=row["output"] + " (revised)")
            f_new.write(json.dumps(row, ensure_ascii=False) + "\n")
    return old, new


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(command: list[str], cores: set[int] | None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS of the whole process tree (sampled every 10 ms), and stdout;
    `cores` pins the process (and its children) to those CPUs."""
    pin: Callable[[], None] | None = None
    if cores is not None:

        def pin() -> None:
            os.sched_setaffinity(0, cores)

    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=pin)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, _ = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with status {process.returncode}")
    return elapsed, peak, out


def commands(old: Path, new: Path, oxen: bool) -> dict[str, list[str]]:
    python = sys.executable
    tools = {
        "datatenet diff": [
            python,
            "-m",
            "datatenet",
            "diff",
            str(old),
            str(new),
            "--checks",
            "none",
        ],
        "pandas, one process": [python, "-c", PANDAS, str(old), str(new), "one-process"],
        "pandas, two processes": [python, "-c", PANDAS, str(old), str(new), "two-processes"],
    }
    if oxen:
        tools["Oxen (oxenai), raw rows"] = [python, "-c", OXEN, str(old), str(new)]
    return tools


def cross_checks(old: Path, new: Path, outputs: dict[str, str]) -> None:
    diff = [sys.executable, "-m", "datatenet", "diff", str(old), str(new), "--checks", "none"]
    done = subprocess.run([*diff, "--json"], capture_output=True, text=True, check=True)
    document = json.loads(done.stdout)
    ours = document["summary"]
    removed, added = ours["removed"] + ours["modified"], ours["added"] + ours["modified"]
    print(
        f"datatenet: {ours['unchanged']:,} unchanged, {ours['modified']:,} modified, "
        f"{ours['added']:,} added, {ours['removed']:,} removed"
    )
    for name, out in outputs.items():
        if name.startswith("pandas"):
            counts = json.loads(out)
            got = (counts.get("left_only", 0), counts.get("right_only", 0), counts.get("both", 0))
            want = (removed, added, ours["unchanged"])
            cross_check(
                got == want and removed > 0,
                f"{name}: rows only in the old file, only in the new, in both = {got}",
                [f"datatenet: {want}"],
            )
        elif name.startswith("Oxen"):
            counts = json.loads(out)
            got = (counts.get("removed", 0), counts.get("added", 0), counts.get("modified", 0))
            cross_check(
                got == (removed, added, 0) and removed > 0,
                f"{name}: rows removed, added, modified = {got}",
                [f"datatenet removed + modified, added + modified: {(removed, added)}"],
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-oxen", action="store_true", help="leave Oxen out")
    args = parser.parse_args()
    old, new = build(args.samples)
    size = old.stat().st_size + new.stat().st_size
    cores = os.sched_getaffinity(0)
    print(
        f"files: {old.name} + {new.name}: {size / 1e6:.0f} MB, {args.samples:,} samples each; "
        f"{len(cores)} cores"
    )
    tools = commands(old, new, not args.no_oxen)
    settings = {"all cores": None, "one core": {min(cores)}}
    times: dict[tuple[str, str], list[float]] = {}
    peaks: dict[tuple[str, str], list[int]] = {}
    outputs: dict[str, str] = {}
    for _ in range(args.repeat):  # interleaved: a busy machine slows every tool alike
        for setting, pinned in settings.items():
            for name, command in tools.items():
                elapsed, peak, out = run(command, pinned)
                times.setdefault((name, setting), []).append(elapsed)
                peaks.setdefault((name, setting), []).append(peak)
                outputs[name] = out
    cross_checks(old, new, outputs)
    total = 2 * args.samples
    for setting in settings:
        print(f"{setting} (median (min-max) of {args.repeat} runs; peak RSS of the process tree):")
        ours = Spread(tuple(times[("datatenet diff", setting)]))
        for name in tools:
            spread = Spread(tuple(times[(name, setting)]))
            peak = Spread(tuple(p / 1e6 for p in peaks[(name, setting)]))
            line = f"  {name:26s} {spread.show()}, peak {peak.show('MB', digits=0)}"
            if name == "datatenet diff":
                rate = Spread(tuple(total / t for t in spread.values))
                share = peak.median * 1e6 / size
                line += f", {rate.show('samples/s', digits=0)}, {share:.2f}x the files"
            else:
                line += f"; datatenet speed-up {ratio(spread, ours).times()}"
            print(line)


if __name__ == "__main__":
    main()

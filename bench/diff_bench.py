"""[F1] benchmark: `datatenet diff` on two 200,000-sample Alpaca JSONL versions vs pandas.

Builds the versions from ../shared/data (Alpaca demo files, en + zh), about 170 MB each, with 2%
of the samples edited in the second version. Measures, in the same run:
  - `datatenet diff OLD NEW` end to end (a subprocess, as a user runs it): wall time, samples/s,
    peak resident memory;
  - the baseline `pandas.read_json(lines=True)` on both files plus an outer merge.

Usage: python bench/diff_bench.py [--samples 200000] [--repeat 3]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "llama_factory"
WORK = ROOT / "bench" / "_work"

PANDAS_BASELINE = """
import sys, pandas as pd
a = pd.read_json(sys.argv[1], lines=True)
b = pd.read_json(sys.argv[2], lines=True)
keys = ["instruction", "input", "output"]
merged = a.merge(b, on=keys, how="outer", indicator=True)
counts = merged["_merge"].value_counts()
print(dict(counts))
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


def timed(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS of the whole process tree (sampled every 10 ms), and stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old, new = build(args.samples)
    size = old.stat().st_size + new.stat().st_size
    print(f"files: {old.name} + {new.name}: {size / 1e6:.0f} MB, {args.samples:,} samples each")

    ours = [
        timed([sys.executable, "-m", "datatenet", "diff", str(old), str(new), "--checks", "none"])
        for _ in range(args.repeat)
    ]
    best = min(ours, key=lambda r: r[0])
    print(best[2].rstrip())
    theirs = [
        timed([sys.executable, "-c", PANDAS_BASELINE, str(old), str(new)])
        for _ in range(max(1, args.repeat - 1))
    ]
    base = min(theirs, key=lambda r: r[0])
    total = 2 * args.samples
    print(
        f"datatenet diff : {best[0]:.2f} s wall (best of {args.repeat}), "
        f"{total / best[0]:,.0f} samples/s, peak RSS {best[1] / 1e6:.0f} MB "
        f"= {best[1] / size:.2f}x the two files (process tree, sampled)"
    )
    print(
        f"pandas baseline: {base[0]:.2f} s wall (best of {len(theirs)}), "
        f"peak RSS {base[1] / 1e6:.0f} MB; result {base[2].strip()}"
    )
    print(f"speed-up over pandas: {base[0] / best[0]:.1f}x")


if __name__ == "__main__":
    main()

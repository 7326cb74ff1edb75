"""[HOOKS] benchmark: the cost of the hooks when nothing relevant is staged, and of history.

1. `datatenet check` with only a code file staged, in a repository whose dataset has 20,000
   samples: the pre-commit hook every commit pays. Target: at most 0.3 s wall.
2. `datatenet blame data/train.jsonl` over 50 data commits of a 20,000-sample dataset (each adds
   about 100 samples, edits 20, removes 10): cold (id cache cleared: every version parsed) and
   warm (every version in the id cache). Targets: 30 s cold, 3 s warm.
   `datatenet log` is timed alongside.
Every figure is the median (min-max) of --repeat runs (each cold run after clearing the cache).
Cross-check (exit 1): warm blame and log print what the cold ones did, and blame attributes
every sample of the last version.

Usage: python bench/hooks_bench.py [--samples 20000] [--commits 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from spread import Spread, cross_check

WORK = Path(__file__).resolve().parent / "_work" / "hooks"
DATATENET = [sys.executable, "-m", "datatenet"]
BEHAVIOURS = (
    "When a request is ambiguous, ask one clarifying question before answering.",
    "Cite the policy section that an answer relies on.",
    "Refuse to promise delivery dates that the order system does not show.",
)


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = run(command, cwd)
    return time.perf_counter() - start, out


def cold_and_warm(root: Path, command: list[str], repeat: int) -> tuple[Spread, Spread, str]:
    """`command` after clearing the caches, then again warm, `repeat` times each; the output."""
    colds, warms, outputs = [], [], set()
    for _ in range(repeat):
        run([*DATATENET, "cache", "clear"], root)
        for times in (colds, warms):
            seconds, out = timed(command, root)
            times.append(seconds)
            outputs.add(out)
    cross_check(len(outputs) == 1, f"`{' '.join(command[3:])}` prints the same cold and warm")
    return Spread(tuple(colds)), Spread(tuple(warms)), outputs.pop()


def sample(i: int, revision: int = 0) -> str:
    answer = f"Answer {i}: " + "step by step, " * (i % 7) + "done."
    if revision:
        answer += f" (revised {revision})"
    record = {
        "instruction": f"Question {i}: how do I handle case {i % 97} of order {i}?",
        "input": "",
        "output": answer,
    }
    return json.dumps(record)


def build(root: Path, samples: int, commits: int) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "data").mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], root)
    run(["git", "config", "user.email", "bench@example.com"], root)
    run(["git", "config", "user.name", "bench"], root)
    rng = random.Random(1)
    rows = dict.fromkeys(range(samples - commits * 90), 0)  # id -> revision
    next_id = max(rows) + 1
    (root / "app.py").write_text("print('hello')\n")
    for number in range(commits):
        if number:
            for victim in rng.sample(sorted(rows), 10):
                del rows[victim]
            for edited in rng.sample(sorted(rows), 20):
                rows[edited] += 1
            for _ in range(100):
                rows[next_id] = 0
                next_id += 1
        text = "\n".join(sample(i, revision) for i, revision in rows.items()) + "\n"
        (root / "data" / "train.jsonl").write_text(text)
        statement = BEHAVIOURS[number % len(BEHAVIOURS)]
        run(["git", "add", "-A"], root)
        run(["git", "commit", "-q", "-m", f"Data {number}\n\nReinforces: {statement}"], root)
    print(f"built {root}: {commits} data commits, {len(rows)} samples in the last version")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = WORK / "repo"
    build(root, args.samples, args.commits)

    (root / "app.py").write_text("print('changed')\n")
    run(["git", "add", "app.py"], root)
    checks = Spread(tuple(timed([*DATATENET, "check"], root)[0] for _ in range(args.repeat)))
    print(f"check, nothing relevant staged: {checks.show(digits=3)} (target <= 0.3 s)")
    run(["git", "reset", "-q", "app.py"], root)

    cold, warm, out = cold_and_warm(root, [*DATATENET, "blame", "data/train.jsonl"], args.repeat)
    print(
        f"blame over {args.commits} data commits: cold {cold.show()} (target <= 30 s), "
        f"warm {warm.show()} (target <= 3 s)"
    )
    samples = len((root / "data" / "train.jsonl").read_text().splitlines())
    attributed = sum(1 for line in out.splitlines() if "data/train.jsonl:" in line)
    cross_check(attributed == samples, f"blame attributes all {samples:,} samples")
    cold, warm, _ = cold_and_warm(root, [*DATATENET, "log"], args.repeat)
    print(f"log over {args.commits} data commits: cold {cold.show()}, warm {warm.show()}")


if __name__ == "__main__":
    main()

"""[F2] benchmark: `datatenet diff` between revisions of a 200,000-sample dataset, in git and DVC.

For each storage (a file committed to git; the same file tracked with `dvc add`):
  1. commit v1, then v2 with 2% of the samples edited (bench/diff_bench.py builds them);
  2. cold:   `datatenet cache clear`, then `datatenet diff HEAD~1 HEAD`;
  3. warm:   the same diff again (both versions in the id cache);
  4. staged: edit 1,000 samples, stage them (`git add` / `dvc add` + `git add`), then
             `datatenet diff --staged` with the base version cached.
Targets: warm at least 5x faster than cold; staged at most 0.6x the cold time.
Every figure is the median (min-max) of --repeat runs. Cross-checks (exit 1): the diffs count
the samples the bench edited (2% of them between the revisions, 1,000 staged), the same in git
and DVC, and a warm diff reports what the cold one did.

Usage: python bench/repo_bench.py [--samples 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_bench import WORK, build
from spread import Spread, cross_check, ratio

DATATENET = [sys.executable, "-m", "datatenet"]
DVC = [sys.executable, "-m", "dvc"]
NO_CHECKS = ["--checks", "none"]  # the diff itself; the analyses have their own benches


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return done.stdout


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = run(command, cwd)
    return time.perf_counter() - start, out


def make_repo(root: Path, storage: str, v1: Path, v2: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], root)
    run(["git", "config", "user.email", "bench@example.com"], root)
    run(["git", "config", "user.name", "bench"], root)
    (root / "data").mkdir()
    if storage == "dvc":
        run([*DVC, "init", "-q"], root)
    for version, message in ((v1, "v1"), (v2, "v2: 2% edited")):
        shutil.copyfile(version, root / "data" / "train.jsonl")
        if storage == "dvc":
            run([*DVC, "add", "-q", "data/train.jsonl"], root)
        run(["git", "add", "-A"], root)
        run(["git", "commit", "-q", "-m", message], root)


def edit_and_stage(root: Path, storage: str, count: int) -> None:
    path = root / "data" / "train.jsonl"
    lines = path.read_bytes().split(b"\n")
    step = max(1, len(lines) // count)
    for index in range(0, step * count, step):
        row = json.loads(lines[index])
        row["output"] += " (staged edit)"
        lines[index] = json.dumps(row, ensure_ascii=False).encode()
    path.write_bytes(b"\n".join(lines))
    if storage == "dvc":
        run([*DVC, "add", "-q", "data/train.jsonl"], root)
    run(["git", "add", "-A"], root)


def counted(root: Path, *spec: str) -> dict[str, int]:
    """The summary of a diff, from its JSON document (an untimed run)."""
    out = run([*DATATENET, "diff", *spec, "--json", *NO_CHECKS], root)
    summary: dict[str, int] = json.loads(out)["summary"]
    return {k: summary[k] for k in ("unchanged", "added", "removed", "modified")}


def report(out: str) -> list[str]:
    """A diff's report without the verbose line on parsing and caches."""
    return [line for line in out.splitlines() if not line.startswith("versions parsed")]


def bench(storage: str, v1: Path, v2: Path, repeat: int, samples: int) -> list[dict[str, int]]:
    root = WORK / f"repo_{storage}"
    make_repo(root, storage, v1, v2)
    colds, warms = [], []
    diff = [*DATATENET, "diff", "HEAD~1", "HEAD", "--verbose", *NO_CHECKS]
    for _ in range(repeat):
        run([*DATATENET, "cache", "clear"], root)
        cold, out = timed(diff, root)
        warm, warm_out = timed(diff, root)
        colds.append(cold)
        warms.append(warm)
        cross_check(report(out) == report(warm_out), f"[{storage}] warm diff = cold diff")
    cold_s, warm_s = Spread(tuple(colds)), Spread(tuple(warms))
    summary = next(line for line in out.splitlines() if "unchanged" in line).strip()
    print(f"[{storage}] HEAD~1..HEAD: {summary}")
    print(f"[{storage}] cold: {cold_s.show()}  ({out.strip().splitlines()[-1]})")
    print(f"[{storage}] warm: {warm_s.show()}  ({warm_out.strip().splitlines()[-1]})")
    print(f"[{storage}] warm is {ratio(cold_s, warm_s).times()} faster than cold (target >= 5x)")
    between = counted(root, "HEAD~1", "HEAD")
    edited = int(samples * 0.02)
    cross_check(
        between == {"unchanged": samples - edited, "added": 0, "removed": 0, "modified": edited},
        f"[{storage}] the diff counts the {edited:,} samples edited between the revisions",
        [between],
    )
    edit_and_stage(root, storage, 1000)
    staged_times = []
    for _ in range(repeat):
        # The base (HEAD) stays cached; the staged version is parsed each time.
        run([*DATATENET, "cache", "clear"], root)
        run([*DATATENET, "diff", "HEAD~1", "HEAD", *NO_CHECKS], root)
        staged, staged_out = timed([*DATATENET, "diff", "--staged", "--verbose", *NO_CHECKS], root)
        staged_times.append(staged)
    staged_s = Spread(tuple(staged_times))
    summary = next(line for line in staged_out.splitlines() if "unchanged" in line).strip()
    print(f"[{storage}] --staged after editing 1,000 samples: {summary}")
    share = Spread(tuple(s / c for s, c in zip(staged_times, colds, strict=True)))
    print(
        f"[{storage}] staged: {staged_s.show()} = {share.show('x the cold time')} (target <= 0.6x)"
    )
    staged_counts = counted(root, "--staged")
    cross_check(
        staged_counts["modified"] == 1000 and staged_counts["added"] == 0,
        f"[{storage}] the staged diff counts the 1,000 samples edited",
        [staged_counts],
    )
    return [between, staged_counts]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--storage", choices=("git", "dvc", "both"), default="both")
    args = parser.parse_args()
    v1, v2 = build(args.samples)
    storages = ("git", "dvc") if args.storage == "both" else (args.storage,)
    counts = {s: bench(s, v1, v2, args.repeat, args.samples) for s in storages}
    if len(counts) == 2:
        cross_check(counts["git"] == counts["dvc"], "git and DVC count the same changes")


if __name__ == "__main__":
    main()

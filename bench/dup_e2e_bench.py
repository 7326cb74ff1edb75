"""End to end: the duplicate and conflict checks of a commit adding 200 samples to a
20,000-sample dataset.

Setup (once, slow: it embeds 40,000 texts): a git repository whose data/train.jsonl holds
20,000 samples built from the real datasets in ../shared/data (Alpaca en/zh, ShareGPT zh,
GSM8K), committed; `datatenet scan` then warms the caches for these existing samples
(MinHash signatures, embeddings) and a first diff the id cache of HEAD.

Measured, --repeat times, each time with 200 new samples never seen before appended and staged:
  - `datatenet diff --staged --checks all` end to end (duplicate tiers and conflicts): the
    staged file is parsed, the new samples' signatures and embeddings computed; only the
    existing samples come from the caches;
  - the time to embed the 200 new samples' prompts and answers alone: a fresh process that
    loads the same model and encodes those 400 texts (what no cache can save);
  - their difference: everything the checks cost besides loading the model and embedding the
    new texts (target: at most 5 s);
  - for reference, the same diff once more: fully warm (the staged file's parse, the new
    signatures and embeddings all cached), which no first run of a commit gets.
Figures are the median (min-max) over the runs. Cross-check (exit 1): the warm diff reports the
same changes and findings as the first one, and the change adds the new samples.

Usage: python bench/dup_e2e_bench.py [--existing 20000] [--new 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from spread import Spread, cross_check

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work"
DATATENET = [sys.executable, "-m", "datatenet"]

EMBED_NEW = """
import json, sys, time
start = time.perf_counter()
from datatenet.embeddings.st import SentenceTransformerEmbedder
texts = json.load(open(sys.argv[1]))
SentenceTransformerEmbedder().embed(texts)
print(time.perf_counter() - start)
"""


def pool() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name in ("alpaca_en_demo.json", "alpaca_zh_demo.json"):
        for row in json.loads((SHARED / "llama_factory" / name).read_text("utf-8")):
            pairs.append((f"{row['instruction']}\n{row['input']}".strip(), row["output"]))
    for line in (SHARED / "medicalgpt" / "sharegpt_zh_1K_format.jsonl").open(encoding="utf-8"):
        turns = json.loads(line)["conversations"]
        if len(turns) >= 2:
            pairs.append((turns[0]["value"][:2000], turns[1]["value"][:2000]))
    gsm8k = SHARED / "msft_foundry_samples" / "text_gsm8k" / "chat_train.jsonl"
    for line in gsm8k.open(encoding="utf-8"):
        messages = json.loads(line)["messages"]
        pairs.append((messages[1]["content"], messages[2]["content"]))
    return pairs


def samples(count: int, seed: int) -> list[dict[str, Any]]:
    """Distinct samples: a real prompt with a real context sentence from another sample, and
    that prompt's real answer (so prompts and answers stay realistic in length and language)."""
    source = pool()
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        prompt, answer = source[i % len(source)]
        context = rng.choice(source)[1].split("\n")[0][:200]
        rows.append({"instruction": f"{prompt}\nContext ({i}): {context}", "output": answer})
    return rows


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return time.perf_counter() - start, done.stdout


def _findings(output: str) -> list[str]:
    """The report without the verbose lines on parsing, caches and how the models ran (which
    differ between a cold and a warm run, by design)."""
    verbose = ("versions parsed", "model ", "fast stage ")
    return [line for line in output.splitlines() if not line.startswith(verbose)]


def staged_run(repo: Path, existing: list[dict[str, Any]], count: int) -> dict[str, Any]:
    """Stage `count` new samples never seen before, then time the checks."""
    train = repo / "data" / "train.jsonl"
    # New samples never seen before (a fresh seed and tag each run): neither their prompts nor
    # their answers are in any cache, so the diff embeds exactly the texts timed alone below.
    fresh = samples(len(existing) + count, seed=time.time_ns())[len(existing) :]
    tag = time.time_ns()
    new = [
        dict(row, instruction=f"{row['instruction']} [{tag}]", output=f"{row['output']} [{tag}]")
        for row in fresh
    ]
    train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*existing, *new]))
    subprocess.run(["git", "add", "data/train.jsonl"], cwd=repo, check=True)
    texts = WORK / "dup_new_texts.json"
    texts.write_text(json.dumps([t for r in new for t in (r["instruction"], r["output"])]))
    diff = [*DATATENET, "diff", "--staged", "--checks", "all", "--verbose"]
    total, out = run(diff, repo)
    warm, warm_out = run(diff, repo)
    embed_done = subprocess.run(
        [sys.executable, "-c", EMBED_NEW, str(texts)], capture_output=True, text=True, check=True
    )
    summary = [
        line.strip() for line in out.splitlines() if "unchanged" in line or "findings" in line
    ]
    return {
        "total": total,
        "embed": float(embed_done.stdout.strip()),
        "warm": warm,
        "summary": summary,
        "differences": [
            line
            for line in difflib.unified_diff(_findings(out), _findings(warm_out), lineterm="")
            if line.startswith(("+", "-"))
        ],
        "parsed": [line for line in out.splitlines() if line.startswith("versions parsed")],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = WORK / f"dup_repo_{args.existing}"
    train = repo / "data" / "train.jsonl"
    existing = samples(args.existing, seed=1)
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        train.parent.mkdir(parents=True)
        train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in existing))
        for command in (
            ["git", "init", "-q", "-b", "main"],
            ["git", "config", "user.email", "bench@example.com"],
            ["git", "config", "user.name", "bench"],
            ["git", "add", "-A"],
            ["git", "commit", "-q", "-m", "20,000 samples"],
        ):
            subprocess.run(command, cwd=repo, check=True)
        seconds, _ = run([*DATATENET, "scan", "data/train.jsonl", "--checks", "all"], repo)
        print(f"setup: scan of {args.existing:,} samples warmed the caches in {seconds:.0f} s")
    # The id cache of HEAD, warmed by a diff against some other work-tree content.
    train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in existing[:-1]))
    run([*DATATENET, "diff", "--checks", "none"], repo)
    runs = [staged_run(repo, existing, args.new) for _ in range(args.repeat)]
    print(f"diff --staged: {' | '.join(runs[-1]['summary'])}; {runs[-1]['parsed']}")
    total, embed, warm = (Spread(tuple(r[k] for r in runs)) for k in ("total", "embed", "warm"))
    besides = Spread(tuple(r["total"] - r["embed"] for r in runs))
    print(f"end to end (model loaded, the {2 * args.new} new texts embedded): {total.show()}")
    print(f"embedding the {2 * args.new} new texts alone, model load included: {embed.show()}")
    print(f"the checks besides embedding (end to end minus embedding): {besides.show()}")
    print(f"the same diff fully warm (parse, signatures, embeddings cached): {warm.show()}")
    added = f"{args.new} added"
    cross_check(
        not any(r["differences"] for r in runs)
        and all(added in " ".join(r["summary"]) for r in runs),
        f"the warm diff reports the same as the first, which counts {added}",
        [f"run {n + 1}: {line}" for n, r in enumerate(runs) for line in r["differences"]]
        + [r["summary"] for r in runs],
    )


if __name__ == "__main__":
    main()

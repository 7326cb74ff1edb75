"""[DUP] end to end: a commit adding 200 samples to a 20,000-sample dataset.

Setup (once, slow: it embeds 40,000 texts): a git repository whose data/train.jsonl holds
20,000 samples built from the real datasets in ../shared/data (Alpaca en/zh, ShareGPT zh,
GSM8K), committed; `datatenet scan` then warms the caches for these existing samples
(MinHash signatures, embeddings) and a first `diff --staged` the id cache of HEAD.

Measured: 200 new samples are appended and staged, then
  - `datatenet diff --staged --checks all` end to end (duplicate tiers and conflicts);
  - the time to embed the 200 new samples' prompts and answers alone: a fresh process that
    loads the same model and encodes those 400 texts (what no cache can save).
  - the same diff once more, the new texts now cached: everything but their embedding.
Target: at most 5 s plus the time to embed the new texts, i.e. the last figure at most 5 s.

Usage: python bench/dup_e2e_bench.py [--existing 20000] [--new 200]
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
from typing import Any

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=200)
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
    # New samples never seen before (a fresh seed each run): their texts are in no cache.
    fresh = samples(args.existing + args.new, seed=time.time_ns())[args.existing :]
    new = [dict(row, instruction=f"{row['instruction']} [{time.time_ns()}]") for row in fresh]
    train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*existing, *new]))
    subprocess.run(["git", "add", "data/train.jsonl"], cwd=repo, check=True)
    texts = WORK / "dup_new_texts.json"
    texts.write_text(json.dumps([t for r in new for t in (r["instruction"], r["output"])]))
    total, out = run([*DATATENET, "diff", "--staged", "--checks", "all", "--verbose"], repo)
    # The same diff again: now the new texts are cached too, so this is everything but the
    # embedding of the new samples (model never loaded) - the part the target bounds.
    rest, _ = run([*DATATENET, "diff", "--staged", "--checks", "all", "--verbose"], repo)
    embed_done = subprocess.run(
        [sys.executable, "-c", EMBED_NEW, str(texts)], capture_output=True, text=True, check=True
    )
    embed = float(embed_done.stdout.strip())
    summary = [
        line.strip() for line in out.splitlines() if "unchanged" in line or "findings" in line
    ]
    print(f"diff --staged: {' | '.join(summary)}")
    print(
        f"end to end: {total:.1f} s; embedding the {2 * args.new} new texts alone "
        f"(model load included): {embed:.1f} s; difference: {total - embed:.1f} s"
    )
    print(
        "the same diff with the new texts' embeddings cached too (everything but embedding "
        f"them): {rest:.1f} s (target <= 5 s)"
    )


if __name__ == "__main__":
    main()

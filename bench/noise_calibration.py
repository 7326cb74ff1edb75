"""The noise rules on real answers: recall on planted problems, alarms on the answers as they
are. Prints figures, asserts nothing.

Planted, per file (every answer of at least 80 characters gets each plant in turn):
- truncated: cut at a random point in its middle third, at a word boundary in spaced scripts,
  and kept only when the cut falls mid-sentence (not after final punctuation or a line end);
- placeholder: one of {{name}}, [Your Name], [CUSTOMER_NAME], 【姓名】, <COMPANY NAME> inserted;
- mojibake: a non-ASCII answer encoded as UTF-8 and decoded as cp1252 (English answers get a
  curly apostrophe first);
- hostile: "You idiot." / "你这个白痴。" appended.
Alarms: the findings on the untouched answers, by problem. Many are real (the demo data holds
truncated answers and leftover placeholders): the examples printed let a reader judge.

Run: .venv/bin/python bench/noise_calibration.py
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from datatenet.analysis.corpus import corpus_of_version  # noqa: E402
from datatenet.analysis.noise import find_noise  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = (
    "llama_factory/alpaca_en_demo.json",
    "llama_factory/alpaca_zh_demo.json",
    "llama_factory/dpo_en_demo.json",
    "llama_factory/dpo_zh_demo.json",
    "llama_factory/kto_en_demo.json",
    "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    "msft_foundry_samples/orca_dpo_pairs/validation.jsonl",
    "medicalgpt/sharegpt_zh_1K_format.jsonl",
)
PLACEHOLDERS = ("{{name}}", "[Your Name]", "[CUSTOMER_NAME]", "【姓名】", "<COMPANY NAME>")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENDS = ".!?。！？)]\"'*`"


def truncate(answer: str, rng: random.Random) -> str | None:
    cut = rng.randint(len(answer) // 3, 2 * len(answer) // 3)
    text = answer[:cut] if _CJK.search(answer) else answer[:cut].rsplit(" ", 1)[0]
    if not text.strip() or text.rstrip()[-1] in _ENDS or text.endswith("\n"):
        return None
    return text


def mojibake(answer: str) -> str:
    if answer.isascii():
        answer = answer.replace("'", "’", 1) if "'" in answer else answer + " It’s done."
    return answer.encode("utf-8").decode("cp1252", errors="replace")


def found(problem: str, prompts: list[str], answers: list[str]) -> int:
    hits = find_noise(prompts, answers)
    return len({h.index for h in hits if h.problem == problem})


def main() -> None:
    totals: Counter[str] = Counter()
    for name in FILES:
        items = corpus_of_version(load_file(DATA / name, LoadOptions())).new
        items = tuple(i for i in items if i.response.strip())
        prompts = [i.prompt for i in items]
        answers = [i.response for i in items]
        alarms = find_noise(prompts, answers)
        rng = random.Random(0)
        long = [i for i, a in enumerate(answers) if len(a) >= 80]
        cut = [(i, truncate(answers[i], rng)) for i in long]
        cut = [(i, t) for i, t in cut if t]
        planted = {
            "truncated": ([prompts[i] for i, _ in cut], [t for _, t in cut]),
            "placeholder": (
                [prompts[i] for i in long],
                [
                    answers[i][: len(answers[i]) // 2]
                    + f" {PLACEHOLDERS[n % len(PLACEHOLDERS)]} "
                    + answers[i][len(answers[i]) // 2 :]
                    for n, i in enumerate(long)
                ],
            ),
            "mojibake": ([prompts[i] for i in long], [mojibake(answers[i]) for i in long]),
            "hostile": (
                [prompts[i] for i in long],
                [
                    answers[i] + (" 你这个白痴。" if _CJK.search(answers[i]) else " You idiot.")
                    for i in long
                ],
            ),
        }
        print(f"\n{name}: {len(items)} answers")
        for problem, (p, a) in planted.items():
            hit = found(problem, p, a)
            totals[f"{problem} planted"] += len(a)
            totals[f"{problem} found"] += hit
            print(f"  planted {problem:11s} found {hit}/{len(a)} ({hit / max(1, len(a)):.0%})")
        by_problem = Counter(h.problem for h in alarms)
        for problem in ("truncated", "placeholder", "mojibake", "hostile", "echo", "length"):
            totals[f"{problem} alarms"] += by_problem[problem]
            totals["answers"] += len(items) if problem == "truncated" else 0
        print(f"  on the answers as they are: {dict(by_problem)} of {len(items)}")
        for hit in alarms[:4]:
            print(f"    {hit.problem}: {hit.explanation[:110]}")
    print("\nall files:")
    for problem in ("truncated", "placeholder", "mojibake", "hostile"):
        planted_count, hit = totals[f"{problem} planted"], totals[f"{problem} found"]
        print(
            f"  {problem:11s} recall {hit}/{planted_count} ({hit / max(1, planted_count):.0%}); "
            f"on untouched answers {totals[f'{problem} alarms']}/{totals['answers']}"
        )


if __name__ == "__main__":
    main()

"""Style drift judged on labelled changes: how often it is flagged when nothing changed (random
splits) and when the answers were restyled. Prints figures, asserts nothing.

For each file (English and Chinese; SFT answers and the chosen answers of preference data),
each seed and each share of new samples (10% and 20%):
- a random split: the flag, the AUC, how many descriptors came out significant;
- the same split with the new answers restyled, four ways: `verbose_list` (much longer, a
  bullet per sentence, opening and closing lines), `concise` (the first sentence only),
  `cheerful` (an exclamation and an emoji around the answer), `apologetic` (an apology and a
  hedge before it).

Run: .venv/bin/python bench/drift_calibration.py [--seeds N]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.drift_data import verbose_list  # noqa: E402

from datatenet.analysis.corpus import corpus_of_version  # noqa: E402
from datatenet.analysis.drift import style_drift  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = {
    "alpaca_en (SFT, en)": "llama_factory/alpaca_en_demo.json",
    "alpaca_zh (SFT, zh)": "llama_factory/alpaca_zh_demo.json",
    "dpo_en (preference, en)": "llama_factory/dpo_en_demo.json",
    "dpo_zh (preference, zh)": "llama_factory/dpo_zh_demo.json",
    "sharegpt_zh (multi-turn, zh)": "medicalgpt/sharegpt_zh_1K_format.jsonl",
}
_FIRST = re.compile(r"^.*?[.!?。！？](?=\s|$)", re.S)


def concise(answer: str, chinese: bool) -> str:
    found = _FIRST.match(answer.strip())
    return found.group() if found else answer


def cheerful(answer: str, chinese: bool) -> str:
    return ("太棒了！😊 " if chinese else "Great question! 😊 ") + answer + " 🎉"


def apologetic(answer: str, chinese: bool) -> str:
    if chinese:
        return "抱歉，我可能不太确定，但我认为：" + answer
    return "I apologize, I may not be entirely sure, but I think: " + answer


RESTYLES: dict[str, Callable[[str, bool], str]] = {
    "verbose_list": lambda a, zh: verbose_list(a, chinese=zh),
    "concise": concise,
    "cheerful": cheerful,
    "apologetic": apologetic,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    totals: dict[str, list[bool]] = defaultdict(list)
    for label, name in FILES.items():
        answers = [i.response for i in corpus_of_version(load_file(DATA / name, LoadOptions())).new]
        answers = [a for a in answers if a.strip()]
        chinese = "zh" in label.split(",")[-1]
        rows: dict[str, list[tuple[bool, float, int]]] = defaultdict(list)
        for share in (0.1, 0.2):
            for seed in range(args.seeds):
                order = np.random.default_rng(seed).permutation(len(answers))
                cut = int(len(answers) * (1 - share))
                old = [answers[i] for i in order[:cut]]
                new = [answers[i] for i in order[cut:]]
                drift = style_drift(old, new)
                rows["random split"].append(
                    (drift.flagged, drift.auc or 0.5, len(drift.significant))
                )
                for restyle, change in RESTYLES.items():
                    drift = style_drift(old, [change(a, chinese) for a in new])
                    rows[restyle].append((drift.flagged, drift.auc or 0.5, len(drift.significant)))
        print(f"\n{label}: {len(answers)} answers, {args.seeds} seeds x 2 shares")
        for kind, found in rows.items():
            flagged = sum(f for f, _, _ in found)
            aucs = [a for _, a, _ in found]
            significant = np.mean([s for _, _, s in found])
            print(
                f"  {kind:13s} flagged {flagged:2d}/{len(found)}  AUC {np.mean(aucs):.2f} "
                f"[{min(aucs):.2f}-{max(aucs):.2f}]  significant descriptors {significant:.1f}"
            )
            totals[kind] += [f for f, _, _ in found]
    print("\nall files:")
    for kind, flags in totals.items():
        rate = sum(flags) / len(flags)
        what = "false alarms" if kind == "random split" else "found"
        print(f"  {kind:13s} {sum(flags)}/{len(flags)} {what} ({rate:.0%})")


if __name__ == "__main__":
    main()

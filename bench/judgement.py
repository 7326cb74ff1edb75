"""Precision and recall of the duplicate and contradiction checks on the labelled judgement set.

Every pair of bench/judgement/*.jsonl is met as a reviewer meets it: a dataset file holding the
existing sample is the base, the same file with the new sample appended is the head, and the
checks analyse that change (datatenet's own loader, diff and analysis). The pair's verdict is
the set of kinds of the findings it gets (warnings and errors; "possible duplicates", shown at
info level and never gated, are counted apart). A pair is found when that set is exactly its
expected verdict: one verdict per pair, a contradiction that is also called a duplicate is not
found.

Printed, for the lexical checks alone (exact, near, conflicts) and with the real model:
- per kind: pairs, found, recall, and the precision of the verdict the kind expects (its found
  pairs against every pair of the whole set wrongly given that verdict); for kinds that expect
  nothing, how many were flagged;
- per tier (the finding's `tier`): findings, how many are right, precision;
- per language and data type: the share found.

    python bench/judgement.py                 # both configurations
    python bench/judgement.py --lexical       # no model
    python bench/judgement.py --misses        # list every pair not found, with its findings
    python bench/judgement.py --sweep conflict_answer=0.5,0.6,0.7   # calibration

The model's vectors are cached under bench/_work/judgement/ (the first run embeds every text
once). Needs ../shared/data for the pairs that quote it (they are skipped without it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "judgement"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from datatenet.analysis.base import EMBEDDINGS_DIR, AnalysisConfig  # noqa: E402
from datatenet.analysis.corpus import Corpus, corpus_of_change  # noqa: E402
from datatenet.analysis.findings import Finding  # noqa: E402
from datatenet.analysis.registry import analyse  # noqa: E402
from datatenet.analysis.thresholds import Thresholds  # noqa: E402
from datatenet.diff import diff_versions  # noqa: E402
from datatenet.formats.load import LoadOptions, load_file  # noqa: E402
from judgement_set import SET_DIR, Pair, load_pairs, write_pairs  # noqa: E402

LEXICAL = frozenset({"exact", "near", "conflicts"})
MODEL = frozenset({"exact", "near", "semantic", "conflicts"})
FLAGGED = ("error", "warning")


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    findings: tuple[Finding, ...]

    @property
    def verdict(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.findings if f.severity in FLAGGED)

    @property
    def possible(self) -> bool:
        return any(f.severity not in FLAGGED for f in self.findings)

    @property
    def found(self) -> bool:
        wanted = frozenset() if self.pair.expect == "none" else frozenset({self.pair.expect})
        return self.verdict == wanted


def corpora(pairs: Sequence[Pair], directory: Path) -> list[Corpus]:
    """Each pair as a change: the base holds the existing sample, the head appends the new one."""
    out = []
    for number, pair in enumerate(pairs):
        base = directory / f"{number}-base.jsonl"
        head = directory / f"{number}-head.jsonl"
        write_pairs(base, [pair.existing])
        write_pairs(head, [pair.existing, pair.new])
        old, new = load_file(base, LoadOptions()), load_file(head, LoadOptions())
        if old.invalid or new.invalid:
            raise SystemExit(
                f"pair {pair.id}: the loader rejects it: {(old.invalid or new.invalid)[0]}"
            )
        out.append(corpus_of_change(diff_versions(old, new)))
    return out


def warm(corpora: Iterable[Corpus]) -> None:
    """Embed every text once, so that each pair's analysis finds its vectors in the cache."""
    from datatenet.embeddings.cache import CachedEmbedder
    from datatenet.embeddings.st import SentenceTransformerEmbedder

    texts = sorted(
        {
            text
            for corpus in corpora
            for item in (*corpus.new, *corpus.existing)
            for text in (
                item.prompt,
                item.response,
                item.rejected or "",
                item.last_turn,
            )
        }
    )
    with CachedEmbedder(SentenceTransformerEmbedder(), WORK / EMBEDDINGS_DIR) as embedder:
        embedder.embed(texts)


def run(
    pairs: Sequence[Pair], corpora: Sequence[Corpus], checks: frozenset[str], thresholds: Thresholds
) -> list[Outcome]:
    config = AnalysisConfig(checks, thresholds, cache_dir=WORK)
    return [
        Outcome(pair, analyse(corpus, config).findings)
        for pair, corpus in zip(pairs, corpora, strict=True)
    ]


# -- tables -------------------------------------------------------------------------------------


def kind_rows(outcomes: Sequence[Outcome]) -> list[tuple[str, int, int, float, float | None, int]]:
    """(kind, pairs, found, recall, precision of its verdict, flagged possible) per kind."""
    false_by_verdict: Counter[str] = Counter()
    for outcome in outcomes:
        for kind in outcome.verdict - {outcome.pair.expect}:
            false_by_verdict[kind] += 1
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.pair.kind].append(outcome)
    rows = []
    for kind in sorted(by_kind, key=_kind_order):
        group = by_kind[kind]
        expect = group[0].pair.expect
        found = sum(o.found for o in group)
        precision = None
        if expect != "none":
            found_right = sum(1 for o in group if expect in o.verdict)
            denominator = found_right + false_by_verdict[expect]
            precision = found_right / denominator if denominator else 1.0
        possible = sum(1 for o in group if o.possible and not o.verdict)
        rows.append((kind, len(group), found, found / len(group), precision, possible))
    return rows


ORDER = (
    "exact",
    "near",
    "paraphrase",
    "minimal-contradiction",
    "rewritten-contradiction",
    "reversed-preference",
    "restyle",
    "inverse",
    "entity-swap",
    "different-last-turn",
    "unrelated",
)


def _kind_order(kind: str) -> int:
    return ORDER.index(kind) if kind in ORDER else len(ORDER)


def _row(cells: Sequence[object]) -> str:
    widths = (24, 6, 20, 7, 8, 11, 9, 10)
    first = f"{cells[0]!s:<{widths[0]}}"
    return first + "".join(f"{c!s:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))


def _share(outcomes: Sequence[Outcome]) -> str:
    if not outcomes:
        return "-"
    return f"{sum(o.found for o in outcomes)}/{len(outcomes)}"


def print_report(title: str, outcomes: Sequence[Outcome], misses: bool) -> None:
    print(f"\n== {title} ==")
    header = ("kind", "pairs", "expect", "found", "recall", "precision", "flagged", "possible")
    print(_row(header) + "  recall en / zh, possible en / zh")
    for kind, count, found, recall, precision, possible in kind_rows(outcomes):
        group = [o for o in outcomes if o.pair.kind == kind]
        expect = group[0].pair.expect
        shown = "" if precision is None else f"{precision:.2f}"
        flagged = count - found if expect == "none" else ""
        by_language = " / ".join(
            _share([o for o in group if o.pair.lang == lang]) for lang in ("en", "zh")
        )
        possible_by_language = " / ".join(
            str(sum(o.possible and not o.verdict for o in group if o.pair.lang == lang))
            for lang in ("en", "zh")
        )
        cells = (kind, count, expect, found, f"{recall:.2f}", shown, flagged, possible)
        print(_row(cells) + f"  {by_language}, {possible_by_language}")
    print(f"\n{'tier':<24}{'findings':>9}{'right':>7}{'precision':>11}")
    tiers: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        for finding in outcome.findings:
            if finding.severity in FLAGGED:
                tiers[f"{finding.kind}/{finding.tier}"].append(finding.kind == outcome.pair.expect)
    for tier in sorted(tiers):
        marks = tiers[tier]
        print(f"{tier:<24}{len(marks):>9}{sum(marks):>7}{sum(marks) / len(marks):>11.2f}")
    print(f"\n{'language / data':<24}{'pairs':>6}{'found':>7}{'share':>7}")
    groups: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        groups[f"{outcome.pair.lang} {outcome.pair.data}"].append(outcome.found)
    for group in sorted(groups):
        marks = groups[group]
        print(f"{group:<24}{len(marks):>6}{sum(marks):>7}{sum(marks) / len(marks):>7.2f}")
    total = sum(o.found for o in outcomes)
    print(f"{'all':<24}{len(outcomes):>6}{total:>7}{total / len(outcomes):>7.2f}")
    if misses:
        print("\nnot found:")
        for outcome in outcomes:
            if not outcome.found:
                got = (
                    "; ".join(f"{f.kind}/{f.tier}: {f.explanation}" for f in outcome.findings)
                    or "nothing"
                )
                print(f"  {outcome.pair.id} (expect {outcome.pair.expect}): {got[:300]}")


def sweep(
    pairs: Sequence[Pair],
    corpora: Sequence[Corpus],
    checks: frozenset[str],
    spec: str,
    base: Thresholds,
) -> None:
    name, _, values = spec.partition("=")
    known = {f.name for f in fields(Thresholds)}
    if name not in known:
        raise SystemExit(f"--sweep: unknown threshold {name!r}; known: {', '.join(sorted(known))}")
    print(f"\n== sweep of {name} ({'model' if 'semantic' in checks else 'lexical'}) ==")
    kinds = [k for k in ORDER if any(p.kind == k for p in pairs)]
    print(f"{'value':>7}  " + "  ".join(f"{k[:12]:>12}" for k in kinds))
    for value in (float(v) for v in values.split(",")):
        outcomes = run(pairs, corpora, checks, replace(base, **{name: value}))
        cells = []
        for _kind, _, _, recall, precision, _ in kind_rows(outcomes):
            shown = f"{recall:.2f}" + ("" if precision is None else f"/{precision:.2f}")
            cells.append(f"{shown:>12}")
        print(f"{value:>7.3f}  " + "  ".join(cells))
    print("(recall/precision for kinds that expect a finding; the share left alone for the others)")


BACKGROUND = (
    "llama_factory/alpaca_en_demo.json",
    "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    "llama_factory/dpo_en_demo.json",
    "llama_factory/kto_en_demo.json",
    # Chinese, which the default model does not read: possible duplicates by characters
    "llama_factory/alpaca_zh_demo.json",
    "llama_factory/dpo_zh_demo.json",
    "medicalgpt/sharegpt_zh_1K_format.jsonl",
)


def background(thresholds: Thresholds, shown: int, only: Sequence[str] = ()) -> None:
    """Real datasets scanned whole: their distinct samples are no labelled pairs, so every
    finding other than an exact copy is a candidate false alarm, listed for review."""
    from datatenet.analysis.corpus import corpus_of_version
    from judgement_set import SHARED

    print(
        "\n== real datasets scanned with the model"
        " (exact copies aside, each finding is for review) =="
    )
    config = AnalysisConfig(MODEL, thresholds, cache_dir=WORK)
    for name in BACKGROUND:
        if only and not any(part in name for part in only):
            continue
        corpus = corpus_of_version(load_file(SHARED / name, LoadOptions()))
        findings = analyse(corpus, config).findings
        kinds = Counter(f.kind for f in findings)
        print(
            f"{name}: {len(corpus.new)} samples; "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        )
        for finding in [f for f in findings if f.kind != "exact-duplicate"][:shown]:
            matched = finding.matched.prompt[:70] if finding.matched else ""
            print(f"  {finding.kind}: {finding.sample.prompt[:70]!r} ~ {matched!r}")
            print(f"    {finding.explanation[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lexical", action="store_true", help="the lexical checks only")
    parser.add_argument("--model", action="store_true", help="with the model only")
    parser.add_argument("--misses", action="store_true", help="list the pairs not found")
    parser.add_argument("--sweep", action="append", default=[], metavar="NAME=V1,V2,...")
    parser.add_argument("--kind", action="append", default=[], help="only these kinds")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=V", help="a threshold for the run"
    )
    parser.add_argument(
        "--background", type=int, metavar="N", help="scan real datasets, list N findings each"
    )
    parser.add_argument(
        "--dataset",
        action="append",
        default=[],
        help="--background: only these (a part of the name)",
    )
    args = parser.parse_args()
    pairs, skipped = load_pairs(sorted(SET_DIR.glob("*.jsonl")))
    if args.kind:
        pairs = [p for p in pairs if p.kind in args.kind]
    kinds = Counter(p.kind for p in pairs)
    print(f"{len(pairs)} pairs ({skipped} skipped: they quote ../shared/data, which is absent)")
    print(
        ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: _kind_order(kv[0])))
    )
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        loaded = corpora(pairs, Path(scratch))
    configurations = []
    if not args.model:
        configurations.append(("lexical checks (exact, near, conflicts)", LEXICAL))
    if not args.lexical:
        warm(loaded)
        configurations.append(("with the model (exact, near, semantic, conflicts)", MODEL))
    thresholds = Thresholds()
    for setting in args.set:
        name, _, value = setting.partition("=")
        thresholds = replace(thresholds, **{name: float(value)})
    if args.background is not None:
        background(thresholds, args.background, args.dataset)
        return
    for title, checks in configurations:
        start = time.perf_counter()
        outcomes = run(pairs, loaded, checks, thresholds)
        if not args.sweep:
            print_report(title, outcomes, args.misses)
            print(f"({time.perf_counter() - start:.1f} s)")
        for spec in args.sweep:
            sweep(pairs, loaded, checks, spec, thresholds)


if __name__ == "__main__":
    main()

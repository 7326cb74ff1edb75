"""Mutation check of the core rules: each mutant below breaks one published default or rule of
src/datatenet, and the tests named beside it must then fail.

For each mutant this script patches a temporary copy of the checkout (never the working tree:
an interrupted run leaves nothing behind), runs the named tests against the copy, and restores
the file. It fails when a mutant survives (its tests still pass), when a snippet is no longer in
its file or is there more than once (the code moved on: update the list), when a named test does
not exist, or when the tests fail before any mutation.

A short script of our own rather than mutmut: mutmut generates every mutant of every line it
can and runs for a long time on a 2-core machine; this is a fixed list of the rules that matter
(every default of `Thresholds`, the rules of the one verdict per pair, the style-drift and
stability defaults, the gates and their defaults, the id cache, prepare-msg), each with the fast
tests that guard it, none of which needs ../shared. It runs in a few minutes in CI (36 mutants:
2-4 min on 2 busy cores) and says exactly which rule lost its guard.

Run: .venv/bin/python .ci/mutants.py [--only TEXT] [--list]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "src/datatenet"
TIMEOUT = 300  # seconds per mutant: a mutant that hangs the tests counts as caught


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # under src/datatenet
    snippet: str  # exact text, present exactly once in the file
    replacement: str
    tests: tuple[str, ...]  # pytest node ids; at least one must fail


DEFAULTS = "tests/test_defaults.py::"
NEAR = DEFAULTS + "test_near_duplicate_default_is_jaccard_0_8"
NEAR_ANSWER = DEFAULTS + "test_near_answer_default_is_answer_jaccard_0_5"
LEXICAL = DEFAULTS + "test_conflict_answer_lexical_default_is_word_overlap_0_3"
VERDICTS = (
    "tests/test_defaults_verdicts.py::"
    "test_every_cosine_default_decides_a_verdict_a_hair_either_side"
)
STABILITY = (
    "tests/test_defaults_drift.py::"
    "test_similar_prompts_from_cosine_0_8_and_lengths_over_3x_apart_diverge"
)
STYLE = "tests/test_defaults_drift.py::test_style_drift_is_flagged_from_auc_0_7"
GATES = "tests/test_gates.py::"
MEASURE = "tests/test_decisive.py::test_a_measure_stated_with_other_values_is_a_contradiction"
JUDGE = "analysis/pair_judge.py"


def _default(name: str, value: str, moved: str, test: str) -> Mutant:
    """A published default of `Thresholds` moved."""
    snippet = f"    {name}: float = {value}"
    return Mutant(
        f"{name} default {value} -> {moved}",
        "analysis/thresholds.py",
        snippet,
        snippet.replace(value, moved),
        (test,),
    )


MUTANTS = [
    # -- the published thresholds (README, "Checks"), each moved by little ----------------------
    _default("near_duplicate", "0.8", "0.7", NEAR),
    _default("near_answer", "0.5", "0.45", NEAR_ANSWER),
    _default("semantic_duplicate", "0.85", "0.84", VERDICTS),
    _default("semantic_same_result", "0.75", "0.76", VERDICTS),
    _default("possible_duplicate", "0.8", "0.79", VERDICTS),
    _default("conflict_prompt", "0.85", "0.84", VERDICTS),
    _default("conflict_answer", "0.7", "0.69", VERDICTS),
    _default("conflict_answer_lexical", "0.3", "0.2", LEXICAL),
    # -- the rules of the one verdict per pair (analysis/pair_judge.py) ---------------------------
    Mutant(
        "near tier: a pair at exactly the threshold is not verified",
        "analysis/duplicates.py",
        "if jaccard >= threshold:",
        "if jaccard > threshold:",
        (NEAR,),
    ),
    Mutant(
        "near copy: a pair at exactly the threshold is no near copy",
        JUDGE,
        "evidence.jaccard < thresholds.near_duplicate:",
        "evidence.jaccard <= thresholds.near_duplicate:",
        (NEAR,),
    ),
    Mutant(
        "near copy: an answer kept at exactly near_answer is not kept",
        JUDGE,
        "if kept < thresholds.near_answer:",
        "if kept <= thresholds.near_answer:",
        (NEAR_ANSWER,),
    ),
    Mutant(
        "the same question: the prompt-cosine path switched off",
        JUDGE,
        "if any(c is None or c < thresholds.conflict_prompt for c in cosines):",
        "if True:",
        (VERDICTS,),
    ),
    Mutant(
        "contradictions: another decisive result no longer contradicts",
        JUDGE,
        "if answers.different:\n        return Verdict(",
        "if False:\n        return Verdict(",
        (VERDICTS,),
    ),
    Mutant(
        "contradictions: the cosine and word-overlap limits swapped",
        JUDGE,
        "if evidence.answer_cosine is not None:",
        "if evidence.answer_cosine is None:",
        (LEXICAL,),
    ),
    Mutant(
        "contradictions: answers exactly at the limit diverge",
        JUDGE,
        "if similarity >= limit:",
        "if similarity > limit:",
        (LEXICAL,),
    ),
    Mutant(
        "semantic: a restyle with the same result under semantic_duplicate is flagged",
        JUDGE,
        "if evidence.same_prompt and answers.same and score < thresholds.semantic_duplicate:",
        "if False:",
        (VERDICTS,),
    ),
    Mutant(
        "semantic: no lower bar when both answers commit to the same result",
        JUDGE,
        "thresholds.semantic_same_result if answers.same else thresholds.semantic_duplicate",
        "thresholds.semantic_duplicate",
        (VERDICTS,),
    ),
    Mutant(
        "semantic: possible duplicates never shown",
        JUDGE,
        "if score >= thresholds.possible_duplicate:",
        "if False:",
        (VERDICTS,),
    ),
    Mutant(
        "semantic: the larger cosine decides",
        JUDGE,
        "score = min(c for c in cosines if c is not None)",
        "score = max(c for c in cosines if c is not None)",
        (VERDICTS,),
    ),
    # -- drift: style drift and expression stability (README, "Style drift, ...") ---------------
    Mutant(
        "style drift: flagged from AUC 0.7 -> 0.72",
        "analysis/drift.py",
        "AUC_FLAG = 0.7",
        "AUC_FLAG = 0.72",
        (STYLE + "[flagged]",),
    ),
    Mutant(
        "style drift: flagged whatever the AUC when a descriptor moved",
        "analysis/drift.py",
        "auc >= settings.auc_flag and ",
        "",
        (STYLE + "[not-flagged]",),
    ),
    Mutant(
        "stability: similar prompts from cosine 0.8 -> 0.79",
        "analysis/stability.py",
        "MIN_COSINE = 0.8",
        "MIN_COSINE = 0.79",
        (STABILITY,),
    ),
    Mutant(
        "stability: lengths over 3x apart -> 3.1x",
        "analysis/stability.py",
        "LENGTH_RATIO = 3.0",
        "LENGTH_RATIO = 3.1",
        (STABILITY,),
    ),
    Mutant(
        "stability: lengths exactly 3x apart diverge",
        "analysis/stability.py",
        "if ratio > length_ratio:",
        "if ratio >= length_ratio:",
        (STABILITY,),
    ),
    # -- gates ----------------------------------------------------------------------------------
    Mutant(
        "gates: a min gate's comparison flipped",
        "gates.py",
        "too_low = gate.min is not None and value < gate.min",
        "too_low = gate.min is not None and value > gate.min",
        (GATES + "test_a_min_gate_fails_below_its_bound_and_passes_at_and_above_it[error]",),
    ),
    Mutant(
        "gates: a max gate fails at its bound",
        "gates.py",
        "too_high = gate.max is not None and value > gate.max",
        "too_high = gate.max is not None and value >= gate.max",
        (GATES + "test_a_max_gate_passes_at_its_bound_and_fails_above_it",),
    ),
    Mutant(
        "gates: a failing warn gate refuses the commit",
        "gates.py",
        'if not r.passed and r.gate.level == "error")',
        "if not r.passed)",
        (GATES + "test_a_min_gate_fails_below_its_bound_and_passes_at_and_above_it[warn]",),
    ),
    Mutant(
        'gates: level "warning" no longer means warn',
        "gates.py",
        'level = "warn" if level == "warning" else level',
        "pass",
        (GATES + "test_a_min_gate_fails_below_its_bound_and_passes_at_and_above_it[warning]",),
    ),
    Mutant(
        "default gate added_duplicate_share max 0.05 -> 0.1",
        "gates.py",
        '"added_duplicate_share": {"max": 0.05, "level": "error"}',
        '"added_duplicate_share": {"max": 0.1, "level": "error"}',
        (GATES + "test_default_gates_allow_one_copy_in_twenty_new_samples_not_two",),
    ),
    Mutant(
        "default gate contradictions max 0 -> 1",
        "gates.py",
        '"contradictions": {"max": 0, "level": "error"}',
        '"contradictions": {"max": 1, "level": "error"}',
        (GATES + "test_default_gates_allow_one_copy_in_twenty_new_samples_not_two",),
    ),
    Mutant(
        "default gate eval_contamination max 0 -> 1",
        "gates.py",
        '"eval_contamination": {"max": 0, "level": "error"}',
        '"eval_contamination": {"max": 1, "level": "error"}',
        (
            "tests/test_analyses_wiring.py::"
            "test_eval_copies_are_shown_by_diff_and_refused_by_the_hook",
        ),
    ),
    # -- caches and hooks -------------------------------------------------------------------------
    Mutant(
        "id cache never read",
        "repo/store.py",
        "found = self.cache.get(address, key)",
        "found = None",
        ("tests/test_history.py::test_second_run_reads_history_from_the_cache",),
    ),
    Mutant(
        "prepare-msg rewrites a message given with -m",
        "verbs/commit.py",
        '_SKIPPED_SOURCES = ("message", "merge", "squash", "commit")',
        '_SKIPPED_SOURCES = ("merge", "squash", "commit")',
        ("tests/test_hooks.py::test_prepare_msg_prefills_and_never_clobbers",),
    ),
    # -- decisive content: a measure stated with other values (analysis/quantities.py) ----------
    Mutant(
        "a measure stated with other values no longer contradicts",
        "analysis/decisive.py",
        "if plain and quantity is not None and not quantity[0]:",
        "if False:",
        (MEASURE,),
    ),
    Mutant(
        "a value inside a range no longer agrees with it",
        "analysis/quantities.py",
        "low <= o_high and o_low <= high for low, high in spans for o_low, o_high in others",
        "False for low, high in spans for o_low, o_high in others",
        (MEASURE,),
    ),
    Mutant(
        "two short answers that each state the other's number contradict",
        "analysis/decisive.py",
        "return one.value != two.value and two.value in first_values "
        "and one.value in second_values",
        "return False",
        (MEASURE,),
    ),
]


def problems_with_the_list(mutants: list[Mutant]) -> list[str]:
    """Snippets that are not in their file exactly once (the code changed: edit the list)."""
    found = []
    for mutant in mutants:
        path = ROOT / PACKAGE / mutant.file
        count = path.read_text(encoding="utf-8").count(mutant.snippet) if path.is_file() else 0
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            found.append(
                f"mutant {mutant.name!r}: snippet {where} in {PACKAGE}/{mutant.file}:\n"
                f"    {mutant.snippet!r}\n"
                "  update its snippet (and replacement) in .ci/mutants.py to the current code"
            )
    return found


def copy_checkout(destination: Path) -> Path:
    ignored = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "_work", ".pytest_cache", ".mypy_cache", ".ruff_cache"
    )
    copy = destination / "checkout"
    shutil.copytree(ROOT, copy, ignore=ignored)
    return copy


def environment(copy: Path) -> dict[str, str]:
    """The copy's package first on the path, for pytest and for every `python -m datatenet`
    the tests start; no bytecode, so an edit of the same size within a second is never masked."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(copy / "src"), os.environ.get("PYTHONPATH", "")]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HF_HUB_OFFLINE": "1",
    }


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(
            command,
            cwd=copy,
            env=environment(copy),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 1, f"timed out after {TIMEOUT} s"
    return done.returncode, done.stdout + done.stderr


def first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ", 1)[0]
    return output.strip().splitlines()[-1] if output.strip() else "no output"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="run the mutants whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and their tests")
    args = parser.parse_args()
    mutants = [m for m in MUTANTS if args.only is None or args.only in m.name]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.name}\n    {PACKAGE}/{mutant.file}: {mutant.snippet!r}")
            print("".join(f"    killed by {test}\n" for test in mutant.tests), end="")
        return 0
    broken = problems_with_the_list(mutants)
    if broken:
        print("\n".join(broken), file=sys.stderr)
        return 1
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="datatenet-mutants-") as directory:
        copy = copy_checkout(Path(directory))
        probe = subprocess.run(
            [sys.executable, "-c", "import datatenet; print(datatenet.__file__)"],
            env=environment(copy),
            capture_output=True,
            text=True,
            check=True,
        )
        if not probe.stdout.strip().startswith(str(copy)):
            print(f"the copy's package is not the one imported: {probe.stdout}", file=sys.stderr)
            return 1
        every_test = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
        status, output = run_tests(copy, every_test)
        if status != 0:
            print(f"the tests fail before any mutation:\n{output}", file=sys.stderr)
            return 1
        survivors = []
        for mutant in mutants:
            path = copy / PACKAGE / mutant.file
            original = path.read_text(encoding="utf-8")
            path.write_text(original.replace(mutant.snippet, mutant.replacement), encoding="utf-8")
            try:
                status, output = run_tests(copy, mutant.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            if status == 1:
                print(f"killed   {mutant.name}  (by {first_failure(output)})", flush=True)
            elif status == 0:
                survivors.append(mutant.name)
                print(f"SURVIVED {mutant.name}: {', '.join(mutant.tests)} still pass", flush=True)
            else:  # 2-5: interrupted, usage error, no test collected: the mutant proves nothing
                survivors.append(mutant.name)
                print(f"ERROR    {mutant.name}: pytest exit {status}\n{output}", flush=True)
    took = time.perf_counter() - started
    print(f"{len(mutants) - len(survivors)} of {len(mutants)} mutants killed in {took:.0f} s")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())

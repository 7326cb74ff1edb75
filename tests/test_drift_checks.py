"""The drift analyzers through the registry, on real data, without a model (lexical vectors):
coverage, focus, expression stability, boundaries, contamination and noise as measures and
findings."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from datatenet.analysis.base import Analysis, AnalysisConfig
from datatenet.analysis.boundaries import Behaviour, boundary
from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.focus import focus, normalised_entropy
from datatenet.analysis.registry import analyse, parse_checks
from datatenet.analysis.stability import expression_stability
from tests.drift_data import ALPACA_EN, GSM8K, GSM8K_EVAL, IDENTITY, items, split, verbose_list


def run(corpus: Corpus, checks: str, **options: object) -> Analysis:
    return analyse(corpus, AnalysisConfig(parse_checks(checks), options=options))


def test_new_domain_shows_a_new_topic_and_a_random_split_does_not(shared_data: Path) -> None:
    alpaca = items(shared_data, ALPACA_EN)
    maths = items(shared_data, GSM8K)[:80]
    added = run(Corpus(tuple(maths), tuple(alpaca)), "coverage")
    shift = added.measure("coverage_shift")
    assert shift is not None and added.measure("new_topics").value >= 1  # type: ignore[union-attr]
    new_topics = [t for t in shift.details["topics"] if t["new"]]
    assert sum(t["head_count"] for t in new_topics) >= 60
    assert any("solution" in t["keywords"] for t in new_topics)
    assert [f.kind for f in added.findings] == ["coverage-shift"] * len(new_topics)
    assert any("TF-IDF" in note for note in added.notes)
    for seed in (0, 1):
        old, new = split(alpaca, 0.8, seed)
        same = run(Corpus(tuple(new), tuple(old)), "coverage")
        assert same.measure("new_topics").value == 0  # type: ignore[union-attr]
        assert same.measure("coverage_shift").value < shift.value / 2  # type: ignore[union-attr]
        assert not same.findings


def test_focused_and_scattered_batches(shared_data: Path) -> None:
    alpaca = items(shared_data, ALPACA_EN)
    old, rest = split(alpaca, 0.7, seed=4)
    scattered = rest[:60]
    focused = items(shared_data, GSM8K)[:60]
    statement = {"reinforces": ["Solve maths word problems step by step."]}
    spread = run(Corpus(tuple(scattered), tuple(old)), "focus", **statement)
    narrow = run(Corpus(tuple(focused), tuple(old)), "focus", **statement)
    wide = spread.measure("focus_entropy")
    tight = narrow.measure("focus_entropy")
    assert wide is not None and tight is not None
    assert wide.value > 0.8 and tight.value < 0.5
    assert wide.details["focused"] is False and tight.details["focused"] is True
    assert [f.kind for f in spread.findings] == ["unfocused"]
    assert not narrow.findings


def test_entropy_and_random_batches() -> None:
    assert normalised_entropy(np.array([0, 0, 0]), 4) == 0.0
    assert abs(normalised_entropy(np.array([0, 1, 2, 3]), 4) - 1.0) < 1e-9
    dataset = np.arange(1000) % 10
    one = focus(np.zeros(50, dtype=np.intp), dataset, 10)
    spread = focus(np.arange(50) % 10, dataset, 10)
    assert one is not None and spread is not None
    assert one.focused and one.top_share == 1.0
    assert not spread.focused and spread.random_low <= spread.entropy
    assert focus(np.zeros(5, dtype=np.intp), dataset, 10) is None


def test_two_styles_score_worse_than_one(shared_data: Path) -> None:
    identity = [i for i in items(shared_data, IDENTITY) if "{{" in i.response]
    one_style = run(Corpus(tuple(identity)), "stability")
    two_styles = run(
        Corpus(
            tuple(
                replace(item, response=verbose_list(item.response, chinese=True, clauses=True))
                if n % 2
                else item
                for n, item in enumerate(identity)
            )
        ),
        "stability",
    )
    calm = one_style.measure("expression_divergence")
    mixed = two_styles.measure("expression_divergence")
    assert calm is not None and mixed is not None
    assert mixed.value > calm.value + 0.3
    assert mixed.details["pairs"] >= 10
    assert all(f.kind == "expression-instability" for f in two_styles.findings)
    assert "list vs prose" in two_styles.findings[0].explanation


def test_stability_of_pairs() -> None:
    vectors = np.eye(4, dtype=np.float32)[[0, 0, 1, 1, 2, 3]]
    answers = ["- one\n- two", "One and two.", "x" * 50, "y" * 500, "z", "w"]
    found = expression_stability(vectors, answers)
    assert found.pairs == 2 and found.divergent == 2
    assert {p.reasons for p in found.worst} == {("list vs prose",), ("lengths 7.4x apart",)}


def test_boundaries_with_a_marker() -> None:
    ask = re.compile(r"(?i)could you clarify")
    answers = ["Could you clarify which one?", "Here it is.", "Could you clarify?", "Sure."]
    prompts = np.eye(3, dtype=np.float32)[[0, 0, 1, 2]]  # answers 0 and 1 have alike prompts
    found = boundary(Behaviour("clarify", ask), answers, prompts, existing_answers=["No."] * 4)
    assert found.shows == (0, 2) and found.counter_examples == (1,)
    assert found.existing_share == 0.0
    alone = boundary(Behaviour("clarify", ask), answers[:1] * 3, prompts[:3])
    assert alone.counter_examples == ()
    assert "no counter-example" in alone.explanation()


def test_boundaries_check_warns_without_counter_examples(shared_data: Path) -> None:
    alpaca = items(shared_data, ALPACA_EN)
    old, new = split(alpaca, 0.9, seed=2)
    asking = [replace(i, response=i.response + " Could you clarify what you need?") for i in new]
    behaviours = {"clarify": {"statement": "Ask first.", "marker": "(?i)could you clarify"}}
    found = run(Corpus(tuple(asking), tuple(old)), "boundaries", behaviours=behaviours)
    shown = found.measure("behaviour_shown")
    assert shown is not None and shown.value == 1.0
    assert [f.kind for f in found.findings] == ["boundary"]
    assert "no counter-example" in found.findings[0].explanation


def lightly_edited(item: Item, n: int) -> Item:
    words = item.prompt.split()
    words.insert(len(words) // 2, "really")
    return replace(
        item,
        prompt=" ".join(words),
        sample_id=f"copy{n}",
        prompt_id=f"copy{n}",
        origin=f"data/train.jsonl:{900 + n}",
    )


def test_contamination_finds_every_lightly_edited_copy(shared_data: Path) -> None:
    evals = items(shared_data, GSM8K_EVAL)
    training = items(shared_data, GSM8K)
    old, clean = training[:300], training[300:340]
    copies = [lightly_edited(evals[i], n) for n, i in enumerate((3, 11, 25, 40))]
    dirty = run(Corpus((*clean, *copies), tuple(old), tuple(evals)), "contamination")
    found = [f for f in dirty.findings if f.kind == "contamination"]
    assert sorted(f.sample.origin for f in found) == sorted(c.origin for c in copies)
    assert {f.matched.origin for f in found} == {evals[i].origin for i in (3, 11, 25, 40)}  # type: ignore[union-attr]
    assert all(f.severity == "error" and "eval sample" in f.explanation for f in found)
    assert run(Corpus(tuple(clean), tuple(old), tuple(evals)), "contamination").findings == ()
    narrow = dirty.measure("narrow_world_auc")
    assert narrow is not None and narrow.value < 0.7  # GSM8K eval is drawn from its train set


def test_noise_check_points_at_samples(shared_data: Path) -> None:
    alpaca = items(shared_data, ALPACA_EN)
    old, new = alpaca[:500], list(alpaca[500:540])
    new[0] = replace(new[0], response="")
    new[1] = replace(new[1], response="Hello {{name}}, welcome!")
    new[2] = replace(new[2], response=new[2].response[:200].rstrip(".") + " and the")
    found = run(Corpus(tuple(new), tuple(old)), "noise")
    flagged = {(f.sample.origin, f.tier) for f in found.findings}
    assert {(new[0].origin, "empty"), (new[1].origin, "placeholder")} <= flagged
    assert (new[2].origin, "truncated") in flagged
    share = found.measure("noise_share")
    assert share is not None and share.value >= 3 / 40
    assert all(f.matched is None for f in found.findings)

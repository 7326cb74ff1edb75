"""Style drift on real answers: a rewritten batch is flagged with the right descriptors, a random
split of the same file is not, in English and Chinese and over several seeds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from datatenet.analysis.descriptor_tests import compare_descriptors
from datatenet.analysis.drift import style_drift
from datatenet.analysis.separability import char_ngram_counts, separability
from datatenet.analysis.style import describe
from datatenet.analysis.words import characteristic_words, keyword_tokens, segmenter
from tests.drift_data import ALPACA_EN, ALPACA_ZH, items, split, verbose_list


@pytest.mark.parametrize(("name", "chinese"), [(ALPACA_EN, False), (ALPACA_ZH, True)])
def test_rewritten_batch_is_flagged(shared_data: Path, name: str, chinese: bool) -> None:
    old, new = split(items(shared_data, name), 0.8, seed=1)
    rewritten = [verbose_list(item.response, chinese) for item in new]
    drift = style_drift([i.response for i in old], rewritten)
    assert drift.flagged
    assert drift.auc is not None and drift.auc > 0.9
    significant = {shift.name for shift in drift.significant}
    assert {"chars", "bullets", "bold"} <= significant
    words = {word for word, _ in drift.words_head}
    assert words & ({"详细", "说明", "重要"} if chinese else {"detail", "detailed", "point"})
    assert len(drift.examples_head) == 3 and len(drift.examples_base) == 3
    assert all("Point" in rewritten[i] or "要点" in rewritten[i] for i in drift.examples_head)


@pytest.mark.parametrize("name", [ALPACA_EN, ALPACA_ZH])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_split_is_not_flagged(shared_data: Path, name: str, seed: int) -> None:
    old, new = split(items(shared_data, name), 0.8, seed)
    drift = style_drift(
        [i.response for i in old],
        [i.response for i in new],
    )
    assert not drift.flagged
    assert drift.auc is not None and abs(drift.auc - 0.5) < 0.1
    assert drift.significant == ()


def test_too_few_samples_are_not_judged() -> None:
    drift = style_drift(["a short answer."] * 5, ["- a\n- list"] * 5)
    assert drift.auc is None and not drift.flagged
    assert any("at least 20" in note for note in drift.notes)


def test_descriptor_tests_find_the_moved_descriptor() -> None:
    rng = np.random.default_rng(0)
    base = [" ".join(["word"] * int(n)) + "." for n in rng.integers(5, 15, 200)]
    head = [" ".join(["word"] * int(n)) + "!" for n in rng.integers(30, 60, 200)]
    shifts = {s.name: s for s in compare_descriptors(describe(base), describe(head))}
    assert shifts["words"].significant and shifts["words"].effect > 0.9
    assert shifts["exclamations"].significant
    assert not shifts["bullets"].significant and shifts["bullets"].p_value == 1.0
    assert "x" in shifts["words"].explanation  # "median 10 -> 45 (x4.50)"


def test_separability_is_half_for_the_same_texts_and_one_for_different() -> None:
    texts = [f"The answer number {i} is plain prose about topic {i % 7}." for i in range(80)]
    other = [f"- item {i}\n- **bold** {i % 5}\n- end" for i in range(80)]
    shuffled = [texts[i] for i in np.random.default_rng(0).permutation(80)]
    same = separability(shuffled[:40], shuffled[40:])
    apart = separability(texts, other)
    assert same is not None and apart is not None
    assert apart.auc > 0.95
    assert same.auc < 0.75
    assert separability(texts[:5], other[:5]) is None


def test_char_ngrams_match_between_equal_texts_and_across_scripts() -> None:
    counts = char_ngram_counts(["Hello world", "hello WORLD", "你好世界", "你好世界"])
    dense = counts.toarray()
    assert (dense[0] == dense[1]).all()  # case-insensitive
    assert (dense[2] == dense[3]).all() and dense[2].sum() > 0
    assert not (dense[0] @ dense[2])  # no n-gram shared between the two scripts


def test_keywords_segment_chinese_and_drop_stop_words() -> None:
    tokens = keyword_tokens("The quick brown fox. 机器学习是人工智能的一个分支。")
    assert "the" not in tokens and "quick" in tokens
    if segmenter() == "rjieba":
        assert "机器" in tokens and "学习" in tokens
    else:
        assert "机器" in tokens
    assert "的" not in tokens


def test_characteristic_words_of_each_side() -> None:
    a = [f"apples are red number {i}" for i in range(30)]
    b = [f"bananas are yellow number {i}" for i in range(30)]
    for_a, for_b = characteristic_words(a, b)
    assert {w for w, _ in for_a} == {"apples", "red"}
    assert {w for w, _ in for_b} == {"bananas", "yellow"}


def test_drift_to_json_is_plain_data(shared_data: Path) -> None:
    import json

    old, new = split(items(shared_data, ALPACA_EN), 0.9, seed=3)
    drift = style_drift([i.response for i in old], [verbose_list(i.response) for i in new])
    document = json.loads(json.dumps(drift.to_json()))
    assert document["flagged"] is True and document["auc"] > 0.9
    assert {d["name"] for d in document["descriptors"] if d["significant"]} >= {"bullets"}
    assert replace(drift, notes=("x",)).notes == ("x",)

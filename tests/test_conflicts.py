"""The conflict check on real samples: same prompt answered two ways, reversed preferences,
opposite labels. Lexical fallback here; the embedding path is in the integration tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datatenet.analysis.conflicts import find_conflicts
from datatenet.analysis.corpus import Corpus, corpus_of_change, corpus_of_version
from datatenet.analysis.thresholds import Thresholds
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from tests.conftest import TEST_DATA

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"
ORCA = TEST_DATA / "orca_dpo_validation_head30.jsonl"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _change(tmp_path: Path, base: list[dict[str, Any]], head: list[dict[str, Any]]) -> Corpus:
    old = load_file(_write(tmp_path / "old.jsonl", base), LoadOptions())
    new = load_file(_write(tmp_path / "new.jsonl", head), LoadOptions())
    return corpus_of_change(diff_versions(old, new))


def test_real_samples_have_no_conflicts() -> None:
    corpus = corpus_of_version(load_file(GSM8K, LoadOptions()))
    assert find_conflicts(corpus, Thresholds()) == []


def test_same_prompt_with_a_contradicting_answer(tmp_path: Path) -> None:
    rows = _rows(GSM8K)
    planted = json.loads(json.dumps(rows[4]))
    planted["messages"][-1]["content"] = "There is not enough information to answer this."
    corpus = _change(tmp_path, rows, [*rows, planted])
    (finding,) = find_conflicts(corpus, Thresholds())
    assert finding.kind == "contradiction"
    assert finding.tier == "prompt-id"
    assert finding.sample.origin.endswith("new.jsonl:31")
    assert finding.matched.origin.endswith("new.jsonl:5")  # the existing sample, in head
    assert finding.scores["answer_similarity"] < Thresholds().conflict_answer_lexical
    assert "answered differently" in finding.explanation


def test_a_lightly_edited_answer_is_not_a_conflict(tmp_path: Path) -> None:
    rows = _rows(GSM8K)
    planted = json.loads(json.dumps(rows[4]))
    planted["messages"][-1]["content"] += " Double-checked."
    corpus = _change(tmp_path, rows, [*rows, planted])
    assert find_conflicts(corpus, Thresholds()) == []


def test_a_modified_sample_is_not_in_conflict_with_the_version_it_replaces(
    tmp_path: Path,
) -> None:
    rows = _rows(GSM8K)
    edited = json.loads(json.dumps(rows))
    edited[4]["messages"][-1]["content"] = "There is not enough information to answer this."
    corpus = _change(tmp_path, rows, edited)
    assert len(corpus.new) == 1
    assert find_conflicts(corpus, Thresholds()) == []


def test_reversed_preference_pair(tmp_path: Path) -> None:
    rows = _rows(ORCA)
    reversed_pair = json.loads(json.dumps(rows[7]))
    reversed_pair["preferred_output"], reversed_pair["non_preferred_output"] = (
        rows[7]["non_preferred_output"],
        rows[7]["preferred_output"],
    )
    corpus = _change(tmp_path, rows, [*rows, reversed_pair])
    (finding,) = find_conflicts(corpus, Thresholds())
    assert finding.tier == "preference"
    assert finding.matched.origin.endswith("new.jsonl:8")
    assert "reversed" in finding.explanation


def test_rejected_answer_preferred_elsewhere(tmp_path: Path) -> None:
    rows = _rows(ORCA)
    other = json.loads(json.dumps(rows[2]))
    other["preferred_output"] = rows[2]["non_preferred_output"]
    other["non_preferred_output"] = [{"role": "assistant", "content": "I cannot help with that."}]
    corpus = _change(tmp_path, rows, [*rows, other])
    (finding,) = find_conflicts(corpus, Thresholds())
    assert finding.tier == "preference"
    assert "rejects the answer" in finding.explanation


def test_several_pairs_for_one_prompt_are_normal_preference_data(tmp_path: Path) -> None:
    rows = _rows(ORCA)
    second = json.loads(json.dumps(rows[3]))
    second["non_preferred_output"] = [{"role": "assistant", "content": "No idea, sorry."}]
    corpus = _change(tmp_path, rows, [*rows, second])
    assert find_conflicts(corpus, Thresholds()) == []


def test_opposite_labels_for_the_same_answer(tmp_path: Path) -> None:
    def kto(answer: str, label: bool) -> dict[str, Any]:
        messages = [{"role": "user", "content": "Is it safe to mix bleach and ammonia?"}]
        messages.append({"role": "assistant", "content": answer})
        return {"messages": messages, "label": label}

    base = [kto("No: it releases toxic chloramine gas.", True), kto("Sure, go ahead.", False)]
    head = [*base, kto("Sure, go ahead.", True)]
    corpus = _change(tmp_path, base, head)
    (finding,) = find_conflicts(corpus, Thresholds())
    assert finding.tier == "label"
    assert finding.matched.origin.endswith("new.jsonl:2")


def test_conflicts_among_new_samples_in_a_scan(tmp_path: Path) -> None:
    rows = _rows(GSM8K)[:5]
    planted = json.loads(json.dumps(rows[1]))
    planted["messages"][-1]["content"] = "The answer is 7."
    path = _write(tmp_path / "scan.jsonl", [*rows, planted])
    (finding,) = find_conflicts(corpus_of_version(load_file(path, LoadOptions())), Thresholds())
    assert finding.sample.origin.endswith("scan.jsonl:6")
    assert finding.matched.origin.endswith("scan.jsonl:2")


def test_chinese_answers_compare_by_characters(shared_data: Path, tmp_path: Path) -> None:
    rows = json.loads((shared_data / "llama_factory" / "alpaca_zh_demo.json").read_text("utf-8"))
    rows = rows[:200]
    planted = dict(rows[10], output="无法回答。")
    corpus = _change(tmp_path, rows, [*rows, planted])
    (finding,) = find_conflicts(corpus, Thresholds())
    assert finding.matched.origin.endswith("new.jsonl:11")
    assert finding.sample.origin.endswith("new.jsonl:201")

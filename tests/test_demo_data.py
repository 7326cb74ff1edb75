"""The demo's datasets: what demo/corpus.py builds is what the package ships, and each batch
brings the problem its step of the story shows (with the checks that exist today)."""

from __future__ import annotations

from pathlib import Path

import pytest

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.registry import parse_checks
from datatenet.analysis.run import analyse_change
from datatenet.demo.corpus import DATA_DIR, build, jsonl
from datatenet.demo.story import EVAL_BATCH, STEPS
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_files


def test_shipped_files_are_what_the_generator_builds() -> None:
    built = build()
    assert sorted(built) == sorted(p.name for p in DATA_DIR.glob("*.jsonl"))
    for name, records in built.items():
        assert (DATA_DIR / name).read_text("utf-8") == jsonl(records), name


def test_the_dataset_is_a_few_hundred_distinct_support_samples() -> None:
    built = build()
    total = sum(len(rows) for name, rows in built.items() if name != EVAL_BATCH)
    assert len(built["support.jsonl"]) >= 150 and 250 <= total <= 400
    questions = [r["messages"][1]["content"] for r in built["support.jsonl"]]
    assert len(set(questions)) == len(questions)
    assert all(r["messages"][2]["content"] for r in built["support.jsonl"])
    assert {step.batch for step in STEPS if step.batch} | {EVAL_BATCH} == set(built)


def findings_of(tmp_path: Path, batch: str) -> dict[str, int]:
    """The findings of appending a batch to the handbook and the batches before it."""
    order = [step.batch for step in STEPS if step.batch]
    before = "".join((DATA_DIR / name).read_text("utf-8") for name in order[: order.index(batch)])
    base, head = tmp_path / "base.jsonl", tmp_path / "head.jsonl"
    base.write_text(before, "utf-8")
    head.write_text(before + (DATA_DIR / batch).read_text("utf-8"), "utf-8")
    old, new = load_files([base, head], LoadOptions())
    changeset = diff_versions(old, new)
    analysis = analyse_change(changeset, AnalysisConfig(parse_checks("exact,near,conflicts")))
    kinds: dict[str, int] = {}
    for finding in analysis.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    return kinds


@pytest.mark.parametrize(
    ("batch", "expected"),
    [
        ("lost_notes.jsonl", {}),
        ("duplicates.jsonl", {"exact-duplicate": 10, "near-duplicate": 6}),
        ("logs.jsonl", {"contradiction": 3}),
    ],
)
def test_each_batch_shows_its_problem(tmp_path: Path, batch: str, expected: dict[str, int]) -> None:
    assert findings_of(tmp_path, batch) == expected


def emoji(text: str) -> int:
    return sum(ord(ch) >= 0x1F300 or 0x2700 <= ord(ch) <= 0x27BF for ch in text)


def test_the_restyled_answers_are_in_another_style() -> None:
    built = build()
    answers = [r["messages"][2]["content"] for r in built["friendly.jsonl"]]
    assert min(emoji(a) for a in answers) >= 1
    assert min(a.count("## ") for a in answers) >= 1
    handbook = [r["messages"][2]["content"] for r in built["support.jsonl"]]
    assert not any("## " in a or emoji(a) for a in handbook)


def test_the_eval_set_holds_two_of_the_raw_logs() -> None:
    built = build()
    logged = {json_line(r) for r in built["logs.jsonl"]}
    held_out = [json_line(r) for r in built[EVAL_BATCH]]
    assert sum(line in logged for line in held_out) == 2
    trained = {json_line(r) for name, rows in built.items() if name != EVAL_BATCH for r in rows}
    assert sum(line in trained for line in held_out) == 2  # the others are held out


def json_line(record: dict[str, object]) -> str:
    """A record's training content: its messages (the `source` is metadata)."""
    return jsonl([{"messages": record["messages"]}])

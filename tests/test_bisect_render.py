"""The renderers of `datatenet bisect`, called directly on typed results: untrusted text (commit
subjects, statements, sample excerpts, CMD's words in the log) stays inert in the terminal, and
every result has a JSON document."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from datatenet.report import bisect as render
from datatenet.results.bisect import (
    DryRun,
    DryRunEntry,
    Expectation,
    Facts,
    FoundSample,
    Handout,
    Outcome,
    Progress,
    WithinCommit,
)
from datatenet.results.history import DatasetCounts, Stated

HOSTILE = "\x1b[2J\x1b]0;owned\x07 line one\nline two\r"


def facts(subject: str = "Add gifts questions") -> Facts:
    counts = DatasetCounts("data/train.jsonl", None, "modified", 7, 0, 1, 38, 45)
    return Facts(
        "9c042952ef3bdd185fbcf92175ddb6986b58e127",
        subject,
        "Ann",
        "2024-05-02T10:00:00+00:00",
        Stated(HOSTILE, None),
        (counts,),
        kinds=Counter(),
    )


def outcome(**changes: object) -> Outcome:
    sample = FoundSample("data/train.jsonl:41", "data/train.jsonl", "added", "abc", HOSTILE, "x")
    fields: dict[str, object] = {
        "culprit": facts(HOSTILE),
        "suspects": (),
        "candidates": 12,
        "runs": 4,
        "halving_bound": 4,
        "expected": Expectation(3.06, 3.8, 5),
        "within": WithinCommit(True, ((sample,),), 8, "metadata field 'topic'", 5),
        "inconsistent": (),
        "log": Path("/repo/.git/datatenet/bisect/log"),
    }
    fields.update(changes)
    return Outcome(**fields)  # type: ignore[arg-type]


def assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "line one\nline two" not in text


def test_the_answer_names_the_culprit_and_keeps_untrusted_text_inert() -> None:
    text = render.render_outcome(outcome(), "datatenet report 9c04^ 9c04")
    assert_inert(text)
    assert text.startswith("first bad commit: 9c042952ef3bdd185fbcf92175ddb6986b58e127")
    assert "change: +7 -0 ~1 samples" in text and "38 -> 45 samples" in text
    assert "findings: none" in text
    assert "data/train.jsonl:41  added" in text
    assert "probes: 4 of 12 candidates, and 5 more inside it" in text
    assert "3.06 probes expected" in text and "3.80 for plain halving" in text
    assert text.endswith("report: datatenet report 9c04^ 9c04")


def test_skipped_suspects_noisy_verdicts_and_only_bad_probes_are_said() -> None:
    suspects = ("a" * 40, "b" * 40)
    text = render.render_outcome(
        outcome(culprit=None, suspects=suspects, within=None, inconsistent=("c" * 40,))
    )
    assert "could not be tested (skipped)" in text
    assert all(f"  {commit}" in text for commit in suspects)
    assert "good after a bad one at cccccccccc" in text
    assert "every probe was bad" in render.render_outcome(outcome(only_bad=True))
    assert "report:" not in text  # no culprit, nothing to report


def test_handout_progress_dry_run_and_log() -> None:
    handout = Handout(
        "9c042952ef3bdd185fbcf92175ddb6986b58e127",
        HOSTILE,
        Path("/x/worktree"),
        False,
        (Path("/x/worktree/data/train.jsonl"),),
        (),
        None,
        6,
        3,
    )
    text = render.render_handout(handout)
    assert_inert(text)
    assert "worktree: /x/worktree" in text and "at most 3 probes to go" in text
    assert "6 suspects left of 12" in render.render_progress(Progress(12, 6, "c" * 40, None))
    dry = DryRun("a" * 40, "b" * 40, 16, (DryRunEntry(facts(HOSTILE), 8.0, 0.444),), None)
    assert_inert(render.render_dry_run(dry))
    log = ["2024-05-02T10:00:00+0000\tstart\tcommand ./eval.sh " + HOSTILE, "t\tgood\tabc\tby hand"]
    shown = render.render_log(log)
    assert_inert(shown)
    assert render.log_document(log)["steps"][1] == {
        "time": "t",
        "event": "good",
        "details": ["abc", "by hand"],
    }


def test_every_result_has_a_json_document() -> None:
    answer = render.outcome_document(outcome(), "datatenet report 9c04^ 9c04")
    assert answer["culprit"]["statement"] == HOSTILE  # JSON keeps the text as it is
    assert answer["within_commit"]["groups"][0][0]["origin"] == "data/train.jsonl:41"
    assert answer["report"] == "datatenet report 9c04^ 9c04"
    documents = [
        answer,
        render.progress_document(Progress(12, 6, "c" * 40, None)),
        render.dry_run_document(DryRun("a", "b", 3, (DryRunEntry(facts(), 1.0, 1.0),), None)),
    ]
    for document in documents:
        assert orjson.loads(orjson.dumps(document)) == document
        assert document["version"] == 1

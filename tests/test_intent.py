"""The `Reinforces:` trailer: parsed as git parses trailers, judged by the [commit] rules; and
the gates' policy over metrics and findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from datatenet import gates, intent
from datatenet.commit_message import comment_chars
from datatenet.errors import DatatenetError
from datatenet.repo.messages import parse_message
from datatenet.repo.repository import Repo as Repository
from datatenet.report.hooks import render_gates
from tests.repos import Repo

GOOD = "When a request is ambiguous, ask one clarifying question before answering."
REGISTRY = {"clarify-first": {"statement": GOOD}, "cite-sources": {"statement": "Cite a source."}}


def rules(**commit: object) -> intent.Rules:
    return intent.rules_from_config(commit, REGISTRY)


def judged(message: str, **commit: object) -> intent.Judgement:
    return intent.judge(parse_message(message, comment="#"), rules(**commit))


def test_trailers_parsed_as_git_does() -> None:
    text = (
        "Add refund questions\n\nSome body text.\n\nreinforces: ask for the order\n"
        "  number first\nSigned-off-by: A <a@b>\n"
        "# Please enter the commit message\n"
        "# ------------------------ >8 ------------------------\n"
        "diff --git a/x b/x\nReinforces: hidden below the scissors\n"
    )
    message = parse_message(text, comment="#")
    assert message.values() == ["ask for the order number first"]  # key case-insensitive
    assert "hidden" not in message.text and "Please enter" not in message.text
    assert message.subject == "Add refund questions"


def test_a_trailer_in_the_subject_or_body_is_not_a_trailer() -> None:
    assert parse_message(f"Reinforces: {GOOD}\n", comment="#").values() == []
    body = f"Subject\n\nReinforces: {GOOD}\nand then a sentence of prose that is long.\n"
    message = parse_message(body + "\nMore prose.\n", comment="#")
    assert message.values() == [] and message.misplaced
    assert "not as a trailer" in intent.judge(message, rules()).problem


def test_core_comment_char_is_honoured(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "r")
    repo.git("config", "core.commentChar", ";")
    text = f"Subject\n\n# kept: a hash line\n\nReinforces: {GOOD}\n; Reinforces: a comment\n"
    assert comment_chars(Repository.open(repo.path).comment_setting, text) == ";"
    message = Repository.open(repo.path).parse_message(text)
    assert "# kept" in message.text and "a comment" not in message.text
    assert message.values() == [GOOD]
    repo.git("config", "core.commentChar", "auto")
    auto = f"Subject\n\nReinforces: {GOOD}\n\n@ Please enter the commit message for your changes.\n"
    assert comment_chars(Repository.open(repo.path).comment_setting, auto) == "@"


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("", "is empty"),
        ("more data", "generic"),
        ("Update", "generic"),
        ("wip", "generic"),
        ("add more samples to the dataset", "generic"),
        ("Misc fixes", "generic"),
        ("be concise", "too short"),
        ("Ask before deleting files. Cite sources for claims.", "several behaviours"),
        ("Answer in French; refuse medical advice always", "several behaviours"),
        ("Ask for the order number as well as refuse refunds", "several behaviours"),
    ],
)
def test_vague_statements_are_refused(statement: str, problem: str) -> None:
    judgement = judged(f"Subject\n\nReinforces: {statement}\n")
    assert not judgement.ok
    assert problem in judgement.problem


def test_specific_statement_registry_and_strictness() -> None:
    assert judged(f"Subject\n\nReinforces: {GOOD}\n").ok
    by_id = judged("Subject\n\nReinforces: clarify-first\n")
    assert by_id.ok and by_id.behaviour == "clarify-first" and by_id.statement == GOOD
    by_statement = judged(f"Subject\n\nReinforces: {GOOD.lower().rstrip('.')}\n")
    assert by_statement.ok and by_statement.behaviour == "clarify-first"
    strict = judged(
        "S\n\nReinforces: Refuse to give legal advice in any case\n", strict_behaviours=True
    )
    assert not strict.ok and "not a registered behaviour" in strict.problem
    assert "clarify-first" in strict.problem
    assert judged("S\n\nReinforces: cite-sources\n", strict_behaviours=True).ok


def test_several_trailers_and_the_configurable_lists() -> None:
    two = f"S\n\nReinforces: {GOOD}\nReinforces: Refuse to give legal advice, kindly.\n"
    assert "2 `Reinforces:` trailers" in judged(two).problem
    assert judged(two, allow_multiple=True).ok
    assert judged(f"S\n\nReinforces: {GOOD}\nReinforces: {GOOD}\n").ok  # the same one twice
    custom = "S\n\nReinforces: Follow the house style guide please\n"
    assert judged(custom).ok
    assert not judged(custom, generic=["house style guide please follow"]).ok
    assert not judged("S\n\nReinforces: answer well\n", min_words=3).ok
    assert judged("S\n\nReinforces: answer in French\n", min_words=3).ok


def test_rules_are_validated_with_the_key_named() -> None:
    with pytest.raises(DatatenetError, match="min_words"):
        intent.rules_from_config({"min_words": "four"}, {})
    with pytest.raises(DatatenetError, match="unknown key in \\[commit\\]: generics"):
        intent.rules_from_config({"generics": []}, {})
    with pytest.raises(DatatenetError, match=r"behaviours\.x"):
        intent.rules_from_config({}, {"x": {"text": "no statement key"}})
    with pytest.raises(DatatenetError, match="no behaviour is registered"):
        intent.rules_from_config({"strict_behaviours": True}, {})


@dataclass(frozen=True)
class Ref:
    origin: str
    sample_id: str


@dataclass(frozen=True)
class FakeFinding:
    kind: str
    sample: Ref
    matched: Ref
    explanation: str = "same answer"


def test_gates_over_findings_and_unmeasured_metrics() -> None:
    configured = gates.parse_gates(
        {
            "added_duplicate_share": {"max": 0.05, "level": "error"},
            "contradictions": 0,
            "near_duplicates": {"max": 5, "level": "warn"},
            "style_drift": {"max": 0.1, "level": "warn"},
        }
    )
    findings = [
        FakeFinding("exact-duplicate", Ref("data/t.jsonl:12", "a"), Ref("data/t.jsonl:3", "z")),
        FakeFinding("near-duplicate", Ref("data/t.jsonl:13", "b"), Ref("data/t.jsonl:4", "y")),
    ]
    measures = gates.finding_measures(findings, new_samples=10)
    verdict = gates.evaluate(configured, measures)
    assert not verdict.ok
    (failed,) = verdict.failed
    assert failed.gate.metric == "added_duplicate_share" and failed.value == 0.2
    assert failed.evidence[0].startswith("data/t.jsonl:12: same answer (matches data/t.jsonl:3)")
    assert [r.gate.metric for r in verdict.unmeasured] == ["style_drift"]
    rendered = "\n".join(render_gates(verdict))
    assert "FAILED: added_duplicate_share = 0.2, above max 0.05" in rendered
    assert "data/t.jsonl:12" in rendered
    assert "style_drift: not measured in this run (unknown metric)" in rendered


def test_gate_table_mistakes_are_named() -> None:
    with pytest.raises(DatatenetError, match="level must be"):
        gates.parse_gates({"contradictions": {"max": 0, "level": "fatal"}})
    with pytest.raises(DatatenetError, match="sets no max or min"):
        gates.parse_gates({"contradictions": {"level": "warn"}})
    with pytest.raises(DatatenetError, match="unknown key"):
        gates.parse_gates({"contradictions": {"maximum": 0}})

"""Anthropic HH transcripts: `chosen` and `rejected` are whole "\\n\\nHuman: … \\n\\nAssistant: …"
conversations, read as turns; the prompt is their shared prefix, as TRL reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datatenet.formats.load import LoadOptions, load_file
from datatenet.formats.schemas import hh_transcript
from datatenet.samples import Message
from datatenet.version import Version
from tests.conftest import TEST_DATA

ORCA_DPO = TEST_DATA / "orca_dpo_validation_head30.jsonl"


def orca_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ORCA_DPO.read_text("utf-8").splitlines() if line]


def as_hh(row: dict[str, Any], reverse: bool = False) -> dict[str, str]:
    """A real Orca DPO pair as an HH transcript (its user turn and the two answers)."""
    user = row["input"]["messages"][-1]["content"]
    good = row["preferred_output"][0]["content"]
    bad = row["non_preferred_output"][0]["content"]
    if reverse:
        good, bad = bad, good
    return {
        "chosen": f"\n\nHuman: {user}\n\nAssistant: {good}",
        "rejected": f"\n\nHuman: {user}\n\nAssistant: {bad}",
    }


def as_conversations(row: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    user = {"role": "user", "content": row["input"]["messages"][-1]["content"]}
    return {
        "chosen": [user, {"role": "assistant", "content": row["preferred_output"][0]["content"]}],
        "rejected": [
            user,
            {"role": "assistant", "content": row["non_preferred_output"][0]["content"]},
        ],
    }


def load(path: Path, records: list[dict[str, Any]]) -> Version:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    version = load_file(path, LoadOptions())
    assert not version.invalid
    return version


def test_a_transcript_is_read_as_turns() -> None:
    text = "\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: What is 2+2?\n\nAssistant: 4"
    assert hh_transcript(text) == (
        Message("user", "Hi there"),
        Message("assistant", "Hello!"),
        Message("user", "What is 2+2?"),
        Message("assistant", "4"),
    )
    assert hh_transcript("Human: Q\n\nAssistant: A") == (
        Message("user", "Q"),
        Message("assistant", "A"),
    )
    for not_a_transcript in ("Just an answer.", "\n\nHuman: a question alone", 42, None):
        assert hh_transcript(not_a_transcript) is None


def test_real_pairs_as_transcripts_are_the_same_samples_as_conversations(tmp_path: Path) -> None:
    rows = orca_rows()
    hh = load(tmp_path / "hh.jsonl", [as_hh(row) for row in rows])
    conversations = load(tmp_path / "messages.jsonl", [as_conversations(row) for row in rows])
    assert hh.schema == conversations.schema == "preference-implicit"
    assert [(e.sample_id, e.prompt_id) for e in hh.entries] == [
        (e.sample_id, e.prompt_id) for e in conversations.entries
    ]
    first = hh.samples([0])[0]
    assert first.messages == (Message("user", rows[0]["input"]["messages"][-1]["content"]),)
    assert first.chosen == (Message("assistant", rows[0]["preferred_output"][0]["content"]),)


def test_a_reversed_transcript_pair_shares_the_prompt(tmp_path: Path) -> None:
    row = orca_rows()[7]
    version = load(tmp_path / "hh.jsonl", [as_hh(row), as_hh(row, reverse=True)])
    one, two = version.samples([0, 1])
    assert one.prompt_id == two.prompt_id != one.id
    assert (one.chosen, one.rejected) == (two.rejected, two.chosen)


def test_multi_turn_transcripts_share_the_turns_before_the_answers(tmp_path: Path) -> None:
    context = "\n\nHuman: I'm going to Paris.\n\nAssistant: How exciting!\n\nHuman: What first?"
    record = {
        "chosen": f"{context}\n\nAssistant: The Eiffel Tower, early.",
        "rejected": f"{context}\n\nAssistant: Paris is boring.",
    }
    (sample,) = load(tmp_path / "hh.jsonl", [record]).samples([0])
    assert [m.content for m in sample.messages] == [
        "I'm going to Paris.",
        "How exciting!",
        "What first?",
    ]
    assert sample.chosen == (Message("assistant", "The Eiffel Tower, early."),)
    assert sample.rejected == (Message("assistant", "Paris is boring."),)


def test_plain_answers_stay_answers(tmp_path: Path) -> None:
    record = {"chosen": "Human: is how this answer starts.", "rejected": "A plain answer."}
    (sample,) = load(tmp_path / "plain.jsonl", [record]).samples([0])
    assert sample.chosen == (Message("assistant", record["chosen"]),)
    assert sample.rejected == (Message("assistant", record["rejected"]),)

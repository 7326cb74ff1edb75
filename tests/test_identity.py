"""Sample identity: the same training content has the same id whatever the file format."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from datatenet.version import Version
from tests.conftest import TEST_DATA

Record = dict[str, Any]


def write_jsonl(path: Path, records: list[Record], **dumps: Any) -> Path:
    path.write_text("".join(json.dumps(r, **dumps) + "\n" for r in records), "utf-8")
    return path


def load(path: Path, schema: str | None = None) -> Version:
    version = load_file(path, LoadOptions())
    assert not version.invalid
    if schema is not None:
        assert version.schema == schema
    return version


def ids(version: Version) -> list[tuple[str, str]]:
    return [(entry.sample_id, entry.prompt_id) for entry in version.entries]


# ---------------------------------------------------------------------------------------------
# Hand-written conversations in every SFT format

SYSTEM = "You are a concise maths tutor."
# (system, [(question, answer), ...]): the last pair is the one being trained, the rest history
CONVERSATIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (SYSTEM, [("What is 2+2?", "4")]),
    ("", [("Name a prime.", "7")]),
    (SYSTEM, [("What is 3*3?", "9"), ("And 3*4?", "12")]),
    ("", [("Hi", "Hello!"), ("Is 1 prime?", "No."), ("Why?", "It has one divisor.")]),
    (SYSTEM, [("Café au lait — 2 €?", "Yes, «2 €».")]),
]


def as_alpaca(system: str, turns: list[tuple[str, str]]) -> Record:
    record: Record = {"instruction": turns[-1][0], "input": "", "output": turns[-1][1]}
    if system:
        record["system"] = system
    if len(turns) > 1:
        record["history"] = [list(pair) for pair in turns[:-1]]
    return record


def as_pair(system: str, turns: list[tuple[str, str]]) -> Record:
    record: Record = {"question": turns[-1][0], "answer": turns[-1][1]}
    if system:
        record["system"] = system
    if len(turns) > 1:
        record["history"] = [list(pair) for pair in turns[:-1]]
    return record


def _openai(system: str, turns: list[tuple[str, str]]) -> list[Record]:
    messages = [{"role": "system", "content": system}] if system else []
    for question, answer in turns:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer})
    return messages


def as_messages(system: str, turns: list[tuple[str, str]]) -> Record:
    return {"messages": _openai(system, turns)}


def as_messages_system_field(system: str, turns: list[tuple[str, str]]) -> Record:
    record: Record = {"messages": _openai("", turns)}
    if system:
        record["system"] = system
    return record


def as_sharegpt(system: str, turns: list[tuple[str, str]]) -> Record:
    conversation = [{"from": "system", "value": system}] if system else []
    for question, answer in turns:
        conversation += [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]
    return {"conversations": conversation}


def as_sharegpt_system_field(system: str, turns: list[tuple[str, str]]) -> Record:
    record = as_sharegpt("", turns)
    if system:
        record["system"] = system
    return record


def as_prompt_completion(system: str, turns: list[tuple[str, str]]) -> Record:
    messages = _openai(system, turns)
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def as_prompt_completion_strings(system: str, turns: list[tuple[str, str]]) -> Record:
    """TRL's standard (string) form holds a single turn; the system goes in its own field."""
    record: Record = {"prompt": turns[-1][0], "completion": turns[-1][1]}
    if system:
        record["system"] = system
    return record


WRITERS: dict[str, tuple[Callable[[str, list[tuple[str, str]]], Record], str]] = {
    "alpaca": (as_alpaca, "alpaca"),
    "pair": (as_pair, "pair"),
    "messages": (as_messages, "messages"),
    "messages-system-field": (as_messages_system_field, "messages"),
    "sharegpt": (as_sharegpt, "sharegpt"),
    "sharegpt-system-field": (as_sharegpt_system_field, "sharegpt"),
    "prompt-completion": (as_prompt_completion, "prompt-completion"),
}


def test_same_conversations_in_every_format_have_the_same_ids(tmp_path: Path) -> None:
    results: dict[str, list[tuple[str, str]]] = {}
    for name, (writer, schema) in WRITERS.items():
        records = [writer(system, turns) for system, turns in CONVERSATIONS]
        results[name] = ids(load(write_jsonl(tmp_path / f"{name}.jsonl", records), schema))
    reference = results.pop("messages")
    assert len(set(reference)) == len(CONVERSATIONS)  # the conversations are all different
    for name, found in results.items():
        assert found == reference, name


def test_single_turn_strings_prompt_completion_matches_alpaca(tmp_path: Path) -> None:
    single = [(system, turns) for system, turns in CONVERSATIONS if len(turns) == 1]
    trl = [as_prompt_completion_strings(s, t) for s, t in single]
    alpaca = [as_alpaca(s, t) for s, t in single]
    trl_ids = ids(load(write_jsonl(tmp_path / "trl.jsonl", trl), "prompt-completion"))
    assert trl_ids == ids(load(write_jsonl(tmp_path / "alpaca.jsonl", alpaca), "alpaca"))


def test_system_field_or_leading_system_turn_is_the_same_sample(tmp_path: Path) -> None:
    turn = {"role": "user", "content": "What is 2+2?"}
    answer = {"role": "assistant", "content": "4"}
    records: list[Record] = [
        {"messages": [{"role": "system", "content": SYSTEM}, turn, answer]},
        {"messages": [turn, answer], "system": SYSTEM},
        {"messages": [turn, answer]},
    ]
    (a, pa), (b, pb), (c, pc) = ids(load(write_jsonl(tmp_path / "s.jsonl", records)))
    assert (a, pa) == (b, pb)
    assert a != c
    assert pa != pc  # the system prompt is part of the prompt


def test_alpaca_input_is_joined_to_the_instruction(tmp_path: Path) -> None:
    alpaca = [{"instruction": "Translate.", "input": "chat", "output": "cat"}]
    pair = [{"question": "Translate.\nchat", "answer": "cat"}]
    assert ids(load(write_jsonl(tmp_path / "a.jsonl", alpaca))) == ids(
        load(write_jsonl(tmp_path / "p.jsonl", pair))
    )


GET_WEATHER = {
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def test_sharegpt_function_call_and_observation_equal_openai_tool_calls(tmp_path: Path) -> None:
    sharegpt = {
        "conversations": [
            {"from": "human", "value": "Weather in Oslo?"},
            {
                "from": "function_call",
                "value": json.dumps({"name": "get_weather", "arguments": {"city": "Oslo"}}),
            },
            {"from": "observation", "value": '{"temp": -3}'},
            {"from": "gpt", "value": "It is -3 °C in Oslo."},
        ],
        "tools": json.dumps([GET_WEATHER]),
    }
    openai = {
        "messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_abc", "content": '{"temp": -3}'},
            {"role": "assistant", "content": "It is -3 °C in Oslo."},
        ],
        "tools": [{"type": "function", "function": GET_WEATHER}],
    }
    other_call_id = json.loads(json.dumps(openai))
    other_call_id["messages"][1]["tool_calls"][0]["id"] = "call_xyz"
    other_call_id["messages"][2]["tool_call_id"] = "call_xyz"
    other_call_id["messages"][2]["name"] = "get_weather"
    other_city = json.loads(json.dumps(openai))
    other_city["messages"][1]["tool_calls"][0]["function"]["arguments"] = '{"city": "Bergen"}'
    s = ids(load(write_jsonl(tmp_path / "s.jsonl", [sharegpt]), "sharegpt"))
    o = ids(load(write_jsonl(tmp_path / "o.jsonl", [openai, other_call_id, other_city])))
    assert o[0] == s[0]
    assert o[1] == s[0]  # tool-call ids only link turns
    assert o[2][0] != s[0][0]  # a different argument is a different sample
    assert o[2][1] != s[0][1]  # ... and a different prompt: the call precedes the final answer


def test_metadata_changes_meta_id_not_sample_id(tmp_path: Path) -> None:
    base = {"instruction": "What is 2+2?", "input": "", "output": "4"}
    records: list[Record] = [
        base,
        {**base, "id": "q-1"},
        {"id": "q-2", **base, "source": "handwritten", "tags": ["maths", "easy"]},
        {**base, "tags": ["maths"]},
    ]
    entries = load(write_jsonl(tmp_path / "m.jsonl", records), "alpaca").entries
    assert len({entry.sample_id for entry in entries}) == 1
    assert len({entry.prompt_id for entry in entries}) == 1
    assert len({entry.meta_id for entry in entries}) == 4


def test_a_different_answer_keeps_the_prompt_id(tmp_path: Path) -> None:
    records = [
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}]},
        {"messages": [{"role": "user", "content": "2+3?"}, {"role": "assistant", "content": "5"}]},
    ]
    (a, pa), (b, pb), (c, pc) = ids(load(write_jsonl(tmp_path / "a.jsonl", records)))
    assert a != b
    assert pa == pb
    assert c not in (a, b)
    assert pc != pa


def test_preference_answers_keep_the_prompt_id(tmp_path: Path) -> None:
    records = [
        {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
        {"prompt": "2+2?", "chosen": "4", "rejected": "22"},
        {"prompt": "2+2?", "chosen": "5", "rejected": "4"},  # swapped: a different sample
    ]
    (a, pa), (b, pb), (c, pc) = ids(load(write_jsonl(tmp_path / "p.jsonl", records)))
    assert len({a, b, c}) == 3
    assert pa == pb == pc


def test_serialisation_does_not_matter(tmp_path: Path) -> None:
    record = {
        "system": SYSTEM,
        "messages": [
            {"role": "user", "content": "Weather in Oslo? «ünïcode»"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
        ],
        "tools": [{"type": "function", "function": GET_WEATHER}],
    }
    reordered = {
        "tools": json.dumps([{"function": GET_WEATHER, "type": "function"}], indent=1),
        "messages": [
            {"content": "Weather in Oslo? «ünïcode»", "role": "user"},
            {
                "tool_calls": [
                    {
                        "function": {"arguments": '{ "city" : "Oslo" }', "name": "get_weather"},
                        "type": "function",
                    }
                ],
                "role": "assistant",
            },
        ],
        "system": SYSTEM,
    }
    compact = write_jsonl(tmp_path / "compact.jsonl", [record], separators=(",", ":"))
    spaced = write_jsonl(tmp_path / "spaced.jsonl", [reordered], ensure_ascii=True)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps([record], indent=4, ensure_ascii=False), "utf-8")
    reference = ids(load(compact))
    assert ids(load(spaced)) == reference
    assert ids(load(pretty)) == reference


def test_whitespace_inside_content_is_content(tmp_path: Path) -> None:
    records = [
        {"question": "What is 2+2?", "answer": "4"},
        {"question": "What is 2+2? ", "answer": "4"},
        {"question": "What is 2+2?", "answer": "4\n"},
    ]
    (a, pa), (b, pb), (c, pc) = ids(load(write_jsonl(tmp_path / "w.jsonl", records)))
    assert len({a, b, c}) == 3
    assert pa == pc != pb


# ---------------------------------------------------------------------------------------------
# Converting real files between formats keeps every id (tests/data: MIT, see its README)

GSM8K = "gsm8k_chat_train_head30.jsonl"
TOOLCALL = "stock_toolcall_training_head30.jsonl"
ORCA_DPO = "orca_dpo_validation_head30.jsonl"

_FROM = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation"}


def read_jsonl(path: Path) -> list[Record]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _split_system(messages: list[Record]) -> tuple[str, list[Record]]:
    if messages and messages[0]["role"] == "system":
        return messages[0]["content"], messages[1:]
    return "", messages


def _function_call(calls: list[Record]) -> str:
    decoded = [
        {"name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"])}
        for c in calls
    ]
    return json.dumps(decoded[0] if len(decoded) == 1 else decoded)


def messages_to_sharegpt(record: Record, *, system_field: bool) -> Record:
    system, messages = _split_system(record["messages"])
    conversation: list[Record] = []
    if system and not system_field:
        conversation.append({"from": "system", "value": system})
    for message in messages:
        if message.get("tool_calls"):
            assert not message.get("content"), "ShareGPT cannot hold text and a call in one turn"
            conversation.append(
                {"from": "function_call", "value": _function_call(message["tool_calls"])}
            )
        else:
            conversation.append({"from": _FROM[message["role"]], "value": message["content"]})
    out: Record = {"conversations": conversation}
    if system and system_field:
        out["system"] = system
    if record.get("tools"):
        out["tools"] = json.dumps([tool["function"] for tool in record["tools"]])
    return out


def messages_to_alpaca(record: Record) -> Record | None:
    system, messages = _split_system(record["messages"])
    roles = [m["role"] for m in messages]
    if roles != ["user", "assistant"] or messages[1].get("tool_calls") or record.get("tools"):
        return None
    return {
        "instruction": messages[0]["content"],
        "input": "",
        "output": messages[1]["content"],
        "system": system,
    }


def messages_to_prompt_completion(record: Record) -> Record:
    out: Record = {"prompt": record["messages"][:-1], "completion": record["messages"][-1:]}
    if record.get("tools"):
        out["tools"] = record["tools"]
    return out


def dpo_to_sharegpt_ranking(record: Record) -> Record:
    system, prompt = _split_system(record["input"]["messages"])
    out: Record = {
        "conversations": [{"from": _FROM[m["role"]], "value": m["content"]} for m in prompt],
        "chosen": {"from": "gpt", "value": record["preferred_output"][0]["content"]},
        "rejected": {"from": "gpt", "value": record["non_preferred_output"][0]["content"]},
    }
    if system:
        out["system"] = system
    return out


def dpo_to_trl_preference(record: Record) -> Record:
    return {
        "prompt": record["input"]["messages"],
        "chosen": record["preferred_output"],
        "rejected": record["non_preferred_output"],
    }


def dpo_to_trl_implicit(record: Record) -> Record:
    prompt = record["input"]["messages"]
    return {
        "chosen": prompt + record["preferred_output"],
        "rejected": prompt + record["non_preferred_output"],
    }


def dpo_to_alpaca_ranking(record: Record) -> Record:
    system, prompt = _split_system(record["input"]["messages"])
    (question,) = prompt
    return {
        "instruction": question["content"],
        "input": "",
        "chosen": record["preferred_output"][0]["content"],
        "rejected": record["non_preferred_output"][0]["content"],
        "system": system,
    }


Converter = Callable[[Record], Record | None]
CONVERSIONS: list[tuple[str, str, str, Converter]] = [
    (GSM8K, "messages", "sharegpt", lambda r: messages_to_sharegpt(r, system_field=False)),
    (GSM8K, "messages", "sharegpt", lambda r: messages_to_sharegpt(r, system_field=True)),
    (GSM8K, "messages", "alpaca", messages_to_alpaca),
    (GSM8K, "messages", "prompt-completion", messages_to_prompt_completion),
    (TOOLCALL, "messages", "sharegpt", lambda r: messages_to_sharegpt(r, system_field=False)),
    (TOOLCALL, "messages", "sharegpt", lambda r: messages_to_sharegpt(r, system_field=True)),
    (TOOLCALL, "messages", "prompt-completion", messages_to_prompt_completion),
    (ORCA_DPO, "openai-dpo", "sharegpt-ranking", dpo_to_sharegpt_ranking),
    (ORCA_DPO, "openai-dpo", "preference", dpo_to_trl_preference),
    (ORCA_DPO, "openai-dpo", "preference-implicit", dpo_to_trl_implicit),
    (ORCA_DPO, "openai-dpo", "preference", dpo_to_alpaca_ranking),
]
CONVERSION_IDS = [
    "gsm8k-sharegpt",
    "gsm8k-sharegpt-system-field",
    "gsm8k-alpaca",
    "gsm8k-prompt-completion",
    "toolcall-sharegpt",
    "toolcall-sharegpt-system-field",
    "toolcall-prompt-completion",
    "dpo-sharegpt-ranking",
    "dpo-trl-preference",
    "dpo-trl-implicit",
    "dpo-alpaca-ranking",
]


def check_conversion(
    source: Path, schema: str, target: str, convert: Converter, out_dir: Path
) -> int:
    """Convert `source` with `convert`, load both, assert the ids agree; the samples compared."""
    original = load(source, schema)
    records = read_jsonl(source)
    converted = [convert(record) for record in records]
    kept = [i for i, record in enumerate(converted) if record is not None]
    assert kept, "the conversion dropped every record"
    written = [record for record in converted if record is not None]
    out = write_jsonl(out_dir / f"converted_{target}.jsonl", written)
    head = load(out, target)
    expected = [ids(original)[i] for i in kept]
    assert Counter(ids(head)) == Counter(expected)
    assert ids(head) == expected  # and in the same order, record by record
    if len(kept) == len(records):
        changes = diff_versions(original, head)
        assert changes.is_empty
        assert changes.summary.unchanged == len(records)
    return len(kept)


@pytest.mark.parametrize(("file", "schema", "target", "convert"), CONVERSIONS, ids=CONVERSION_IDS)
def test_converting_a_real_file_keeps_every_id(
    tmp_path: Path, file: str, schema: str, target: str, convert: Converter
) -> None:
    assert check_conversion(TEST_DATA / file, schema, target, convert, tmp_path) == 30


def test_real_excerpts_hold_what_the_conversions_exercise() -> None:
    tool_calls = [
        m for r in read_jsonl(TEST_DATA / TOOLCALL) for m in r["messages"] if m.get("tool_calls")
    ]
    assert len(tool_calls) >= 10
    assert all(isinstance(m["tool_calls"][0]["function"]["arguments"], str) for m in tool_calls)
    assert (TEST_DATA / "LICENSE-msft-foundry").read_text("utf-8").startswith("MIT License")


def test_a_converted_file_with_one_real_edit_shows_that_edit(tmp_path: Path) -> None:
    records = read_jsonl(TEST_DATA / GSM8K)
    converted = [messages_to_sharegpt(r, system_field=True) for r in records]
    converted[4]["conversations"][-1]["value"] += " (checked)"
    del converted[7]
    original = load(TEST_DATA / GSM8K)
    changes = diff_versions(original, load(write_jsonl(tmp_path / "edited.jsonl", converted)))
    summary = changes.summary
    assert (summary.unchanged, summary.modified, summary.removed, summary.added) == (28, 1, 1, 0)
    assert changes.modified == ((4, 4),)
    assert changes.removed == (7,)


FULL_FILES = {
    GSM8K: "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    TOOLCALL: "msft_foundry_samples/tool_calling/stock_toolcall_training.jsonl",
    ORCA_DPO: "msft_foundry_samples/orca_dpo_pairs/validation.jsonl",
}


@pytest.mark.parametrize(("file", "schema", "target", "convert"), CONVERSIONS, ids=CONVERSION_IDS)
def test_converting_a_whole_real_file_keeps_every_id(
    shared_data: Path, tmp_path: Path, file: str, schema: str, target: str, convert: Converter
) -> None:
    source = shared_data / FULL_FILES[file]
    assert check_conversion(source, schema, target, convert, tmp_path) >= 30

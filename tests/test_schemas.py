"""Each schema of formats/schemas.py, read from real files: detection, --format, --map and
LLaMA-Factory's dataset_info.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datatenet.errors import InputError
from datatenet.formats.load import LoadOptions, load_file
from datatenet.formats.schemas import SCHEMAS_BY_NAME
from datatenet.samples import Message, Sample, canonical_json
from datatenet.version import Version


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def load(
    path: Path, options: LoadOptions | None = None, *, expect_schema: str | None = None
) -> tuple[Version, list[Sample]]:
    version = load_file(path, options or LoadOptions())
    assert not version.invalid
    if expect_schema is not None:
        assert version.schema == expect_schema
    return version, version.samples(list(range(len(version.entries))))


def load_records(
    tmp_path: Path,
    records: list[dict[str, Any]],
    options: LoadOptions | None = None,
    *,
    expect_schema: str | None = None,
    name: str = "data.jsonl",
) -> list[Sample]:
    return load(write_jsonl(tmp_path / name, records), options, expect_schema=expect_schema)[1]


def U(content: str) -> Message:
    return Message("user", content)


def A(content: str, tool_calls: Any = None) -> Message:
    calls = None if tool_calls is None else canonical_json(tool_calls)
    return Message("assistant", content, calls)


def T(content: str) -> Message:
    return Message("tool", content)


SYSTEM = "You are a terse assistant."
TOOLS = [
    {
        "name": "get_price",
        "description": "Get the current stock price",
        "parameters": {
            "type": "object",
            "properties": {"symbol": {"type": "string"}},
            "required": ["symbol"],
        },
    }
]
CALL = [{"name": "get_price", "arguments": {"symbol": "AAPL"}}]
TOOL_CONVERSATION = (
    U("What is AAPL at?"),
    A("", CALL),
    T('{"price": 190.5}'),
    A("It is at 190.5."),
)
TOOL_SAMPLE = Sample(TOOL_CONVERSATION, SYSTEM, canonical_json(TOOLS))
PREFERENCE_SAMPLE = Sample((U("Is 7 prime?"),), SYSTEM, None, (A("Yes."),), (A("No."),))


def test_every_schema_has_a_test() -> None:
    tested = {
        "openai-dpo",
        "sharegpt-ranking",
        "kto",
        "sharegpt",
        "messages",
        "preference",
        "preference-implicit",
        "unpaired-preference",
        "prompt-completion",
        "alpaca",
        "pair",
        "text",
    }
    assert set(SCHEMAS_BY_NAME) == tested


# ---------------------------------------------------------------------------------------------
# Detection, one schema at a time


def test_openai_dpo(tmp_path: Path) -> None:
    record = {
        "input": {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": "Is 7 prime?"},
            ]
        },
        "preferred_output": [{"role": "assistant", "content": "Yes."}],
        "non_preferred_output": [{"role": "assistant", "content": "No."}],
        "source": "orca",
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="openai-dpo")
    assert sample == PREFERENCE_SAMPLE
    assert sample.meta == {"source": "orca"}
    assert sample.prompt_text == f"{SYSTEM}\nIs 7 prime?"
    assert sample.response_text == "Yes."


def test_openai_dpo_tools_inside_input(tmp_path: Path) -> None:
    openai_tools = [{"type": "function", "function": t} for t in TOOLS]
    record = {
        "input": {"messages": [{"role": "user", "content": "AAPL?"}], "tools": openai_tools},
        "preferred_output": [{"role": "assistant", "content": "190.5"}],
        "non_preferred_output": [{"role": "assistant", "content": "no idea"}],
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="openai-dpo")
    assert sample.tools == canonical_json(TOOLS)
    assert sample.chosen == (A("190.5"),)


@pytest.mark.parametrize(
    ("chosen", "rejected"),
    [
        ({"from": "gpt", "value": "Yes."}, {"from": "gpt", "value": "No."}),
        ("Yes.", "No."),
        ([{"from": "gpt", "value": "Yes."}], [{"from": "gpt", "value": "No."}]),
    ],
    ids=["objects", "strings", "lists"],
)
def test_sharegpt_ranking(tmp_path: Path, chosen: Any, rejected: Any) -> None:
    record = {
        "conversations": [
            {"from": "system", "value": SYSTEM},
            {"from": "human", "value": "Is 7 prime?"},
        ],
        "chosen": chosen,
        "rejected": rejected,
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="sharegpt-ranking")
    assert sample == PREFERENCE_SAMPLE


@pytest.mark.parametrize(
    ("raw", "label"), [(True, True), (False, False), (1, True), ("false", False)]
)
def test_kto(tmp_path: Path, raw: Any, label: bool) -> None:
    record = {
        "messages": [
            {"role": "user", "content": "Is 7 prime?"},
            {"role": "assistant", "content": "Yes."},
        ],
        "label": raw,
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="kto")
    assert sample == Sample((U("Is 7 prime?"), A("Yes.")), label=label)
    assert sample.meta == {}


def test_kto_conversations_and_bad_label(tmp_path: Path) -> None:
    convo = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]
    (sample,) = load_records(
        tmp_path, [{"conversations": convo, "label": False}], expect_schema="kto"
    )
    assert sample == Sample((U("Hi"), A("Hello")), label=False)
    path = write_jsonl(tmp_path / "bad.jsonl", [{"conversations": convo, "label": "maybe"}])
    with pytest.raises(InputError, match=r"bad.jsonl:1: field 'label' is .*expected true or false"):
        load_file(path, LoadOptions())


def test_sharegpt_with_system_function_call_observation_and_tools_string(tmp_path: Path) -> None:
    record = {
        "conversations": [
            {"from": "human", "value": "What is AAPL at?"},
            {
                "from": "function_call",
                "value": json.dumps({"name": "get_price", "arguments": {"symbol": "AAPL"}}),
            },
            {"from": "observation", "value": '{"price": 190.5}'},
            {"from": "gpt", "value": "It is at 190.5."},
        ],
        "system": SYSTEM,
        "tools": json.dumps(TOOLS),
        "id": "glaive-1",
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="sharegpt")
    assert sample == TOOL_SAMPLE
    assert sample.meta == {"id": "glaive-1"}
    assert sample.response_messages == (A("It is at 190.5."),)


def test_messages_with_tools_and_tool_calls(tmp_path: Path) -> None:
    record = {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "What is AAPL at?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_price", "arguments": '{"symbol": "AAPL"}'},
                    }
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "call_1",
                "name": "get_price",
                "content": '{"price": 190.5}',
            },
            {"role": "assistant", "content": "It is at 190.5."},
        ],
        "tools": [{"type": "function", "function": t} for t in TOOLS],
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="messages")
    assert sample == TOOL_SAMPLE
    assert sample.messages[1].tool_calls == canonical_json(CALL)


def test_messages_keep_training_relevant_extras(tmp_path: Path) -> None:
    """A key such as `weight` (OpenAI) changes training, so it is part of the sample."""
    plain = {
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]
    }
    weighted = json.loads(json.dumps(plain))
    weighted["messages"][1]["weight"] = 0
    a, b = load_records(tmp_path, [plain, weighted], expect_schema="messages")
    assert b.messages[1].extra == '{"weight":0}'
    assert a.id != b.id
    assert a.prompt_id == b.prompt_id


@pytest.mark.parametrize("prompt_field", ["prompt", "question", "instruction"])
def test_preference_with_explicit_prompt_string(tmp_path: Path, prompt_field: str) -> None:
    record = {prompt_field: "Is 7 prime?", "chosen": "Yes.", "rejected": "No.", "system": SYSTEM}
    (sample,) = load_records(tmp_path, [record], expect_schema="preference")
    assert sample == PREFERENCE_SAMPLE


def test_preference_with_instruction_input_and_history(tmp_path: Path) -> None:
    record = {
        "instruction": "Is it prime?",
        "input": "7",
        "chosen": "Yes.",
        "rejected": "No.",
        "history": [["Hi", "Hello"]],
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="preference")
    assert sample.messages == (U("Hi"), A("Hello"), U("Is it prime?\n7"))
    assert (sample.chosen, sample.rejected) == ((A("Yes."),), (A("No."),))


def test_preference_with_prompt_as_conversation(tmp_path: Path) -> None:
    record = {
        "prompt": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Is 7 prime?"},
        ],
        "chosen": [{"role": "assistant", "content": "Yes."}],
        "rejected": [{"role": "assistant", "content": "No."}],
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="preference")
    assert sample == PREFERENCE_SAMPLE


def test_preference_implicit_prompt_is_the_shared_prefix(tmp_path: Path) -> None:
    def conversation(answer: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Is 7 prime?"},
            {"role": "assistant", "content": answer},
        ]

    multi_turn = {
        "chosen": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "Bye"},
            {"role": "assistant", "content": "Goodbye!"},
        ],
        "rejected": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "Bye"},
            {"role": "assistant", "content": "Whatever."},
        ],
    }
    records = [{"chosen": conversation("Yes."), "rejected": conversation("No.")}, multi_turn]
    single, multi = load_records(tmp_path, records, expect_schema="preference-implicit")
    assert single == PREFERENCE_SAMPLE
    assert multi.messages == (U("Hi"), A("Hello"), U("Bye"))
    assert (multi.chosen, multi.rejected) == ((A("Goodbye!"),), (A("Whatever."),))


def test_unpaired_preference(tmp_path: Path) -> None:
    records = [
        {"prompt": "Is 7 prime?", "completion": "No.", "label": False},
        {
            "prompt": [{"role": "user", "content": "Is 7 prime?"}],
            "completion": [{"role": "assistant", "content": "Yes."}],
            "label": True,
        },
    ]
    bad, good = load_records(tmp_path, records, expect_schema="unpaired-preference")
    assert bad == Sample((U("Is 7 prime?"), A("No.")), label=False)
    assert good == Sample((U("Is 7 prime?"), A("Yes.")), label=True)
    assert bad.prompt_id == good.prompt_id


def test_prompt_completion_strings_and_conversations(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"prompt": "Is 7 prime?", "completion": "Yes.", "system": SYSTEM},
        {
            "prompt": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": "Is 7 prime?"},
            ],
            "completion": [{"role": "assistant", "content": "Yes."}],
        },
    ]
    strings, conversation = load_records(tmp_path, records, expect_schema="prompt-completion")
    assert strings == Sample((U("Is 7 prime?"), A("Yes.")), SYSTEM)
    assert conversation == strings
    assert conversation.label is None


def test_alpaca_with_system_and_history(tmp_path: Path) -> None:
    record = {
        "instruction": "And 9?",
        "input": "Answer yes or no.",
        "output": "No.",
        "system": SYSTEM,
        "history": [["Is 7 prime?", "Yes."], ["And 8?", "No."]],
    }
    (sample,) = load_records(tmp_path, [record], expect_schema="alpaca")
    assert sample == Sample(
        (
            U("Is 7 prime?"),
            A("Yes."),
            U("And 8?"),
            A("No."),
            U("And 9?\nAnswer yes or no."),
            A("No."),
        ),
        SYSTEM,
    )
    assert sample.prompt_messages[-1] == U("And 9?\nAnswer yes or no.")


def test_alpaca_system_first_seen_late_is_still_the_system(tmp_path: Path) -> None:
    records = [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(250)]
    records.append({"instruction": "q", "input": "", "output": "a", "system": SYSTEM})
    samples = load_records(tmp_path, records, expect_schema="alpaca")
    assert samples[-1].system == SYSTEM
    assert samples[-1].meta == {}


def test_alpaca_bad_history_is_a_record_error(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "h.jsonl", [{"instruction": "q", "output": "a", "history": [["only one"]]}]
    )
    with pytest.raises(InputError, match=r"h.jsonl:1: history\[0\] is not a \[question, answer\]"):
        load_file(path, LoadOptions())


@pytest.mark.parametrize(
    ("prompt_field", "response_field"),
    [("question", "answer"), ("prompt", "response"), ("query", "response"), ("input", "output")],
)
def test_pair(tmp_path: Path, prompt_field: str, response_field: str) -> None:
    record = {prompt_field: "Is 7 prime?", response_field: "Yes.", "source": "quiz"}
    (sample,) = load_records(tmp_path, [record], expect_schema="pair")
    assert sample == Sample((U("Is 7 prime?"), A("Yes.")))
    assert sample.meta == {"source": "quiz"}


def test_text(tmp_path: Path) -> None:
    (sample,) = load_records(
        tmp_path, [{"text": "Once upon a time.", "url": "x"}], expect_schema="text"
    )
    assert sample == Sample((A("Once upon a time."),))
    assert sample.meta == {"url": "x"}


def test_detection_follows_most_records(tmp_path: Path) -> None:
    """One stray record does not decide the schema; it is reported against the majority."""
    records: list[dict[str, Any]] = [{"question": f"q{i}", "answer": "a"} for i in range(3)]
    records.insert(1, {"text": "stray"})
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    with pytest.raises(InputError, match=r"mixed.jsonl:2: .*schema pair.*looks like text"):
        load_file(path, LoadOptions())
    version = load_file(path, LoadOptions(skip_invalid=True))
    assert version.schema == "pair"
    assert len(version.entries) == 3
    assert [item.position for item in version.invalid] == [2]


def test_non_string_prompt_is_a_record_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "n.jsonl", [{"question": 7, "answer": "seven"}])
    with pytest.raises(InputError, match=r"n.jsonl:1: field 'question' is a number \(7\)"):
        load_file(path, LoadOptions())


def test_unknown_role_is_a_record_error(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl", [{"messages": [{"role": "narrator", "content": "Once"}]}]
    )
    with pytest.raises(InputError, match=r"r.jsonl:1: messages\[0\] has the unknown role"):
        load_file(path, LoadOptions())


# ---------------------------------------------------------------------------------------------
# --format forces a schema


def test_format_forces_a_schema(tmp_path: Path) -> None:
    records = [{"prompt": "Is 7 prime?", "completion": "Yes.", "label": True}]
    path = write_jsonl(tmp_path / "f.jsonl", records)
    (detected,) = load(path, expect_schema="unpaired-preference")[1]
    assert detected.label is True
    (forced,) = load(
        path, LoadOptions(schema="prompt-completion"), expect_schema="prompt-completion"
    )[1]
    assert forced.label is None
    assert forced.meta == {"label": True}
    assert forced.id != detected.id


def test_format_text_on_a_file_with_text_and_pairs(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"question": "q", "answer": "a", "text": "q a"}])
    assert load(path)[0].schema == "pair"
    (sample,) = load(path, LoadOptions(schema="text"), expect_schema="text")[1]
    assert sample == Sample((A("q a"),))
    assert sample.meta == {"question": "q", "answer": "a"}


def test_format_that_does_not_fit_says_so(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [{"question": "q", "answer": "a"}])
    with pytest.raises(InputError, match="does not fit --format messages"):
        load_file(path, LoadOptions(schema="messages"))
    with pytest.raises(InputError, match="--format: unknown schema 'chatml'"):
        load_file(path, LoadOptions(schema="chatml"))


# ---------------------------------------------------------------------------------------------
# --map renames fields


def test_map_reads_own_field_names(tmp_path: Path) -> None:
    mapped = write_jsonl(
        tmp_path / "mapped.jsonl",
        [{"question": "Is 7 prime?", "response_chosen": "Yes.", "response_rejected": "No."}],
    )
    with pytest.raises(InputError, match="cannot tell the schema"):
        load_file(mapped, LoadOptions())
    mapping = {"prompt": "question", "chosen": "response_chosen", "rejected": "response_rejected"}
    (sample,) = load(mapped, LoadOptions(mapping=mapping), expect_schema="preference")[1]
    assert sample == Sample((U("Is 7 prime?"),), "", None, (A("Yes."),), (A("No."),))
    assert sample.meta == {}
    plain = write_jsonl(
        tmp_path / "plain.jsonl", [{"prompt": "Is 7 prime?", "chosen": "Yes.", "rejected": "No."}]
    )
    assert load(plain)[1][0].id == sample.id


def test_map_wins_over_an_alias(tmp_path: Path) -> None:
    """`--map response=answer_v2` reads that field even though `answer` is also there."""
    path = write_jsonl(
        tmp_path / "v.jsonl", [{"question": "q", "answer": "old", "answer_v2": "new"}]
    )
    (default,) = load(path)[1]
    assert default.messages[-1] == A("old")
    (sample,) = load(path, LoadOptions(mapping={"response": "answer_v2"}), expect_schema="pair")[1]
    assert sample.messages[-1] == A("new")
    assert sample.meta == {"answer": "old"}


def test_map_messages_and_system(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [{"dialog": [{"role": "user", "content": "Hi"}], "persona": SYSTEM, "system": "unused"}],
    )
    (sample,) = load(path, LoadOptions(mapping={"messages": "dialog", "system": "persona"}))[1]
    assert sample == Sample((U("Hi"),), SYSTEM)
    assert sample.meta == {"system": "unused"}


# ---------------------------------------------------------------------------------------------
# LLaMA-Factory dataset_info.json beside the file


def write_info(directory: Path, entries: dict[str, Any]) -> None:
    (directory / "dataset_info.json").write_text(json.dumps(entries), "utf-8")


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, indent=2), "utf-8")
    return path


def test_dataset_info_sharegpt_tags_and_columns(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "support.json",
        [
            {
                "dialog": [
                    {"speaker": "sys", "text": SYSTEM},
                    {"speaker": "customer", "text": "What is AAPL at?"},
                    {"speaker": "fn", "text": json.dumps(CALL[0])},
                    {"speaker": "result", "text": '{"price": 190.5}'},
                    {"speaker": "agent", "text": "It is at 190.5."},
                ],
                "functions": json.dumps(TOOLS),
                "ticket": 17,
            }
        ],
    )
    with pytest.raises(InputError, match="cannot tell the schema"):
        load_file(path, LoadOptions())
    write_info(
        tmp_path,
        {
            "other": {"file_name": "other.json"},
            "support": {
                "file_name": "support.json",
                "formatting": "sharegpt",
                "columns": {"messages": "dialog", "tools": "functions"},
                "tags": {
                    "role_tag": "speaker",
                    "content_tag": "text",
                    "user_tag": "customer",
                    "assistant_tag": "agent",
                    "system_tag": "sys",
                    "function_tag": "fn",
                    "observation_tag": "result",
                },
            },
        },
    )
    (sample,) = load(path, expect_schema="sharegpt")[1]
    assert sample == TOOL_SAMPLE
    assert sample.meta == {"ticket": 17}


def test_dataset_info_role_content_tags_kto(tmp_path: Path) -> None:
    """LLaMA-Factory's kto_en_demo entry: role/content tags and a kto_tag column."""
    path = write_json(
        tmp_path / "kto.json",
        [
            {
                "messages": [
                    {"role": "user", "content": "Is 7 prime?"},
                    {"role": "assistant", "content": "No."},
                ],
                "is_good": False,
            }
        ],
    )
    write_info(
        tmp_path,
        {
            "kto_demo": {
                "file_name": "kto.json",
                "formatting": "sharegpt",
                "columns": {"messages": "messages", "kto_tag": "is_good"},
                "tags": {
                    "role_tag": "role",
                    "content_tag": "content",
                    "user_tag": "user",
                    "assistant_tag": "assistant",
                },
            }
        },
    )
    (sample,) = load(path, expect_schema="kto")[1]
    assert sample == Sample((U("Is 7 prime?"), A("No.")), label=False)
    assert sample.meta == {}


def test_dataset_info_sharegpt_ranking(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "dpo.json",
        [
            {
                "conversations": [{"from": "human", "value": "Is 7 prime?"}],
                "better": {"from": "gpt", "value": "Yes."},
                "worse": {"from": "gpt", "value": "No."},
                "system": SYSTEM,
            }
        ],
    )
    write_info(
        tmp_path,
        {
            "dpo": {
                "file_name": "dpo.json",
                "formatting": "sharegpt",
                "ranking": True,
                "columns": {"messages": "conversations", "chosen": "better", "rejected": "worse"},
            }
        },
    )
    (sample,) = load(path, expect_schema="sharegpt-ranking")[1]
    # The entry names no system column, so LLaMA-Factory would not train on `system` either.
    assert sample == Sample((U("Is 7 prime?"),), "", None, (A("Yes."),), (A("No."),))
    assert sample.meta == {"system": SYSTEM}


def test_dataset_info_alpaca_ranking_and_columns(tmp_path: Path) -> None:
    ranked = write_json(
        tmp_path / "ranked.json",
        [{"instruction": "Is 7 prime?", "input": "", "chosen": "Yes.", "rejected": "No."}],
    )
    renamed = write_json(
        tmp_path / "renamed.json",
        [{"q": "Is 7 prime?", "a": "Yes.", "sys": SYSTEM, "hist": [["Hi", "Hello"]]}],
    )
    write_info(
        tmp_path,
        {
            "ranked": {"file_name": "ranked.json", "ranking": True},
            "renamed": {
                "file_name": "renamed.json",
                "columns": {"prompt": "q", "response": "a", "system": "sys", "history": "hist"},
            },
        },
    )
    (preference,) = load(ranked, expect_schema="preference")[1]
    assert preference == Sample((U("Is 7 prime?"),), "", None, (A("Yes."),), (A("No."),))
    (alpaca,) = load(renamed, expect_schema="alpaca")[1]
    assert alpaca == Sample((U("Hi"), A("Hello"), U("Is 7 prime?"), A("Yes.")), SYSTEM)


def test_dataset_info_pretraining_text(tmp_path: Path) -> None:
    path = write_json(tmp_path / "wiki.json", [{"body": "Once upon a time.", "title": "t"}])
    write_info(tmp_path, {"wiki": {"file_name": "wiki.json", "columns": {"prompt": "body"}}})
    (sample,) = load(path, expect_schema="text")[1]
    assert sample == Sample((A("Once upon a time."),))


def test_dataset_info_is_ignored_under_format_or_map_and_for_other_files(tmp_path: Path) -> None:
    records = [{"instruction": "Is 7 prime?", "output": "Yes.", "system": SYSTEM}]
    path = write_json(tmp_path / "a.json", records)
    write_json(tmp_path / "b.json", records)
    write_info(tmp_path, {"a": {"file_name": "a.json"}})  # no system column
    (info,) = load(path, expect_schema="alpaca")[1]
    assert info.system == ""
    (forced,) = load(path, LoadOptions(schema="alpaca"))[1]
    (other,) = load(tmp_path / "b.json", expect_schema="alpaca")[1]
    assert forced.system == other.system == SYSTEM
    (mapped,) = load(path, LoadOptions(mapping={"response": "output"}))[1]
    assert mapped.system == SYSTEM


def test_dataset_info_given_explicitly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = write_json(data_dir / "d.json", [{"q": "Is 7 prime?", "a": "Yes."}])
    info = tmp_path / "elsewhere.json"
    info.write_text(
        json.dumps({"d": {"file_name": "d.json", "columns": {"prompt": "q", "response": "a"}}})
    )
    (sample,) = load(path, LoadOptions(dataset_info=info), expect_schema="alpaca")[1]
    assert sample == Sample((U("Is 7 prime?"), A("Yes.")))


def test_unreadable_dataset_info_is_an_input_error(tmp_path: Path) -> None:
    path = write_json(tmp_path / "d.json", [{"question": "q", "answer": "a"}])
    (tmp_path / "dataset_info.json").write_text("{not json", "utf-8")
    with pytest.raises(InputError, match=r"unreadable dataset_info\.json"):
        load_file(path, LoadOptions())


def test_dataset_info_alpaca_kto_tag_is_the_label(tmp_path: Path) -> None:
    """LLaMA-Factory reads kto_tag in the alpaca format too: flipping it is a change."""
    records = [
        {"instruction": "Is 7 prime?", "output": "Yes.", "good": True},
        {"instruction": "Is 7 prime?", "output": "Yes.", "good": False},
    ]
    path = write_json(tmp_path / "kto_alpaca.json", records)
    write_info(
        tmp_path,
        {
            "k": {
                "file_name": "kto_alpaca.json",
                "columns": {"response": "output", "kto_tag": "good"},
            }
        },
    )
    good, bad = load(path, expect_schema="alpaca")[1]
    assert good == Sample((U("Is 7 prime?"), A("Yes.")), label=True)
    assert bad.label is False
    assert good.id != bad.id
    assert good.prompt_id == bad.prompt_id


def test_dataset_info_columns_no_schema_reads_stay_metadata(tmp_path: Path) -> None:
    """An image column (LLaMA-Factory's mllm_demo) is not text, but its edits must show."""
    convo = [{"from": "human", "value": "<image>What is this?"}, {"from": "gpt", "value": "A cat"}]
    records = [
        {"conversations": convo, "images": ["a.jpg"]},
        {"conversations": convo, "images": ["b.jpg"]},
    ]
    path = write_json(tmp_path / "mllm.json", records)
    write_info(
        tmp_path,
        {
            "mllm": {
                "file_name": "mllm.json",
                "formatting": "sharegpt",
                "columns": {"messages": "conversations", "images": "images"},
            }
        },
    )
    version, (a, b) = load(path, expect_schema="sharegpt")
    assert a.id == b.id
    assert (a.meta, b.meta) == ({"images": ["a.jpg"]}, {"images": ["b.jpg"]})
    assert version.entries[0].meta_id != version.entries[1].meta_id


def test_dataset_info_file_name_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = write_json(tmp_path / "sub" / "d.json", [{"q": "Is 7 prime?", "a": "Yes."}])
    write_info(
        tmp_path, {"d": {"file_name": "sub/d.json", "columns": {"prompt": "q", "response": "a"}}}
    )
    options = LoadOptions(dataset_info=tmp_path / "dataset_info.json")
    (sample,) = load(path, options, expect_schema="alpaca")[1]
    assert sample == Sample((U("Is 7 prime?"), A("Yes.")))


def test_alpaca_empty_instruction_or_input_adds_no_newline(tmp_path: Path) -> None:
    records = [
        {"instruction": "", "input": "Is 7 prime?", "output": "Yes."},
        {"instruction": "Is 7 prime?", "input": "", "output": "Yes."},
        {"instruction": "Is 7 prime?", "output": "Yes."},
    ]
    samples = load_records(tmp_path, records, expect_schema="alpaca")
    assert all(s == Sample((U("Is 7 prime?"), A("Yes."))) for s in samples)


def test_dataset_info_columns_survive_a_field_that_appears_later(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"instruction": "And 3*4?", "output": "12", "turns": [["What is 3*3?", "9"]]},
        {"instruction": "Is 7 prime?", "output": "Yes.", "turns": [], "system": SYSTEM},
    ]
    path = write_json(tmp_path / "late.json", records)
    columns = {"prompt": "instruction", "response": "output", "history": "turns"}
    write_info(tmp_path, {"late": {"file_name": "late.json", "columns": columns}})
    first, second = load(path, expect_schema="alpaca")[1]
    assert first == Sample((U("What is 3*3?"), A("9"), U("And 3*4?"), A("12")))
    assert second == Sample((U("Is 7 prime?"), A("Yes.")))
    assert second.meta == {"system": SYSTEM}

"""Schemas: one record (a JSON object) -> one normalized Sample.

Every schema is a table of canonical field names (LLaMA-Factory's column names: prompt, query,
response, system, history, messages, chosen, rejected, ...) with the field names that spell them
in the wild, plus one converter. A user mapping (`--map prompt=question`) or a LLaMA-Factory
`dataset_info.json` entry binds canonical names to a file's own fields.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from datatenet.errors import RecordError
from datatenet.formats.fields import (
    fold_system,
    prompt_turns,
    read_label,
    read_messages,
    read_response,
    read_text,
    read_tools,
    value_kind,
)
from datatenet.samples import Message, Sample

Record = dict[str, Any]

CANONICAL_FIELDS = (
    "prompt",
    "query",
    "response",
    "completion",
    "system",
    "history",
    "messages",
    "chosen",
    "rejected",
    "label",
    "tools",
    "text",
    "input",
    "preferred_output",
    "non_preferred_output",
)

DEFAULT_ROLES: Mapping[str, str] = {
    "user": "user",
    "human": "user",
    "prompter": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "system": "system",
    "tool": "tool",
    "observation": "tool",
    "function": "tool",
    "ipython": "tool",
    "function_call": "function_call",
}

# Message keys that only link turns together and carry no training signal.
_LINK_KEYS = frozenset({"tool_call_id", "id"})


@dataclass(frozen=True)
class Tags:
    """How the messages of a conversation spell role and content (LLaMA-Factory's `tags`)."""

    role_keys: tuple[str, ...] = ("role", "from")
    content_keys: tuple[str, ...] = ("content", "value")
    roles: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))


@dataclass(frozen=True)
class SchemaSpec:
    name: str
    description: str
    aliases: Mapping[str, tuple[str, ...]]  # canonical name -> field names that spell it
    required: tuple[str, ...]
    convert: Callable[[Record, BoundSchema], Sample]


@dataclass(frozen=True)
class BoundSchema:
    """A schema with the file's own field for each canonical name it uses."""

    spec: SchemaSpec
    columns: Mapping[str, str]
    tags: Tags = field(default_factory=Tags)
    cells_are_text: bool = False  # CSV/TSV: lists arrive as JSON text

    @property
    def name(self) -> str:
        return self.spec.name

    def convert(self, record: Record) -> Sample:
        return self.spec.convert(record, self)

    def get(self, record: Record, canonical: str) -> Any:
        column = self.columns.get(canonical)
        return None if column is None else record.get(column)

    @cached_property
    def used_fields(self) -> frozenset[str]:
        return frozenset(self.columns.values())

    def meta(self, record: Record) -> dict[str, Any]:
        used = self.used_fields
        if record.keys() <= used:  # a keys view compares without building a set
            return {}
        return {key: value for key, value in record.items() if key not in used}


# ---------------------------------------------------------------------------------------------
# Converters


def _convert_pair(record: Record, bound: BoundSchema) -> Sample:
    system, turns = prompt_turns(bound, record)
    turns.append(Message("assistant", read_text(bound, record, "response")))
    # LLaMA-Factory reads a kto_tag in the alpaca format too (dataset_info columns, --map label=)
    label = read_label(bound, record) if "label" in bound.columns else None
    return Sample(
        tuple(turns), system, read_tools(bound, record), label=label, meta=bound.meta(record)
    )


def _convert_prompt_completion(record: Record, bound: BoundSchema) -> Sample:
    system, turns = prompt_turns(bound, record)
    completion = read_response(bound.get(record, "completion"), bound, "completion")
    label = read_label(bound, record) if "label" in bound.columns else None
    return Sample(
        tuple(turns) + completion,
        system,
        read_tools(bound, record),
        label=label,
        meta=bound.meta(record),
    )


_HH_MARKER = re.compile(r"\n\n(Human|Assistant):[ \t]?")
_HH_ROLES = {"Human": "user", "Assistant": "assistant"}


def hh_transcript(value: Any) -> tuple[Message, ...] | None:
    """An Anthropic HH transcript ("\n\nHuman: …\n\nAssistant: …", the form of hh-rlhf and many
    DPO sets) as its turns; None for any other value. The leading blank lines may be missing."""
    if not isinstance(value, str) or not value.lstrip("\n").startswith("Human:"):
        return None
    parts = _HH_MARKER.split("\n\n" + value.lstrip("\n"))
    if parts[0] or "Assistant" not in parts[1::2]:
        return None
    return tuple(
        Message(_HH_ROLES[role], content)
        for role, content in zip(parts[1::2], parts[2::2], strict=True)
    )


def _convert_preference(record: Record, bound: BoundSchema) -> Sample:
    chosen_value, rejected_value = bound.get(record, "chosen"), bound.get(record, "rejected")
    transcripts = hh_transcript(chosen_value), hh_transcript(rejected_value)
    if "prompt" not in bound.columns and transcripts[0] and transcripts[1]:
        # Whole conversations: their shared turns are the prompt (below), as TRL reads them.
        chosen, rejected = transcripts[0], transcripts[1]
    else:
        chosen = read_response(chosen_value, bound, "chosen")
        rejected = read_response(rejected_value, bound, "rejected")
    if "prompt" in bound.columns:
        system, turns = prompt_turns(bound, record)
        prompt = tuple(turns)
    else:  # implicit prompt: the shared prefix of the two conversations
        shared = 0
        while shared < min(len(chosen), len(rejected)) - 1 and chosen[shared] == rejected[shared]:
            shared += 1
        system, prompt = fold_system(
            read_text(bound, record, "system", optional=True), chosen[:shared]
        )
        chosen, rejected = chosen[shared:], rejected[shared:]
    return Sample(
        prompt, system, read_tools(bound, record), chosen, rejected, meta=bound.meta(record)
    )


def _convert_conversation(record: Record, bound: BoundSchema) -> Sample:
    messages = read_messages(bound.get(record, "messages"), bound, bound.columns["messages"])
    system, messages = fold_system(read_text(bound, record, "system", optional=True), messages)
    chosen = rejected = None
    if "chosen" in bound.columns:
        chosen = read_response(bound.get(record, "chosen"), bound, "chosen")
        rejected = read_response(bound.get(record, "rejected"), bound, "rejected")
    label = read_label(bound, record) if "label" in bound.columns else None
    return Sample(
        messages,
        system,
        read_tools(bound, record),
        chosen,
        rejected,
        label,
        meta=bound.meta(record),
    )


def _convert_openai_dpo(record: Record, bound: BoundSchema) -> Sample:
    source = bound.get(record, "input")
    if not isinstance(source, dict):
        raise RecordError(
            f"field 'input' is {value_kind(source)}, expected an object with messages"
        )
    messages = read_messages(source.get("messages"), bound, "input.messages")
    system, messages = fold_system("", messages)
    tools = source.get("tools")
    return Sample(
        messages,
        system,
        None if not tools else read_tools(BoundSchema(bound.spec, {"tools": "tools"}), source),
        read_response(bound.get(record, "preferred_output"), bound, "preferred_output"),
        read_response(bound.get(record, "non_preferred_output"), bound, "non_preferred_output"),
        meta=bound.meta(record),
    )


def _convert_text(record: Record, bound: BoundSchema) -> Sample:
    return Sample(
        (Message("assistant", read_text(bound, record, "text")),), meta=bound.meta(record)
    )


# ---------------------------------------------------------------------------------------------
# The schemas, in detection order: the first whose required fields a record has wins.

_SYSTEM = ("system",)
_TOOLS = ("tools",)
_PROMPT = ("prompt", "question", "instruction", "query", "input")

SCHEMAS: tuple[SchemaSpec, ...] = (
    SchemaSpec(
        "openai-dpo",
        "OpenAI DPO: input.messages, preferred_output, non_preferred_output",
        {
            "input": ("input",),
            "preferred_output": ("preferred_output",),
            "non_preferred_output": ("non_preferred_output",),
        },
        ("input", "preferred_output", "non_preferred_output"),
        _convert_openai_dpo,
    ),
    SchemaSpec(
        "sharegpt-ranking",
        "LLaMA-Factory ShareGPT ranking: conversations + chosen + rejected",
        {
            "messages": ("conversations",),
            "chosen": ("chosen",),
            "rejected": ("rejected",),
            "system": _SYSTEM,
            "tools": _TOOLS,
        },
        ("messages", "chosen", "rejected"),
        _convert_conversation,
    ),
    SchemaSpec(
        "kto",
        "KTO: messages (or conversations) + label",
        {
            "messages": ("messages", "conversations"),
            "label": ("label", "kto_tag"),
            "system": _SYSTEM,
            "tools": _TOOLS,
        },
        ("messages", "label"),
        _convert_conversation,
    ),
    SchemaSpec(
        "sharegpt",
        "ShareGPT: conversations of {from, value} (system, function_call, observation, tools)",
        {"messages": ("conversations",), "system": _SYSTEM, "tools": _TOOLS},
        ("messages",),
        _convert_conversation,
    ),
    SchemaSpec(
        "messages",
        "OpenAI chat: messages of {role, content} (tools, tool_calls)",
        {"messages": ("messages",), "system": _SYSTEM, "tools": _TOOLS},
        ("messages",),
        _convert_conversation,
    ),
    SchemaSpec(
        "preference",
        "preference pairs: prompt (or question, instruction) + chosen + rejected",
        {
            "prompt": _PROMPT,
            "query": ("input",),
            "chosen": ("chosen",),
            "rejected": ("rejected",),
            "system": _SYSTEM,
            "history": ("history",),
            "tools": _TOOLS,
        },
        ("prompt", "chosen", "rejected"),
        _convert_preference,
    ),
    SchemaSpec(
        "preference-implicit",
        "TRL preference with implicit prompt: chosen + rejected conversations",
        {"chosen": ("chosen",), "rejected": ("rejected",), "system": _SYSTEM, "tools": _TOOLS},
        ("chosen", "rejected"),
        _convert_preference,
    ),
    SchemaSpec(
        "unpaired-preference",
        "TRL unpaired preference: prompt + completion + label",
        {
            "prompt": ("prompt",),
            "completion": ("completion",),
            "label": ("label",),
            "system": _SYSTEM,
            "tools": _TOOLS,
        },
        ("prompt", "completion", "label"),
        _convert_prompt_completion,
    ),
    SchemaSpec(
        "prompt-completion",
        "TRL prompt-completion: prompt + completion (strings or conversations)",
        {"prompt": ("prompt",), "completion": ("completion",), "system": _SYSTEM, "tools": _TOOLS},
        ("prompt", "completion"),
        _convert_prompt_completion,
    ),
    SchemaSpec(
        "alpaca",
        "Alpaca: instruction, input, output (system, history)",
        {
            "prompt": ("instruction",),
            "query": ("input",),
            "response": ("output",),
            "system": _SYSTEM,
            "history": ("history",),
            "tools": _TOOLS,
        },
        ("prompt", "response"),
        _convert_pair,
    ),
    SchemaSpec(
        "pair",
        "question/answer, prompt/response, query/response or input/output pairs",
        {
            "prompt": ("question", "prompt", "query", "input"),
            "response": ("answer", "response", "output"),
            "system": _SYSTEM,
            "history": ("history",),
        },
        ("prompt", "response"),
        _convert_pair,
    ),
    SchemaSpec(
        "text",
        "plain text for language modelling: text",
        {"text": ("text",)},
        ("text",),
        _convert_text,
    ),
)

SCHEMAS_BY_NAME = {spec.name: spec for spec in SCHEMAS}


def bind(spec: SchemaSpec, fields: Iterable[str], mapping: Mapping[str, str]) -> BoundSchema | None:
    """Bind `spec` to a record's fields, or None when a required canonical field is missing.

    The user's mapping wins; otherwise the first alias present; a field is used only once.
    A mapped canonical name the spec does not know is kept too (e.g. `query` for a pair).
    """
    present = set(fields)
    columns: dict[str, str] = {}
    for canonical, column in mapping.items():
        if column in present:
            columns[canonical] = column
    used = set(columns.values())
    for canonical, names in spec.aliases.items():
        if canonical in columns:
            continue
        for name in names:
            if name in present and name not in used:
                columns[canonical] = name
                used.add(name)
                break
    if any(canonical not in columns for canonical in spec.required):
        return None
    return BoundSchema(spec, columns)


def detect(
    records: Sequence[Record], mapping: Mapping[str, str], forced: str | None = None
) -> BoundSchema | None:
    """The schema most of the first records fit (first match per record, in SCHEMAS order)."""
    specs = (SCHEMAS_BY_NAME[forced],) if forced else SCHEMAS
    votes: Counter[str] = Counter()
    bound_by_name: dict[str, BoundSchema] = {}
    for record in records:
        for spec in specs:
            bound = bind(spec, record.keys(), mapping)
            if bound is not None:
                votes[spec.name] += 1
                bound_by_name.setdefault(spec.name, bound)
                break
    if not votes:
        return None
    name = votes.most_common(1)[0][0]
    return bound_by_name[name]


def explain_fit(record: Record, mapping: Mapping[str, str]) -> str:
    """Which schema a record that does not fit the file's schema looks like, for messages."""
    for spec in SCHEMAS:
        if bind(spec, record.keys(), mapping) is not None:
            return spec.name
    return ""

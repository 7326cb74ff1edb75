"""Sample: one normalized training example, its canonical form and its ids.

A sample id is the hash of the canonical training content, so the same conversation written as
Alpaca, ShareGPT or OpenAI messages has the same id; metadata fields never enter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import xxhash

from datatenet.errors import RecordError

# Bump when the canonical form changes: ids cached on disk must not survive such a change.
CANONICAL_VERSION = 3  # 3: Anthropic HH transcripts read as turns

ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # one of ROLES
    content: str
    tool_calls: str | None = None  # canonical JSON of the calls, ids dropped
    extra: str | None = None  # canonical JSON of other training-relevant keys (name, weight, ...)

    def canonical(self) -> list[Any]:
        return [self.role, self.content, self.tool_calls, self.extra]


@dataclass(frozen=True, slots=True)
class Origin:
    path: str
    line: int | None = None  # 1-based line where the record starts (text formats)
    row: int | None = None  # 1-based row (Parquet) or item number (JSON arrays)

    @classmethod
    def at(cls, path: str, position_kind: str, position: int) -> Origin:
        """The origin of a record at a position counted in lines or in rows."""
        if position_kind == "line":
            return cls(path, line=position)
        return cls(path, row=position)

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.row is not None:
            return f"{self.path} row {self.row}"
        return self.path


@dataclass(frozen=True, slots=True)
class Sample:
    messages: tuple[Message, ...]
    system: str = ""
    tools: str | None = None  # canonical JSON
    chosen: tuple[Message, ...] | None = None
    rejected: tuple[Message, ...] | None = None
    label: bool | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    origin: Origin | None = field(default=None, compare=False, hash=False)

    @property
    def id(self) -> str:
        return sample_ids(self)[0]

    @property
    def prompt_id(self) -> str:
        """Hash of everything but the final answer: samples answering the same prompt share it."""
        return sample_ids(self)[1]

    @property
    def meta_id(self) -> str:
        return meta_id(self.meta)

    @property
    def prompt_messages(self) -> tuple[Message, ...]:
        if self.chosen is None and self.messages and self.messages[-1].role == "assistant":
            return self.messages[:-1]
        return self.messages

    @property
    def response_messages(self) -> tuple[Message, ...]:
        if self.chosen is not None:
            return self.chosen
        if self.messages and self.messages[-1].role == "assistant":
            return self.messages[-1:]
        return ()

    @property
    def prompt_text(self) -> str:
        """The text of the non-assistant turns (and earlier assistant turns of a dialogue)."""
        parts = [self.system] if self.system else []
        parts.extend(m.content for m in self.prompt_messages)
        return "\n".join(parts)

    @property
    def response_text(self) -> str:
        return "\n".join(m.content or (m.tool_calls or "") for m in self.response_messages)

    def to_json(self) -> dict[str, Any]:
        """A readable, schema-neutral rendering of the sample (for reports and --json)."""
        out: dict[str, Any] = {}
        if self.system:
            out["system"] = self.system
        out["messages"] = [_message_json(m) for m in self.messages]
        if self.tools is not None:
            out["tools"] = orjson.loads(self.tools)
        if self.chosen is not None:
            out["chosen"] = [_message_json(m) for m in self.chosen]
        if self.rejected is not None:
            out["rejected"] = [_message_json(m) for m in self.rejected]
        if self.label is not None:
            out["label"] = self.label
        if self.meta:
            out["meta"] = dict(self.meta)
        return out


def sample_ids(sample: Sample) -> tuple[str, str]:
    """(sample id, prompt id), sharing the canonical messages between the two hashes. Plain
    lists, not the dataclasses, go to orjson: it writes them faster (no field names)."""
    messages = [m.canonical() for m in sample.messages]
    chosen = None if sample.chosen is None else [m.canonical() for m in sample.chosen]
    rejected = None if sample.rejected is None else [m.canonical() for m in sample.rejected]
    content = ["s", sample.system, messages, sample.tools, chosen, rejected, sample.label]
    if chosen is None and messages and messages[-1][0] == "assistant":
        messages = messages[:-1]
    sample_id = _hash(orjson.dumps(content))
    if not messages and not sample.system and sample.tools is None:
        # No prompt at all (plain text): two such samples are not "the same prompt answered
        # differently", so the prompt id must not pair them.
        return sample_id, _hash(b"p" + sample_id.encode())
    return sample_id, _hash(orjson.dumps(["p", sample.system, messages, sample.tools]))


def _message_json(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls is not None:
        out["tool_calls"] = orjson.loads(message.tool_calls)
    if message.extra is not None:
        out.update(orjson.loads(message.extra))
    return out


_hash = xxhash.xxh3_128_hexdigest  # not cryptographic: ids name content, they guard nothing


_EMPTY_META_ID = _hash(b"{}")
_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def meta_id(meta: Mapping[str, Any]) -> str:
    if not meta:
        return _EMPTY_META_ID
    return _hash(_dumps(meta))


def canonical_json(value: Any) -> str:
    """Stable JSON text of a value (sorted keys), for tools, tool calls and extras."""
    return _dumps(value).decode()


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_SORTED, default=str)
    except orjson.JSONEncodeError as exc:  # only nesting deeper than orjson's 255 levels
        raise RecordError(f"cannot be read: {exc}", "flatten the deeply nested field") from None

"""Field readers of the schemas (formats/schemas.py): each reads one canonical field of a
record as text, messages, tools or a label, and raises RecordError naming the field and what
it holds when the record does not fit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from datatenet.errors import RecordError
from datatenet.samples import Message, canonical_json

if TYPE_CHECKING:
    from datatenet.formats.schemas import BoundSchema, Record

# Keys that only link turns (a tool call to its result): not training content.
LINK_KEYS = frozenset({"tool_call_id", "id"})


def value_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return f"a string ({value if len(value) <= 40 else value[:39] + '…'!r})"
    return type(value).__name__


def read_text(bound: BoundSchema, record: Record, canonical: str, *, optional: bool = False) -> str:
    column = bound.columns.get(canonical)
    value = None if column is None else record.get(column)
    if isinstance(value, str):
        return value
    if value is None:
        if optional:
            return ""
        if column is None or column not in record:
            raise RecordError(f"has no field '{column or canonical}'")
    raise RecordError(
        f"field '{column}' is {value_kind(value)}, expected text",
        "every prompt and answer must be a string; fix the record or map another field",
    )


def _cell(value: Any, bound: BoundSchema) -> Any:
    """CSV and TSV cells hold lists and objects as JSON text; JSON files hold them as such."""
    return _maybe_json(value) if bound.cells_are_text else value


def _maybe_json(value: Any) -> Any:
    """JSON held in a string (tool schemas, call arguments, CSV cells), decoded when it is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _message_content(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        if all(p.get("type") == "text" and isinstance(p.get("text"), str) for p in value):
            return "".join(p["text"] for p in value)
        return canonical_json(value)
    raise RecordError(f"{where} has content that is {value_kind(value)}, expected text")


def _parse_calls(value: Any) -> str:
    """Tool calls in OpenAI or ShareGPT spelling -> canonical [{name, arguments}] JSON."""
    value = _maybe_json(value)
    calls = value if isinstance(value, list) else [value]
    canonical: list[Any] = []
    for call in calls:
        if isinstance(call, dict):
            nested = call.get("function")
            function: dict[str, Any] = nested if isinstance(nested, dict) else call
            arguments = _maybe_json(function.get("arguments"))
            canonical.append({"name": function.get("name"), "arguments": arguments})
        else:
            canonical.append(call)
    return canonical_json(canonical)


def read_message(value: Any, bound: BoundSchema, where: str) -> Message:
    if not isinstance(value, dict):
        raise RecordError(
            f"{where} is {value_kind(value)}, expected an object with a role and content"
        )
    tags = bound.tags
    role_key = next((k for k in tags.role_keys if k in value), None)
    content_key = next((k for k in tags.content_keys if k in value), None)
    if role_key is None:
        raise RecordError(f"{where} has no role (expected a field {' or '.join(tags.role_keys)})")
    raw_role = value[role_key]
    role = tags.roles.get(raw_role) if isinstance(raw_role, str) else None
    if role is None:
        role = tags.roles.get(raw_role.lower()) if isinstance(raw_role, str) else None
    if role is None:
        known = ", ".join(sorted(tags.roles))
        raise RecordError(f"{where} has the unknown role {raw_role!r}", f"known roles: {known}")
    content = value.get(content_key) if content_key else None
    tool_calls: str | None = None
    if role == "function_call":
        role, tool_calls, content = "assistant", _parse_calls(content), ""
    elif value.get("tool_calls"):
        tool_calls = _parse_calls(value["tool_calls"])
    elif value.get("function_call"):
        tool_calls = _parse_calls(value["function_call"])
    text = _message_content(content, where)
    skip = {role_key, content_key, "tool_calls", "function_call", *LINK_KEYS}
    if role == "tool":
        skip.add("name")  # OpenAI names the tool; ShareGPT observations do not
    extra = {k: v for k, v in value.items() if k not in skip and v is not None}
    return Message(role, text, tool_calls, canonical_json(extra) if extra else None)


def read_messages(value: Any, bound: BoundSchema, what: str) -> tuple[Message, ...]:
    value = _cell(value, bound)
    if not isinstance(value, list):
        raise RecordError(f"field '{what}' is {value_kind(value)}, expected a list of messages")
    return tuple(read_message(m, bound, f"{what}[{i}]") for i, m in enumerate(value))


def read_response(value: Any, bound: BoundSchema, what: str) -> tuple[Message, ...]:
    """chosen/rejected/completion: a string, one message object, or a list of messages."""
    value = _cell(value, bound)
    if isinstance(value, str):
        return (Message("assistant", value),)
    if isinstance(value, dict):
        return (read_message(value, bound, what),)
    if isinstance(value, list):
        return read_messages(value, bound, what)
    column = bound.columns.get(what, what)
    raise RecordError(f"field '{column}' is {value_kind(value)}, expected text or messages")


def fold_system(system: str, messages: tuple[Message, ...]) -> tuple[str, tuple[Message, ...]]:
    """A leading system turn and a system field are the same thing."""
    if messages and messages[0].role == "system" and not system:
        return messages[0].content, messages[1:]
    return system, messages


def read_tools(bound: BoundSchema, record: Record) -> str | None:
    value = _maybe_json(bound.get(record, "tools"))
    if value in (None, "", [], {}):
        return None
    if isinstance(value, list):
        value = [
            item["function"]
            if isinstance(item, dict) and isinstance(item.get("function"), dict)
            else item
            for item in value
        ]
    return canonical_json(value)


def _history(bound: BoundSchema, record: Record) -> list[Message]:
    value = _cell(bound.get(record, "history"), bound)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise RecordError(
            f"field '{bound.columns['history']}' is {value_kind(value)}, expected a list"
        )
    turns: list[Message] = []
    for i, pair in enumerate(value):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
        ):
            raise RecordError(f"history[{i}] is not a [question, answer] pair of strings")
        turns.append(Message("user", pair[0]))
        turns.append(Message("assistant", pair[1]))
    return turns


def read_label(bound: BoundSchema, record: Record) -> bool:
    value = bound.get(record, "label")
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    column = bound.columns.get("label", "label")
    raise RecordError(f"field '{column}' is {value_kind(value)}, expected true or false")


def prompt_turns(bound: BoundSchema, record: Record) -> tuple[str, list[Message]]:
    """system + history + prompt (+ query) of the pair and preference schemas."""
    system = read_text(bound, record, "system", optional=True)
    prompt = _cell(bound.get(record, "prompt"), bound)
    turns = _history(bound, record)
    if isinstance(prompt, list):
        turns.extend(read_messages(prompt, bound, bound.columns["prompt"]))
    else:
        text = read_text(bound, record, "prompt")
        query = read_text(bound, record, "query", optional=True)
        # "instruction\ninput", as LLaMA-Factory joins them; an empty part adds no newline
        turns.append(Message("user", f"{text}\n{query}" if text and query else text or query))
    if turns[0].role == "system" and not system:  # as _fold_system, without copying the turns
        system = turns.pop(0).content
    return system, turns

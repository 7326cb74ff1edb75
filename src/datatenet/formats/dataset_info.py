"""LLaMA-Factory `dataset_info.json`: the columns and role tags that describe a data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datatenet.errors import InputError
from datatenet.formats.schemas import (
    CANONICAL_FIELDS,
    DEFAULT_ROLES,
    SCHEMAS_BY_NAME,
    BoundSchema,
    Tags,
)

DATASET_INFO = "dataset_info.json"

# LLaMA-Factory's defaults for the columns an entry leaves out.
_ALPACA_DEFAULTS = {"prompt": "instruction", "query": "input", "response": "output"}
_SHAREGPT_DEFAULTS = {"messages": "conversations"}
_TAG_ROLES = {
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
    "function_tag": "function_call",
    "system_tag": "system",
}


def find_entry(data_file: Path, info_file: Path | None = None) -> dict[str, Any] | None:
    """The entry of the dataset_info.json beside `data_file` (or `info_file`) naming it."""
    info_path = info_file or data_file.parent / DATASET_INFO
    if not info_path.is_file() or data_file.name == DATASET_INFO:
        return None
    try:
        info = json.loads(info_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{info_path}: unreadable dataset_info.json ({exc})",
            "fix the file, or move it away so that schemas are detected from the data",
        ) from None
    if not isinstance(info, dict):
        return None
    for entry in info.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("file_name"), str):
            continue
        # file_name is relative to the dataset_info.json's folder (LLaMA-Factory's dataset_dir)
        name = entry["file_name"]
        if name == data_file.name or (info_path.parent / name).resolve() == data_file.resolve():
            return entry
    return None


def bound_schema(entry: dict[str, Any]) -> BoundSchema:
    columns: dict[str, str] = {
        key: value for key, value in (entry.get("columns") or {}).items() if isinstance(value, str)
    }
    # Columns no schema reads (images, videos, audios) stay metadata, so their edits show.
    columns = {k: v for k, v in columns.items() if k in CANONICAL_FIELDS or k == "kto_tag"}
    if "kto_tag" in columns:
        columns["label"] = columns.pop("kto_tag")
    ranking = bool(entry.get("ranking"))
    if entry.get("formatting", "alpaca") == "sharegpt":
        columns = {**_SHAREGPT_DEFAULTS, **columns}
        if ranking:
            columns.setdefault("chosen", "chosen")
            columns.setdefault("rejected", "rejected")
            name = "sharegpt-ranking"
        else:
            name = "kto" if "label" in columns else "sharegpt"
        return BoundSchema(SCHEMAS_BY_NAME[name], columns, _tags(entry.get("tags") or {}))
    if set(columns) == {"prompt"}:  # pre-training text (LLaMA-Factory's wiki_demo, c4_demo)
        return BoundSchema(SCHEMAS_BY_NAME["text"], {"text": columns["prompt"]})
    defaults = dict(_ALPACA_DEFAULTS)
    if ranking:
        del defaults["response"]
        defaults.update(chosen="chosen", rejected="rejected")
    columns = {**defaults, **columns}
    return BoundSchema(SCHEMAS_BY_NAME["preference" if ranking else "alpaca"], columns)


def _tags(tags: dict[str, Any]) -> Tags:
    roles = dict(DEFAULT_ROLES)
    for tag, role in _TAG_ROLES.items():
        if isinstance(tags.get(tag), str):
            roles[tags[tag]] = role
    return Tags(
        role_keys=(tags["role_tag"],) if isinstance(tags.get("role_tag"), str) else ("from",),
        content_keys=(
            (tags["content_tag"],) if isinstance(tags.get("content_tag"), str) else ("value",)
        ),
        roles=roles,
    )

"""The labelled judgement set of bench/judgement/: load its pairs, resolve what they quote.

A pair is one JSON object per line:

    {"id": "...", "kind": "minimal-contradiction", "expect": "contradiction", "lang": "en",
     "data": "sft", "existing": SAMPLE, "new": SAMPLE, "source": "...", "note": "..."}

`kind` is what was planted (see bench/judgement/README.md), `expect` the verdict a reviewer
wants for it: "exact-duplicate", "near-duplicate", "semantic-duplicate", "contradiction" or
"none". `data` is "sft", "preference" or "kto". SAMPLE is a record in a form the loaders read
(Alpaca, OpenAI messages, ShareGPT ranking, OpenAI DPO, KTO, HH transcripts), or a reference to
a record of ../shared/data with edits applied to it:

    {"$ref": "llama_factory/alpaca_zh_demo.json", "index": 31, "edits": [EDIT, ...]}

References keep text whose licence does not allow copying it into this repository (the
LLaMA-Factory demo data and MedicalGPT) out of it; text under MIT or Apache-2.0 is inlined.
EDIT is one of (a path is a list of keys and list indices into the record):

    ["set", PATH, VALUE]            replace the value at PATH
    ["splice", PATH, START, END, TEXT]  replace characters START:END of the text at PATH
    ["replace-last", PATH, OLD, NEW]    replace the last occurrence of OLD in the text at PATH
    ["transform", PATH, HOW]        HOW: lower, upper, spaces, symbols, fullwidth
    ["swap", PATH, PATH]            exchange two values
    ["truncate", PATH, COUNT]       keep the first COUNT items of the list at PATH
    ["drop", KEY]                   remove a top-level key
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SET_DIR = ROOT / "bench" / "judgement"
SHARED = ROOT.parent / "shared" / "data"
VERDICTS = ("exact-duplicate", "near-duplicate", "semantic-duplicate", "contradiction", "none")

Record = dict[str, Any]


@dataclass(frozen=True)
class Pair:
    id: str
    kind: str
    expect: str
    lang: str
    data: str
    existing: Record
    new: Record
    source: str
    note: str = ""


class Unresolved(Exception):
    """A pair quotes ../shared/data, which is not beside this checkout."""


def load_pairs(paths: Iterable[Path], shared: Path = SHARED) -> tuple[list[Pair], int]:
    """The pairs of the files, references resolved; and how many were skipped because they
    quote ../shared/data and it is absent."""
    pairs: list[Pair] = []
    skipped = 0
    files: dict[str, list[Record]] = {}
    for path in paths:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            if raw["expect"] not in VERDICTS:
                raise ValueError(f"{path}:{number}: unknown verdict {raw['expect']!r}")
            try:
                existing = resolve(raw["existing"], shared, files)
                new = resolve(raw["new"], shared, files)
            except Unresolved:
                skipped += 1
                continue
            pairs.append(
                Pair(
                    raw["id"],
                    raw["kind"],
                    raw["expect"],
                    raw["lang"],
                    raw["data"],
                    existing,
                    new,
                    raw["source"],
                    raw.get("note", ""),
                )
            )
    ids = [pair.id for pair in pairs]
    if len(set(ids)) != len(ids):
        raise ValueError("pair ids repeat")
    return pairs, skipped


def read_records(path: Path) -> list[Record]:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        records: list[Record] = json.loads(text)
        return records
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def resolve(sample: Record, shared: Path, files: dict[str, list[Record]]) -> Record:
    if "$ref" not in sample:
        return sample
    name = sample["$ref"]
    if name not in files:
        path = shared / name
        if not path.is_file():
            raise Unresolved(name)
        files[name] = read_records(path)
    record = copy.deepcopy(files[name][sample["index"]])
    for edit in sample.get("edits", ()):
        apply_edit(record, edit)
    return record


def apply_edit(record: Record, edit: list[Any]) -> None:
    operation, *arguments = edit
    if operation == "drop":
        record.pop(arguments[0], None)
    elif operation == "swap":
        first, second = get(record, arguments[0]), get(record, arguments[1])
        put(record, arguments[0], second)
        put(record, arguments[1], first)
    elif operation == "set":
        put(record, arguments[0], arguments[1])
    elif operation == "truncate":
        put(record, arguments[0], get(record, arguments[0])[: arguments[1]])
    elif operation == "splice":
        path, start, end, text = arguments
        value = get(record, path)
        put(record, path, value[:start] + text + value[end:])
    elif operation == "replace-last":
        path, old, new = arguments
        value = get(record, path)
        at = value.rindex(old)
        put(record, path, value[:at] + new + value[at + len(old) :])
    elif operation == "transform":
        path, how = arguments
        put(record, path, TRANSFORMS[how](get(record, path)))
    else:
        raise ValueError(f"unknown edit {operation!r}")


def get(record: Any, path: list[Any]) -> Any:
    for key in path:
        record = record[key]
    return record


def put(record: Any, path: list[Any], value: Any) -> None:
    get(record, path[:-1])[path[-1]] = value


def _spaces(text: str) -> str:
    """Whitespace changed: runs doubled, lines re-broken, blanks around the text."""
    return "  " + re.sub(r"[ \t]+", "  ", text).replace("\n", " \n") + " \n"


_SYMBOL = re.compile(r"\s*([=+*<>×÷])\s*")


def _symbols(text: str) -> str:
    """Spacing around symbols toggled: "x=105" -> "x = 105" and "a + b" -> "a+b"."""
    return _SYMBOL.sub(
        lambda m: m.group(1) if m.group(0) != m.group(1) else f" {m.group(1)} ", text
    )


def _fullwidth(text: str) -> str:
    """ASCII letters and digits as their fullwidth forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


TRANSFORMS = {
    "lower": str.lower,
    "upper": str.upper,
    "spaces": _spaces,
    "symbols": _symbols,
    "fullwidth": _fullwidth,
}


def write_pairs(path: Path, pairs: Iterable[Record]) -> int:
    lines = [json.dumps(pair, ensure_ascii=False) for pair in pairs]
    path.write_text("".join(line + "\n" for line in lines), "utf-8")
    return len(lines)

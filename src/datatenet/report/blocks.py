"""What a report shows of a measure's details, as plain values the templates draw: blocks
(tables, charts, word lists, example samples, pairs) and the short text of a table cell."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datatenet.report.charts import Chart

MAX_ROWS = 100  # rows of a details table shown; the JSON report has them all
TEXT_LIMIT = 400


@dataclass(frozen=True)
class Example:
    origin: str
    text: str  # the answer, or the text shown
    prompt: str = ""


@dataclass(frozen=True)
class Block:
    """One thing to show. `kind` picks the template: table, kv, chart, charts, words,
    examples, pairs, list."""

    kind: str
    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    total_rows: int = 0
    chart: Chart | None = None
    sides: tuple[tuple[str, tuple[Any, ...]], ...] = field(default=())  # words or examples per side
    charts: tuple[Chart, ...] = ()
    pairs: tuple[tuple[Example, Example, str], ...] = ()  # first, second, what sets them apart
    collapsed: bool = False  # shown folded (a long table of what did not change)


def cell(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A JSON value as the short text of a table cell."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_number(value):
        number = float(value)
        return f"{int(number):,}" if number.is_integer() else f"{number:.4g}"
    if value is None:
        return "–"
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(title: str, items: Sequence[Mapping[str, Any]]) -> Block:
    columns: dict[str, None] = {}
    for item in items[:MAX_ROWS]:
        columns.update(dict.fromkeys(str(k) for k in item))
    names = tuple(columns)
    rows = tuple(tuple(cell(item.get(name)) for name in names) for item in items[:MAX_ROWS])
    return Block("table", title, names, rows, len(items))


def example(item: Mapping[str, Any]) -> Example:
    """A sample of the details (`{"origin", "id", "prompt", "response"}`) or a text."""
    text = item.get("text", item.get("response", item.get("answer", "")))
    return Example(str(item.get("origin", "")), cell(text), cell(item.get("prompt") or ""))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

"""A measure's `details` (any JSON) as blocks a report can show: tables, charts, word lists,
example answers.

Analyses put what a reviewer needs to check a measure in `details` (analysis/measures.py). A few
shapes get a dedicated rendering (docs/report.md lists them): `distributions` (before/after
histograms), `characteristic` (words of each side), `examples` (answers of each side) and
`topics` (shares before and after). Anything else is shown generically, so a new measure appears
in the report before anyone writes a section for it: a list of objects is a table, an object of
numbers a bar chart, a scalar a row of a key/value table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from datatenet.report import charts
from datatenet.report.blocks import Block, Example, cell, example, is_number, table
from datatenet.report.charts import Chart
from datatenet.report.drift_details import drift_blocks, focus_blocks

__all__ = ["Block", "Example", "blocks", "cell"]

MAX_EXAMPLES = 5  # example answers shown per side
MAX_WORDS = 25
SIDES = ("base", "head")


def blocks(details: Mapping[str, Any]) -> tuple[Block, ...]:
    out: list[Block] = focus_blocks(details)
    scalars: list[tuple[str, str]] = []
    for key, value in details.items():
        title = key.replace("_", " ")
        special = drift_blocks(key, value)
        if special is not None:
            out.extend(special)
        elif key == "distributions" and isinstance(value, list):
            out.extend(_distributions(value))
        elif key in ("characteristic", "words") and _sided(value):
            out.append(Block("words", title, sides=_words(value)))
        elif key == "examples" and (_sided(value) or isinstance(value, list)):
            out.append(Block("examples", title, sides=_examples(value)))
        elif is_number(value) or isinstance(value, str | bool) or value is None:
            scalars.append((title, cell(value)))
        elif isinstance(value, Mapping) and value and all(is_number(v) for v in value.values()):
            ranked = sorted(value.items(), key=lambda item: -abs(float(item[1])))
            chart = charts.bars(title, [(str(k), float(v)) for k, v in ranked])
            if chart is not None:
                out.append(Block("chart", title, chart=chart))
            out.append(table(title, [{"name": k, "value": v} for k, v in ranked]))
        elif _sided(value) and all(_numbers(value.get(side)) for side in SIDES):
            chart = charts.histogram_pair(title, value["base"], value["head"])
            if chart is not None:
                out.append(Block("chart", title, chart=chart))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out.append(table(title, value))
        elif isinstance(value, list) and _numbers(value):
            scalars.append((title, _summary(value)))
        else:
            scalars.append((title, cell(value)))
    if scalars:
        out.insert(0, Block("kv", "", ("name", "value"), tuple(scalars), len(scalars)))
    return tuple(out)


def _distributions(items: Sequence[Any]) -> list[Block]:
    out: list[Block] = []
    stats: list[Mapping[str, Any]] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        name = str(item.get("name", "value"))
        base: Any = item.get("base")
        head: Any = item.get("head")
        if isinstance(base, Mapping) and isinstance(head, Mapping):  # {"counts": [...]}
            base, head = base.get("counts"), head.get("counts")
        chart: Chart | None = None
        if _numbers(base) and _numbers(head):
            if _numbers(item.get("edges")):  # already binned: counts between the edges
                chart = charts.binned_pair(name, item["edges"], base, head)
            else:  # the values themselves
                chart = charts.histogram_pair(name, base, head)
        if chart is not None:
            out.append(Block("chart", name, chart=chart))
        rest = {k: v for k, v in item.items() if k not in ("base", "head", "edges")}
        if len(rest) > 1:
            stats.append(rest)
    if stats:
        out.insert(0, table("descriptors", stats))
    return out


def _words(value: Mapping[str, Any]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    sides = []
    for side in SIDES:
        words = []
        for item in list(value.get(side) or ())[:MAX_WORDS]:
            if isinstance(item, list | tuple) and item:
                words.append((str(item[0]), cell(item[1]) if len(item) > 1 else ""))
            elif isinstance(item, Mapping):
                weight = item.get("weight", item.get("z"))
                words.append((str(item.get("word", item.get("name", "?"))), cell(weight)))
            else:
                words.append((str(item), ""))
        sides.append((side, tuple(words)))
    return tuple(sides)


def _examples(value: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    by_side = value if isinstance(value, Mapping) else {"": value}
    sides = []
    for side, items in by_side.items():
        listed = []
        for item in list(items or ())[:MAX_EXAMPLES]:
            if isinstance(item, Mapping):
                listed.append(example(item))
            else:
                listed.append(Example("", cell(item)))
        sides.append((str(side), tuple(listed)))
    return tuple(sides)


def _summary(values: Sequence[float]) -> str:
    ordered = sorted(float(v) for v in values)
    middle = ordered[len(ordered) // 2]
    low, high = cell(ordered[0]), cell(ordered[-1])
    return f"{len(ordered)} values, min {low}, median {cell(middle)}, max {high}"


def _sided(value: Any) -> bool:
    return isinstance(value, Mapping) and any(side in value for side in SIDES)


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(is_number(v) for v in value)

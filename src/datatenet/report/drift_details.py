"""The details of the drift analyses as the report shows them (their shapes: docs/json.md).

- `descriptors` (and `version_shifts`, `prompt_shifts`, `system_shifts`) of style drift: for
  each significant descriptor a before/after chart (the spread of a number from its quantiles,
  the shares of a category), and a table of every descriptor;
- `worst` of expression stability: pairs of similar prompts side by side;
- `topics` of coverage: the shares before and after, a table with the keywords, and example
  samples of the topics that moved most;
- the entropies of focus on one scale with the band random batches fall in;
- `notes`: a list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from datatenet.report import charts
from datatenet.report.blocks import Block, Example, cell, example, is_number, table

MAX_DESCRIPTOR_CHARTS = 12
MAX_TOPIC_EXAMPLES = 6  # topics whose examples are shown
MAX_PAIRS = 10
DESCRIPTOR_LISTS = {
    "descriptors": "the new answers against the existing ones",
    "version_shifts": "the whole versions, base against head",
    "prompt_shifts": "the prompts of the new samples against the base's",
    "system_shifts": "the system prompts of the new samples against the base's",
}
FOCUS_KEYS = ("entropy", "random_low", "random_high")


def drift_blocks(key: str, value: Any) -> list[Block] | None:
    """The blocks of one details entry with a dedicated rendering; None for the others."""
    if key in DESCRIPTOR_LISTS and _objects(value):
        return descriptor_blocks(DESCRIPTOR_LISTS[key], value) if value else []
    if key == "worst" and _objects(value):
        return [pair_block("pairs of similar prompts answered in different styles", value)]
    if key == "topics" and _objects(value):
        return topic_blocks(value)
    if key == "notes" and isinstance(value, list):
        if not value:
            return []
        rows = tuple((cell(note),) for note in value)
        return [Block("list", "notes", ("note",), rows, len(rows))]
    return None


def focus_blocks(details: Mapping[str, Any]) -> list[Block]:
    """The entropy of the new samples' topics against random batches and the dataset."""
    if not all(is_number(details.get(k)) for k in FOCUS_KEYS):
        return []
    marks = [("this change", float(details["entropy"]), "mark-head")]
    for label, name, cls in (
        ("random batch (mean)", "random_entropy", "mark-random"),
        ("whole dataset", "dataset_entropy", "mark-base"),
    ):
        if is_number(details.get(name)):
            marks.append((label, float(details[name]), cls))
    band = (float(details["random_low"]), float(details["random_high"]))
    title = "spread over topics (normalised entropy; the band: 90% of random batches)"
    chart = charts.range_marker(title, band, marks)
    return [] if chart is None else [Block("chart", title, chart=chart)]


def descriptor_blocks(title: str, items: Sequence[Mapping[str, Any]]) -> list[Block]:
    significant = [d for d in items if d.get("significant")]
    drawn = []
    for descriptor in significant[:MAX_DESCRIPTOR_CHARTS]:
        chart = _descriptor_chart(descriptor)
        if chart is not None:
            drawn.append(chart)
    out = []
    if drawn:
        out.append(Block("charts", f"what changed: {title}", charts=tuple(drawn)))
    rows = [
        {
            "descriptor": d.get("name"),
            "significant": d.get("significant"),
            "before": _side_summary(d.get("base")),
            "after": _side_summary(d.get("head")),
            "test": d.get("test"),
            "effect": d.get("effect"),
            "q value": d.get("q_value"),
            "explanation": d.get("explanation"),
        }
        for d in items
    ]
    every = table(f"every descriptor: {title}", rows)
    out.append(replace(every, collapsed=bool(drawn) or not significant))
    return out


def _descriptor_chart(descriptor: Mapping[str, Any]) -> charts.Chart | None:
    base, head = descriptor.get("base") or {}, descriptor.get("head") or {}
    name = str(descriptor.get("explanation") or descriptor.get("name", "?"))
    if "quantiles" in base and "quantiles" in head:
        return charts.quantile_pair(name, base["quantiles"], head["quantiles"])
    shares_before, shares_after = base.get("shares"), head.get("shares")
    if isinstance(shares_before, Mapping) and isinstance(shares_after, Mapping):
        names = list(dict.fromkeys([*shares_before, *shares_after]))
        pairs = [
            (str(n), float(shares_before.get(n, 0.0)), float(shares_after.get(n, 0.0)))
            for n in names
        ]
        pairs.sort(key=lambda item: -max(item[1], item[2]))
        return charts.paired_bars(name, pairs[:10], ("before", "after"))
    return None


def _side_summary(side: Any) -> str:
    if not isinstance(side, Mapping):
        return cell(side)
    if "shares" in side and isinstance(side["shares"], Mapping):
        top = sorted(side["shares"].items(), key=lambda item: -float(item[1]))[:3]
        return ", ".join(f"{name} {float(share):.0%}" for name, share in top)
    parts = []
    if is_number(side.get("median")):
        parts.append(f"median {cell(side['median'])}")
    if is_number(side.get("mean")):
        parts.append(f"mean {cell(side['mean'])}")
    if is_number(side.get("share_nonzero")):
        parts.append(f"in {float(side['share_nonzero']):.0%}")
    return ", ".join(parts) or cell(side)


def pair_block(title: str, items: Sequence[Mapping[str, Any]]) -> Block:
    pairs = []
    for item in items[:MAX_PAIRS]:
        first, second = item.get("first"), item.get("second")
        if not isinstance(first, Mapping) or not isinstance(second, Mapping):
            continue
        reasons = item.get("reasons") or []
        note = ", ".join(str(r) for r in reasons)
        if is_number(item.get("cosine")):
            note = f"prompt cosine {cell(item['cosine'])}" + (f": {note}" if note else "")
        pairs.append((example(first), example(second), note))
    return Block("pairs", title, pairs=tuple(pairs), total_rows=len(items))


def topic_blocks(items: Sequence[Mapping[str, Any]]) -> list[Block]:
    shares = []
    rows = []
    for topic in items:
        label = _topic_label(topic)
        before = topic.get("base_share", topic.get("base"))
        after = topic.get("head_share", topic.get("head"))
        if is_number(before) and is_number(after):
            shares.append((label, float(before), float(after)))
        rows.append({k: v for k, v in topic.items() if k != "examples"})
    shares.sort(key=lambda item: -abs(item[2] - item[1]))
    out = []
    chart = charts.paired_bars("topic shares, before and after", shares)
    if chart is not None:
        out.append(Block("chart", "topic shares, before and after", chart=chart))
    out.append(table("topics", rows))
    moved = sorted(
        (t for t in items if t.get("examples")),
        key=lambda t: (not t.get("new"), -abs(float(t.get("change") or 0.0))),
    )
    sides = []
    for topic in moved[:MAX_TOPIC_EXAMPLES]:
        examples: list[Example] = [
            example(e) if isinstance(e, Mapping) else Example("", cell(e))
            for e in list(topic["examples"])[:3]
        ]
        sides.append((_topic_heading(topic), tuple(examples)))
    if sides:
        out.append(Block("examples", "examples of the topics that moved most", sides=tuple(sides)))
    return out


def _topic_label(topic: Mapping[str, Any]) -> str:
    if topic.get("label"):
        return str(topic["label"])
    keywords = topic.get("keywords") or []
    words = ", ".join(str(k) for k in list(keywords)[:3]) if isinstance(keywords, list) else ""
    return f"{topic.get('topic', '?')}: {words}" if words else str(topic.get("topic", "?"))


def _topic_heading(topic: Mapping[str, Any]) -> str:
    change: Any = topic.get("change")
    moved = f" ({float(change):+.1%})" if is_number(change) else ""
    status = " · new" if topic.get("new") else " · vanished" if topic.get("vanished") else ""
    return f"topic {_topic_label(topic)}{moved}{status}"


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)

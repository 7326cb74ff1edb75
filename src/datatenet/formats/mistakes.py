"""What a file's mistakes are called: the errors of a record that fits no schema or not the
file's, of a `--map` field that no record has, with the file's line and what to do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from datatenet.errors import InputError, RecordError
from datatenet.formats.schemas import CANONICAL_FIELDS, SCHEMAS, SCHEMAS_BY_NAME, explain_fit
from datatenet.samples import Origin
from datatenet.version import Unmapped, Version

if TYPE_CHECKING:
    from datatenet.formats.load import LoadOptions
    from datatenet.formats.schemas import BoundSchema


def where(label: str, position_kind: str, position: int) -> str:
    return str(Origin.at(label, position_kind, position))


def nested_path(value: Any, name: str, depth: int = 4) -> str | None:
    """The dotted path to a field `name` inside nested objects and lists, if there is one."""
    if depth == 0:
        return None
    steps: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        if name in value:
            return name
        steps = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list) and value:
        steps = [("0", value[0])]
    for step, item in steps:
        below = nested_path(item, name, depth - 1)
        if below is not None:
            return f"{step}.{below}"
    return None


def check_mapping(versions: Sequence[Version], mapping: Mapping[str, str]) -> None:
    """A `--map` field that no version the command read has is a mistake (one of two files
    may lack it: the other needed the mapping). Versions without records tell nothing."""
    read = [version for version in versions if version.entries or version.unmapped]
    if not read:
        return
    common = set.intersection(*({u.field for u in v.unmapped} for v in read))
    for version in read:
        for problem in version.unmapped:
            if problem.field in common:
                raise unmapped_error(version.label, problem, mapping)


def unmapped(column: str, head: list[tuple[int, dict[str, Any]]]) -> Unmapped:
    """A mapped field that no record has, with the fields the records do have and, when a
    record holds it deeper down, the dotted path to it."""
    fields = tuple(sorted({name for _, record in head for name in record}))
    nested = next(
        (f"{key}.{path}" for _, record in head for key, value in record.items()
         if (path := nested_path(value, column)) is not None),
        None,
    )  # fmt: skip
    return Unmapped(column, fields, nested)


def unmapped_error(label: str, problem: Unmapped, mapping: Mapping[str, str]) -> InputError:
    """A mapped field that no record of `label` has: name it and the fields the file has."""
    column = problem.field
    hint = (
        f"{column!r} is nested: name it with a dotted path, e.g. --map "
        + ",".join(f"{c}={problem.nested if f == column else f}" for c, f in mapping.items())
        if problem.nested
        else "map canonical names to fields the file has, e.g. --map prompt=question"
    )
    return InputError(
        f"{label}: --map names the field {column!r}, which no record has; the file's fields: "
        f"{', '.join(problem.fields) or 'none'}",
        hint,
    )


def unknown_schema(
    records: list[tuple[int, dict[str, Any]]], label: str, position_kind: str, options: LoadOptions
) -> InputError:
    position, first = records[0]
    seen = ", ".join(sorted(first)) or "none"
    if options.schema is not None:
        spec = SCHEMAS_BY_NAME[options.schema]
        return InputError(
            f"{where(label, position_kind, position)}: the record does not fit --format "
            f"{options.schema} ({spec.description}); fields seen: {seen}",
            "map the file's fields to canonical names with --map, e.g. --map prompt=question",
        )
    if options.mapping:
        given = ",".join(f"{canonical}={column}" for canonical, column in options.mapping.items())
        return InputError(
            f"{label}: no schema fits the fields seen at {where(label, position_kind, position)}"
            f" ({seen}), even with --map {given}",
            "a mapping must cover the required fields of one schema, e.g. prompt and response "
            "(alpaca, pair), prompt, chosen and rejected (preference), or messages; "
            f"or force a schema with --format ({', '.join(spec.name for spec in SCHEMAS)})",
        )
    return InputError(
        f"{label}: cannot tell the schema; fields seen at {where(label, position_kind, position)}:"
        f" {seen}",
        "map them to canonical names with --map, e.g. --map prompt=question,response=answer "
        f"(canonical: {', '.join(CANONICAL_FIELDS)}); or force a schema with --format "
        f"({', '.join(spec.name for spec in SCHEMAS)})",
    )


def mismatch(record: dict[str, Any], bound: BoundSchema, mapping: Mapping[str, str]) -> RecordError:
    needed = ", ".join(bound.columns[name] for name in bound.spec.required)
    other = explain_fit(record, mapping)
    looks = f"; it looks like {other} — a file must use one schema" if other else ""
    return RecordError(
        f"has fields {', '.join(sorted(record)) or 'none'}, not those of the file's schema "
        f"{bound.name} ({needed}){looks}",
        "split the file by schema, or fix the record",
    )

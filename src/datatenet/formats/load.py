"""Bytes of a dataset file -> Version: read records, detect the schema, normalize, hash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from datatenet.errors import InputError, RecordError
from datatenet.formats import dataset_info
from datatenet.formats.readers import SKIP_HINT, ReadResult, read_records
from datatenet.formats.schemas import (
    CANONICAL_FIELDS,
    SCHEMAS,
    SCHEMAS_BY_NAME,
    BoundSchema,
    bind,
    detect,
    explain_fit,
)
from datatenet.samples import Sample, meta_id, sample_ids
from datatenet.version import Entry, InvalidRecord, Version

DETECTION_SAMPLE = 200
_JSON_KINDS: dict[type, str] = {
    list: "a JSON array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


@dataclass(frozen=True)
class LoadOptions:
    schema: str | None = None  # force a schema by name instead of detecting it
    mapping: Mapping[str, str] = field(default_factory=dict)  # canonical name -> file field
    key: str | None = None  # a field that identifies samples, like a primary key
    skip_invalid: bool = False
    dataset_info: Path | None = None  # a LLaMA-Factory dataset_info.json to consult


def parse_mapping(text: str) -> dict[str, str]:
    """`prompt=question,chosen=response_chosen` -> {"prompt": "question", ...}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        canonical, sep, column = (s.strip() for s in part.partition("="))
        if not sep or not canonical or not column:
            raise InputError(
                f"--map: {part!r} is not of the form canonical=field",
                "e.g. --map prompt=question,chosen=response_chosen,rejected=response_rejected",
            )
        if canonical not in CANONICAL_FIELDS:
            raise InputError(
                f"--map: {canonical!r} is not a canonical field name",
                f"canonical names: {', '.join(CANONICAL_FIELDS)}",
            )
        mapping[canonical] = column
    return mapping


def load_file(path: Path, options: LoadOptions, label: str | None = None) -> Version:
    label = label or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label}: no such file", "check the path") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory, not a dataset file", "name a file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror})", "check permissions") from None
    bound = None
    if options.schema is None and not options.mapping:
        entry = dataset_info.find_entry(path, options.dataset_info)
        if entry is not None:
            bound = dataset_info.bound_schema(entry)
    return parse_version(data, label, options, bound=bound)


def parse_version(
    data: bytes, label: str, options: LoadOptions, *, bound: BoundSchema | None = None
) -> Version:
    result = read_records(data, label, skip_invalid=options.skip_invalid)
    invalid = [InvalidRecord(pos, reason) for pos, reason in result.invalid]
    records = _objects(result, label, options.skip_invalid, invalid)
    if not records:
        schema_name = options.schema or (bound.name if bound else "empty")
        return Version(
            label, result.file_format, schema_name, result.position_kind, (), tuple(invalid)
        )
    bound = bound or _bind_file_schema(records, label, result.position_kind, options)
    if result.file_format.split(".")[0] in ("csv", "tsv"):
        bound = replace(bound, cells_are_text=True)
    entries = _entries(records, bound, label, result.position_kind, options, invalid)

    def load_samples(indices: list[int]) -> list[Sample]:
        again = _objects(read_records(data, label, skip_invalid=True), label, True, [])
        return [_to_sample(again, bound, i, label, result.position_kind) for i in indices]

    invalid.sort(key=lambda item: item.position)
    return Version(
        label,
        result.file_format,
        bound.name,
        result.position_kind,
        tuple(entries),
        tuple(invalid),
        load_samples,
    )


def _where(label: str, position_kind: str, position: int) -> str:
    return f"{label}:{position}" if position_kind == "line" else f"{label} row {position}"


def _objects(
    result: ReadResult, label: str, skip_invalid: bool, invalid: list[InvalidRecord]
) -> list[tuple[int, dict[str, Any]]]:
    objects: list[tuple[int, dict[str, Any]]] = []
    for position, value in result.records:
        if type(value) is dict:
            objects.append((position, value))
            continue
        kind = _JSON_KINDS.get(type(value), type(value).__name__)
        reason = f"is {kind}, expected an object (one sample with named fields)"
        if not skip_invalid:
            raise InputError(
                f"{_where(label, result.position_kind, position)}: {reason}", SKIP_HINT
            )
        invalid.append(InvalidRecord(position, reason))
    return objects


def _bind_file_schema(
    records: list[tuple[int, dict[str, Any]]], label: str, position_kind: str, options: LoadOptions
) -> BoundSchema:
    if options.schema is not None and options.schema not in SCHEMAS_BY_NAME:
        raise InputError(
            f"--format: unknown schema {options.schema!r}",
            f"known schemas: {', '.join(SCHEMAS_BY_NAME)}",
        )
    head = [record for _, record in records[:DETECTION_SAMPLE]]
    detected = detect(head, options.mapping, options.schema)
    if detected is None:
        raise _unknown_schema(records, label, position_kind, options)
    # Bind against every field the file uses, so an optional field (system, history) that
    # first appears late is still read as training content and not as metadata.
    fields: set[str] = set()
    for _, record in records:
        fields.update(record)
    bound = bind(detected.spec, fields, options.mapping)
    assert bound is not None
    return bound


def _unknown_schema(
    records: list[tuple[int, dict[str, Any]]], label: str, position_kind: str, options: LoadOptions
) -> InputError:
    position, first = records[0]
    seen = ", ".join(sorted(first)) or "none"
    if options.schema is not None:
        spec = SCHEMAS_BY_NAME[options.schema]
        return InputError(
            f"{_where(label, position_kind, position)}: the record does not fit --format "
            f"{options.schema} ({spec.description}); fields seen: {seen}",
            "map the file's fields to canonical names with --map, e.g. --map prompt=question",
        )
    return InputError(
        f"{label}: cannot tell the schema; fields seen at {_where(label, position_kind, position)}:"
        f" {seen}",
        "map them to canonical names with --map, e.g. --map prompt=question,response=answer "
        f"(canonical: {', '.join(CANONICAL_FIELDS)}); or force a schema with --format "
        f"({', '.join(spec.name for spec in SCHEMAS)})",
    )


def _to_sample(
    records: list[tuple[int, dict[str, Any]]],
    bound: BoundSchema,
    index: int,
    label: str,
    position_kind: str,
) -> Sample:
    position, record = records[index]
    return replace(bound.convert(record), origin=_origin(label, position_kind, position))


def _origin(label: str, position_kind: str, position: int) -> Any:
    from datatenet.samples import Origin

    return Origin(label, line=position) if position_kind == "line" else Origin(label, row=position)


def _entries(
    records: list[tuple[int, dict[str, Any]]],
    bound: BoundSchema,
    label: str,
    position_kind: str,
    options: LoadOptions,
    invalid: list[InvalidRecord],
) -> list[Entry]:
    required = [bound.columns[name] for name in bound.spec.required]
    key = options.key
    convert = bound.convert
    entries: list[Entry] = []
    append = entries.append
    for position, record in records:
        try:
            if not all(column in record for column in required):
                raise _mismatch(record, bound, options.mapping)
            sample = convert(record)
            sample_id, prompt_id = sample_ids(sample)
            record_key = None
            if key is not None:
                if key not in record:
                    raise RecordError(
                        f"has no key field '{key}'", "every record needs the --key field"
                    )
                record_key = str(record[key])
            append(Entry(sample_id, prompt_id, meta_id(sample.meta), record_key, position))
        except RecordError as exc:
            if not options.skip_invalid:
                hint = exc.hint or SKIP_HINT
                raise InputError(
                    f"{_where(label, position_kind, position)}: {exc.reason}", hint
                ) from None
            invalid.append(InvalidRecord(position, exc.reason))
    return entries


def _mismatch(
    record: dict[str, Any], bound: BoundSchema, mapping: Mapping[str, str]
) -> RecordError:
    needed = ", ".join(bound.columns[name] for name in bound.spec.required)
    other = explain_fit(record, mapping)
    looks = f"; it looks like {other} — a file must use one schema" if other else ""
    return RecordError(
        f"has fields {', '.join(sorted(record)) or 'none'}, not those of the file's schema "
        f"{bound.name} ({needed}){looks}",
        "split the file by schema, or fix the record",
    )


LoadFunction = Callable[[Path, LoadOptions], Version]

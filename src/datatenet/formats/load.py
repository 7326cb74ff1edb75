"""Bytes of a dataset file -> Version: read records, detect the schema, normalize, hash."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path
from typing import Any

from datatenet.errors import InputError, RecordError
from datatenet.formats import dataset_info, mistakes
from datatenet.formats.mistakes import mismatch, unknown_schema, where
from datatenet.formats.readers import SKIP_HINT, ReadResult, read_records
from datatenet.formats.schemas import (
    CANONICAL_FIELDS,
    SCHEMAS_BY_NAME,
    BoundSchema,
    bind,
    detect,
)
from datatenet.samples import Origin, Sample, meta_id
from datatenet.samples import sample_ids as sample_ids_of
from datatenet.version import Entries, InvalidRecord, Version

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

    def __post_init__(self) -> None:
        if self.schema is not None and self.schema not in SCHEMAS_BY_NAME:
            raise InputError(
                f"--format: unknown schema {self.schema!r}",
                f"known schemas: {', '.join(SCHEMAS_BY_NAME)}",
            )

    @property
    def nested_fields(self) -> tuple[str, ...]:
        """Mapped fields named by a dotted path (`instances.0.output`)."""
        return tuple(column for column in self.mapping.values() if "." in column)


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
    return _load(path, options, label)[0]


def _load(
    path: Path, options: LoadOptions, label: str | None = None
) -> tuple[Version, BoundSchema | None]:
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
    return _parse(data, label, options, bound, path.read_bytes)


def parse_version(
    data: bytes,
    label: str,
    options: LoadOptions,
    *,
    bound: BoundSchema | None = None,
    reread: Callable[[], bytes] | None = None,
) -> Version:
    """Parse one version. `reread` fetches the bytes again when samples are shown later, so
    that a large file is not held in memory for the whole diff."""
    return _parse(data, label, options, bound, reread)[0]


def _parse(
    data: bytes,
    label: str,
    options: LoadOptions,
    bound: BoundSchema | None,
    reread: Callable[[], bytes] | None,
) -> tuple[Version, BoundSchema | None]:
    result = read_records(data, label, skip_invalid=options.skip_invalid)
    invalid: list[InvalidRecord] = []  # records that are not objects or do not fit the schema
    records = iter(_objects(result, label, options.skip_invalid, invalid, options.nested_fields))
    head = list(islice(records, DETECTION_SAMPLE))
    if not head:
        invalid += [InvalidRecord(pos, reason) for pos, reason in result.invalid]
        schema_name = options.schema or (bound.name if bound else "empty")
        empty = Version(label, result.file_format, schema_name, result.position_kind)
        return replace(empty, invalid=tuple(invalid)), None
    # A binding given by dataset_info.json is complete: LLaMA-Factory reads no other field.
    late_binding = bound is None
    if bound is None:
        bound = _detect_file_schema(head, label, result.position_kind, options)
    if result.file_format.split(".")[0] in ("csv", "tsv"):
        bound = replace(bound, cells_are_text=True)
    unseen = set(options.mapping.values()) - {name for _, record in head for name in record}
    entries, bound = _entries(
        chain(head, records),
        bound,
        label,
        result.position_kind,
        options,
        invalid,
        late_binding,
        unseen,
    )
    unmapped = tuple(mistakes.unmapped(column, head) for column in sorted(unseen))
    # The reader reports malformed lines as it goes; they are all known once it is consumed.
    invalid += [InvalidRecord(pos, reason) for pos, reason in result.invalid]
    invalid.sort(key=lambda item: item.position)
    load_samples = _sample_loader(reread or (lambda: data), label, bound, entries)
    version = Version(
        label,
        result.file_format,
        bound.name,
        result.position_kind,
        entries,
        tuple(invalid),
        load_samples,
        unmapped,
    )
    return version, bound


def _sample_loader(
    fetch: Callable[[], bytes], label: str, bound: BoundSchema, entries: Entries
) -> Callable[[list[int]], list[Sample]]:
    """Re-reads the bytes and converts only the records at the wanted entry indices."""

    def load_samples(indices: list[int]) -> list[Sample]:
        # Records are found again by (position, rank among the valid records starting at that
        # position): several records may start on one line (a one-line JSON array).
        positions = entries.positions
        wanted: dict[tuple[int, int], int] = {}
        for index in indices:
            first = index
            while first > 0 and positions[first - 1] == positions[index]:
                first -= 1
            wanted[(positions[index], index - first)] = index
        wanted_positions = {position for position, _ in wanted}
        seen: dict[int, int] = {}
        found: dict[int, Sample] = {}
        again = read_records(fetch(), label, skip_invalid=True)
        nested = tuple(column for column in bound.columns.values() if "." in column)
        for position, record in _objects(again, label, True, [], nested):
            if position not in wanted_positions:
                continue
            try:
                sample = bound.convert(record)
            except RecordError:
                continue  # skipped as invalid when the version was parsed, too
            rank = seen.get(position, 0)
            seen[position] = rank + 1
            index = wanted.get((position, rank), -1)
            if index >= 0:
                found[index] = replace(
                    sample, origin=Origin.at(label, again.position_kind, position)
                )
        return [found[i] for i in indices]

    return load_samples


def load_files(paths: Sequence[Path], options: LoadOptions) -> list[Version]:
    """Load several files; with two or more large ones, a forked worker process parses the
    first while this process parses the rest (the work is CPU-bound Python: threads would
    not run in parallel)."""
    sizes = [_size(path) for path in paths]
    if len(paths) < 2 or sum(sizes) < PARALLEL_MIN_BYTES or not _can_fork():
        return [load_file(path, options) for path in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        first = pool.submit(_load_in_worker, paths[0], options)
        rest = [load_file(path, options) for path in paths[1:]]
        return [_with_loader(paths[0], first.result()), *rest]


PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # load_file reports the problem


def _can_fork() -> bool:
    import multiprocessing
    import os

    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def _load_in_worker(path: Path, options: LoadOptions) -> tuple[Version, BoundSchema | None]:
    """Runs in the worker process: the version without its sample loader (a closure, which
    does not pickle), and the schema to build a new loader from."""
    version, bound = _load(path, options)
    return replace(version, load_samples=None), bound


def _with_loader(path: Path, loaded: tuple[Version, BoundSchema | None]) -> Version:
    version, bound = loaded
    if bound is None:
        return version
    loader = _sample_loader(path.read_bytes, version.label, bound, version.entries)
    return replace(version, load_samples=loader)


def _objects(
    result: ReadResult,
    label: str,
    skip_invalid: bool,
    invalid: list[InvalidRecord],
    nested: tuple[str, ...] = (),
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records that are objects; `nested` dotted paths are lifted to top-level fields."""
    for position, value in result.records:
        if type(value) is dict:
            for path in nested:
                if path not in value:
                    found = _follow(value, path)
                    if found is not _MISSING:
                        value = {**value, path: found}
            yield position, value
            continue
        kind = _JSON_KINDS.get(type(value), type(value).__name__)
        reason = f"is {kind}, expected an object (one sample with named fields)"
        if not skip_invalid:
            raise InputError(f"{where(label, result.position_kind, position)}: {reason}", SKIP_HINT)
        invalid.append(InvalidRecord(position, reason))


_MISSING = object()


def _follow(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (`instances.0.output`: a field, a list index, a field)."""
    value: Any = record
    for step in path.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def _detect_file_schema(
    head: list[tuple[int, dict[str, Any]]], label: str, position_kind: str, options: LoadOptions
) -> BoundSchema:
    if options.schema is not None and options.schema not in SCHEMAS_BY_NAME:
        raise InputError(
            f"--format: unknown schema {options.schema!r}",
            f"known schemas: {', '.join(SCHEMAS_BY_NAME)}",
        )
    detected = detect([record for _, record in head], options.mapping, options.schema)
    if detected is None:
        missing = set(options.mapping.values()) - {name for _, r in head for name in r}
        if missing:
            problem = mistakes.unmapped(sorted(missing)[0], head)
            raise mistakes.unmapped_error(label, problem, options.mapping)
        raise unknown_schema(head, label, position_kind, options)
    fields: set[str] = set()
    for _, record in head:
        fields.update(record)
    bound = bind(detected.spec, fields, options.mapping)
    assert bound is not None
    return bound


def _entries(
    records: Iterable[tuple[int, dict[str, Any]]],
    bound: BoundSchema,
    label: str,
    position_kind: str,
    options: LoadOptions,
    invalid: list[InvalidRecord],
    late_binding: bool,
    unseen: set[str],
) -> tuple[Entries, BoundSchema]:
    """Normalize and hash every record. Returns the entries and the schema as finally bound.

    The schema was bound to the fields of the first records; a field that first appears later
    and spells an optional part of the schema (a `system`, a `history`) is bound when it shows
    up, so it is read as training content and not as metadata. Earlier records lacked it, so
    binding it late changes nothing for them. `unseen` loses every mapped field a record has.
    """
    key = options.key
    known = set(bound.columns.values())
    used = frozenset(known)
    required = [bound.columns[name] for name in bound.spec.required]
    convert = bound.convert
    sample_ids: list[str] = []
    prompt_ids: list[str] = []
    meta_ids: list[str] = []
    positions: list[int] = []
    keys: list[str | None] = []
    empty_meta = meta_id({})
    for position, record in records:
        if unseen:
            unseen -= record.keys()
        try:
            if late_binding and not record.keys() <= known:
                known.update(record)
                # The columns bound so far stay bound; only unbound canonical names are added.
                rebound = bind(bound.spec, known, {**options.mapping, **bound.columns})
                if rebound is not None and rebound.columns != bound.columns:
                    bound = replace(rebound, tags=bound.tags, cells_are_text=bound.cells_are_text)
                    convert, used = bound.convert, frozenset(bound.columns.values())
            if not all(column in record for column in required):
                raise mismatch(record, bound, options.mapping)
            sample = convert(record)
            sample_id, prompt_id = sample_ids_of(sample)
            if key is not None and key not in record:
                raise RecordError(f"has no key field '{key}'", "every record needs the --key field")
            record_meta = empty_meta if record.keys() <= used else meta_id(sample.meta)
            if key is not None:
                keys.append(str(record[key]))
            sample_ids.append(sample_id)
            prompt_ids.append(prompt_id)
            meta_ids.append(record_meta)
            positions.append(position)
        except RecordError as exc:
            if not options.skip_invalid:
                hint = exc.hint or SKIP_HINT
                raise InputError(
                    f"{where(label, position_kind, position)}: {exc.reason}", hint
                ) from None
            invalid.append(InvalidRecord(position, exc.reason))
    entries = Entries(sample_ids, prompt_ids, meta_ids, positions, keys if key else None)
    return entries, bound

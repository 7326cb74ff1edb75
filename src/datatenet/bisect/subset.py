"""A dataset file made of the parent's records plus a chosen subset of a commit's new records,
written in the file's own format (JSON Lines line by line as they were, JSON, CSV, TSV,
Parquet, gzipped or not).

A new sample that replaces an old one (a modified sample) takes its place when chosen: the
old record is left out. The parent's other records, those the commit removed included, stay:
the probe is the parent plus some of the new samples.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datatenet.errors import DatatenetError
from datatenet.formats.readers import ReadResult, read_records


@dataclass(frozen=True)
class Side:
    """One version of a dataset file: its bytes and where its entries start."""

    data: bytes | None  # None: the file does not exist on this side
    positions: Sequence[int]  # the line or row of each entry (Version.entries.positions)


def compose(
    path: str, base: Side, head: Side, drop_base: set[int], take_head: Sequence[int]
) -> bytes:
    """The parent's records without the entries `drop_base`, then the head entries
    `take_head` (entry indices), in the format of the file."""
    base_read, head_read = _read(base.data, path), _read(head.data, path)
    base_records, head_records = _records(base_read), _records(head_read)
    # an empty side (e.g. a file that held no samples yet) imposes no format
    sides = [(r, n) for r, n in ((base_read, base_records), (head_read, head_records)) if r]
    formats = list(dict.fromkeys(r.file_format for r, records in sides if records))
    if len(formats) > 1:
        raise DatatenetError(
            f"{path}: the commit changed the file's format ({formats[0]} -> {formats[1]}), so "
            "its old and new samples cannot be mixed in one file",
            "search inside a commit that adds samples to a file of one format",
        )
    kind = formats[0] if formats else sides[-1][0].file_format
    dropped = {_entry_records(base_records, base.positions)[i] for i in drop_base}
    head_of = _entry_records(head_records, head.positions)
    kept = [r for r in range(len(base_records)) if r not in dropped]
    taken = [head_of[i] for i in sorted(take_head)]
    reference = head.data if head.data is not None else base.data
    assert reference is not None
    plain = kind.removesuffix(".gz")
    if plain == "parquet":
        return _parquet(base.data, head.data, kept, taken)
    if plain == "jsonl":
        out = _jsonl(
            [base_records[r][0] for r in kept],
            base.data,
            [head_records[r][0] for r in taken],
            head.data,
        )
    else:
        values = [base_records[r][1] for r in kept] + [head_records[r][1] for r in taken]
        out = _json(reference, values) if plain == "json" else _delimited(reference, values, plain)
    return gzip.compress(out, mtime=0) if kind.endswith(".gz") else out


Record = tuple[int, Any]


def _read(data: bytes | None, path: str) -> ReadResult | None:
    return None if data is None else read_records(data, path, skip_invalid=True)


def _records(result: ReadResult | None) -> list[Record]:
    return [] if result is None else list(result.records)


def _entry_records(records: list[Record], positions: Sequence[int]) -> list[int]:
    """For each entry, the index of its record: entries and object records start at the same
    lines or rows, in order (several may share a line in a one-line JSON array)."""
    at: dict[int, list[int]] = {}
    for index, (position, value) in enumerate(records):
        if isinstance(value, dict):
            at.setdefault(position, []).append(index)
    used: dict[int, int] = {}
    found: list[int] = []
    for position in positions:
        rank = used.get(position, 0)
        used[position] = rank + 1
        found.append(at[position][rank])
    return found


def _plain(data: bytes) -> bytes:
    """The bytes without their gzip layer."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _lines(data: bytes | None) -> list[bytes]:
    if data is None:
        return []
    return _plain(data).removeprefix(b"\xef\xbb\xbf").split(b"\n")


def _jsonl(
    base_lines: list[int], base: bytes | None, head_lines: list[int], head: bytes | None
) -> bytes:
    """JSON Lines, every record the very line it was (a record starts on its line)."""
    old, new = _lines(base), _lines(head)
    chosen = [old[n - 1] for n in base_lines] + [new[n - 1] for n in head_lines]
    return b"".join(line.rstrip(b"\r") + b"\n" for line in chosen)


def _json(reference: bytes, values: list[Any]) -> bytes:
    text = _plain(reference).decode("utf-8-sig")
    document: Any = json.loads(text)
    if isinstance(document, dict):  # an object holding one array: keep the object around it
        (key,) = [k for k, v in document.items() if isinstance(v, list)]
        document[key] = values
    else:
        document = values
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _delimited(reference: bytes, values: list[Any], kind: str) -> bytes:
    text = _plain(reference).decode("utf-8-sig")
    delimiter = "\t" if kind == "tsv" else ","
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(values)
    return out.getvalue().encode()


def _parquet(
    base: bytes | None, head: bytes | None, base_rows: list[int], head_rows: list[int]
) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for data, rows in ((base, base_rows), (head, head_rows)):
        if data is not None:
            tables.append(pq.read_table(pa.BufferReader(data)).take(pa.array(rows, pa.int64())))
    table = pa.concat_tables(tables, promote_options="default")
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())

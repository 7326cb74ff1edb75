"""Readers: the bytes of a dataset file -> records (JSON values) with their line or row.

The container is sniffed from the content (gzip and Parquet magic, JSON array vs JSON Lines),
the suffix only decides between CSV and TSV, because real datasets name JSONL files `.json`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from datatenet.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"
MAX_EXCERPT = 80
SKIP_HINT = "fix or remove it, or pass --skip-invalid to go on without it"

_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_WS_BYTES = re.compile(rb"[ \t\n\r]*")


def _skip_ws(text: str, index: int) -> int:
    """Index of the first non-whitespace character at or after `index`."""
    match = _JSON_WS.match(text, index)
    return match.end() if match else index


@dataclass(frozen=True)
class ReadResult:
    file_format: str  # json, jsonl, csv, tsv, parquet (with .gz where compressed)
    position_kind: str  # "line" (1-based line where a record starts) or "row" (1-based)
    records: Iterable[tuple[int, Any]]  # JSON Lines are parsed lazily, as they are consumed
    invalid: list[tuple[int, str]] = field(default_factory=list)


def read_records(data: bytes, path: str, *, skip_invalid: bool = False) -> ReadResult:
    compressed = data[:2] == b"\x1f\x8b"
    if compressed:
        data = _gunzip(data, path)
    suffix = _suffix(path)
    if data[:4] == b"PAR1":
        return _read_parquet(data, path)
    text_data = _strip_bom(data, path)
    gz = ".gz" if compressed else ""
    if suffix in ("csv", "tsv"):
        return _read_delimited(text_data, path, suffix, skip_invalid, gz)
    start = _skip_ws_bytes(text_data)
    first = text_data[start : start + 1]
    if first == b"":
        return ReadResult("jsonl" + gz, "line", [])
    first_line_is_json = _is_json(_first_lines(text_data, start, 1)[0])
    if first == b"[" and not (first_line_is_json and _second_line_is_object(text_data)):
        return _read_json_array(text_data, path, skip_invalid, gz)
    if first == b"{" and not first_line_is_json:
        return _read_json_document(text_data, path, skip_invalid, gz)
    if first_line_is_json or _second_line_is_object(text_data):
        # JSON Lines, even when its first record is not an object or not valid JSON: the
        # loader then names that line, and --skip-invalid can go past it.
        return _read_jsonl(text_data, path, skip_invalid, gz)
    excerpt = _excerpt(text_data[start : start + MAX_EXCERPT].decode("utf-8", "replace"))
    raise InputError(
        f"{path}: not a dataset file this tool reads (it starts with {excerpt!r})",
        "datatenet reads JSON, JSON Lines, CSV, TSV and Parquet, optionally gzipped; "
        "CSV and TSV need a .csv or .tsv suffix",
    )


def _suffix(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.rsplit(".", 1)[-1] if "." in name.rsplit("/", 1)[-1] else ""


def _gunzip(data: bytes, path: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{path}: the gzip stream is damaged ({exc})",
            "check the file with `gzip -t`; re-create it from its source",
        ) from None


def _strip_bom(data: bytes, path: str) -> bytes:
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :]
    # A BOM, or ASCII text with every other byte zero (little- or big-endian without a BOM).
    zeros_odd, zeros_even = data[1:8:2], data[0:8:2]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(data) > 3 and b"\x00\x00" in (zeros_odd[:2], zeros_even[:2])
    ):
        raise InputError(
            f"{path}: the file is encoded as UTF-16 (or UTF-32), not UTF-8",
            f"convert it first, e.g. `iconv -f UTF-16 -t UTF-8 '{path}' > converted.jsonl`",
        )
    return data


def _skip_ws_bytes(data: bytes) -> int:
    """Index of the first non-whitespace byte, without copying the data."""
    match = _JSON_WS_BYTES.match(data)
    return match.end() if match else 0


def _first_lines(data: bytes, start: int, count: int) -> list[bytes]:
    """The first `count` non-blank lines from `start`, without copying the rest of the data
    (`data.split(b"\\n", 1)` would copy all of a large file)."""
    lines: list[bytes] = []
    while start < len(data) and len(lines) < count:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if data[start:end].strip():
            lines.append(data[start:end])
        start = end + 1
    return lines


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def _second_line_is_object(data: bytes) -> bool:
    """Whether the second non-blank line is a JSON object of its own, as in JSON Lines (one
    JSON document spread over lines never has one there)."""
    lines = _first_lines(data, _skip_ws_bytes(data), 2)
    second = lines[1].strip() if len(lines) > 1 else b""
    return second[:1] == b"{" and _is_json(second)


def _excerpt(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_EXCERPT else text[: MAX_EXCERPT - 1] + "…"


def _encoding_problem(raw: bytes, path: str, line: int) -> InputError | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        return InputError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{bad} at column {exc.start + 1})",
            "datatenet reads UTF-8 only; convert the file, e.g. "
            f"`iconv -f WINDOWS-1252 -t UTF-8 '{path}' > converted.jsonl` (name its real encoding)",
        )
    return None


def _describe_json_error(raw: bytes, exc: Exception) -> str:
    if b"\x00" in raw:
        return "contains a NUL byte (a binary or corrupted line)"
    text = raw.decode("utf-8", "replace")
    return f"not valid JSON ({exc}): {_excerpt(text)!r}"


def _read_jsonl(data: bytes, path: str, skip_invalid: bool, gz: str) -> ReadResult:
    invalid: list[tuple[int, str]] = []
    return ReadResult(
        "jsonl" + gz, "line", _jsonl_records(data, path, skip_invalid, invalid), invalid
    )


def _jsonl_records(
    data: bytes, path: str, skip_invalid: bool, invalid: list[tuple[int, str]]
) -> Iterator[tuple[int, Any]]:
    """Records one by one, parsed from views into `data`: no copy of the lines is ever held."""
    loads = orjson.loads
    view = memoryview(data)
    find = data.find
    start, number, size = 0, 0, len(data)
    while start < size:
        end = find(b"\n", start)
        if end < 0:
            end = size
        number += 1
        raw = view[start:end]
        start = end + 1
        try:
            value = loads(raw)
        except orjson.JSONDecodeError as exc:
            line = bytes(raw)
            if not line.strip():
                continue
            encoding = _encoding_problem(line, path, number)
            if encoding is not None:
                raise encoding from None
            reason = _describe_json_error(line, exc)
            if not skip_invalid:
                raise InputError(f"{path}:{number}: {reason}", SKIP_HINT) from None
            invalid.append((number, reason))
            continue
        yield number, value


def _decode_text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem = _encoding_problem(data.split(b"\n")[line - 1], path, line)
        assert problem is not None
        raise problem from None


def _json_syntax_error(path: str, exc: json.JSONDecodeError) -> InputError:
    return InputError(
        f"{path}:{exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})",
        "a JSON document cannot be read past a syntax error; fix the file "
        "(`python -m json.tool` shows where) or convert it to JSON Lines",
    )


TOO_DEEP = "nested too deeply to read (thousands of levels of lists or objects)"


def _value_end(text: str, index: int) -> int:
    """Where the JSON value starting at `index` ends, found without recursion (for a value too
    deeply nested for the decoder): brackets are counted outside strings."""
    depth, in_string, escaped = 0, False, False
    for position in range(index, len(text)):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return position + 1
    raise json.JSONDecodeError("unterminated value", text, index)


def _read_json_array(data: bytes, path: str, skip_invalid: bool, gz: str) -> ReadResult:
    """Walk the array element by element so that every record knows the line it starts on."""
    text = _decode_text(data, path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(f"{path}:{line}: contains a NUL byte", "the file is binary or corrupted")
    decoder = json.JSONDecoder()
    index = _skip_ws(text, 0) + 1  # past '['
    line = 1 + text.count("\n", 0, index)
    counted_to = index
    records: list[tuple[int, Any]] = []
    invalid: list[tuple[int, str]] = []
    try:
        index = _skip_ws(text, index)
        if text[index : index + 1] == "]":
            return ReadResult("json" + gz, "line", records)
        while True:
            line += text.count("\n", counted_to, index)
            counted_to = index
            try:
                value, index = decoder.raw_decode(text, index)
                records.append((line, value))
            except RecursionError:
                if not skip_invalid:
                    raise InputError(f"{path}:{line}: {TOO_DEEP}", SKIP_HINT) from None
                invalid.append((line, TOO_DEEP))
                index = _value_end(text, index)
            index = _skip_ws(text, index)
            char = text[index : index + 1]
            if char == ",":
                index = _skip_ws(text, index + 1)
            elif char == "]":
                break
            else:
                raise json.JSONDecodeError("expected ',' or ']'", text, index)
    except json.JSONDecodeError as exc:
        raise _json_syntax_error(path, exc) from None
    rest = text[index + 1 :].strip()
    if rest:
        line = text.count("\n", 0, _skip_ws(text, index + 1)) + 1  # where that text starts
        raise InputError(
            f"{path}:{line}: unexpected text after the closing ']': {_excerpt(rest)!r}",
            "a JSON file holds one array; remove what follows it",
        )
    return ReadResult("json" + gz, "line", records, invalid)


def _read_json_document(data: bytes, path: str, skip_invalid: bool, gz: str) -> ReadResult:
    text = _decode_text(data, path)
    try:
        document = json.loads(text)
    except RecursionError:
        raise InputError(
            f"{path}: {TOO_DEEP}", "a dataset file holds records, not one deep structure"
        ) from None
    except json.JSONDecodeError as exc:
        if _second_line_is_object(data):  # JSON Lines whose first line is malformed
            return _read_jsonl(data, path, skip_invalid, gz)
        raise _json_syntax_error(path, exc) from None
    lists = {key: value for key, value in document.items() if isinstance(value, list)}
    if len(lists) == 1:
        (items,) = lists.values()
        return ReadResult("json" + gz, "row", [(i, v) for i, v in enumerate(items, start=1)])
    raise InputError(
        f"{path}: holds one JSON object with {len(lists)} lists among its fields "
        f"({', '.join(sorted(document)[:8])}), not a list of samples",
        "datatenet reads a JSON array of samples, an object holding exactly one such array, "
        "or JSON Lines (one sample per line)",
    )


def _read_delimited(data: bytes, path: str, suffix: str, skip_invalid: bool, gz: str) -> ReadResult:
    text = _decode_text(data, path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(f"{path}:{line}: contains a NUL byte", "the file is binary or corrupted")
    csv.field_size_limit(sys.maxsize)
    delimiter = "\t" if suffix == "tsv" else ","
    # strict: an unclosed quote is an error, not a cell that swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return ReadResult(suffix + gz, "line", [])
    except csv.Error as exc:
        raise InputError(f"{path}:1: unreadable header ({exc})", "check the delimiter") from None
    if len(set(header)) != len(header):
        repeated = sorted({name for name in header if header.count(name) > 1})
        raise InputError(
            f"{path}:1: the header repeats column names: {', '.join(repeated)}",
            "give every column a distinct name",
        )
    records: list[tuple[int, Any]] = []
    invalid: list[tuple[int, str]] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells or cells == [""]:
                continue
            if len(cells) != len(header):
                reason = f"has {len(cells)} cells, the header has {len(header)}"
                if not skip_invalid:
                    raise InputError(f"{path}:{line}: {reason}", SKIP_HINT)
                invalid.append((line, reason))
                continue
            records.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise InputError(
            f"{path}:{start}: {exc} (in the row that starts on this line)",
            "check the quoting: a quoted cell ends with a quote, then the delimiter",
        ) from None
    return ReadResult(suffix + gz, "line", records, invalid)


def _read_parquet(data: bytes, path: str) -> ReadResult:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"{path}: is a Parquet file, and reading Parquet needs pyarrow",
            "pip install pyarrow",
        ) from None
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: unreadable Parquet file ({exc})", "re-create the file") from None
    rows = table.to_pylist()
    return ReadResult("parquet", "row", [(i, row) for i, row in enumerate(rows, start=1)])

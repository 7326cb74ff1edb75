"""Readers: every container datatenet reads, built as real files, with the line or row of
each record. Error paths are in test_errors.py."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from datatenet.formats.load import LoadOptions, load_file
from datatenet.formats.readers import read_records
from datatenet.version import Version
from tests.conftest import run_cli

ALPACA = [
    {"instruction": "Reset my password", "input": "", "output": "Open Settings > Security."},
    {"instruction": "Cancel my order", "input": "order 42", "output": "Done, it is cancelled."},
    {"instruction": "Where is my parcel?", "input": "", "output": "It ships tomorrow."},
]
SHAREGPT = {
    "conversations": [
        {"from": "human", "value": "Hi, what is 2+2?"},
        {"from": "gpt", "value": "4"},
    ]
}


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def load(path: Path, **options: Any) -> Version:
    return load_file(path, LoadOptions(**options))


def ids(version: Version) -> list[str]:
    return [entry.sample_id for entry in version.entries]


def positions(version: Version) -> list[int]:
    return [entry.position for entry in version.entries]


def diff_json(old: Path, new: Path, *args: str) -> dict[str, Any]:
    result = run_cli("diff", old, new, "--json", *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_records_keep_their_lines_past_blank_lines(tmp_path: Path) -> None:
    lines = jsonl(ALPACA).splitlines()
    path = write(tmp_path / "d.jsonl", f"\n{lines[0]}\n\n   \n{lines[1]}\r\n{lines[2]}")
    version = load(path)
    assert (version.file_format, version.schema, version.position_kind) == (
        "jsonl",
        "alpaca",
        "line",
    )
    assert positions(version) == [2, 5, 6]


def test_jsonl_named_json_is_read_as_jsonl(tmp_path: Path) -> None:
    as_json = load(write(tmp_path / "data.json", jsonl(ALPACA)))
    as_jsonl = load(write(tmp_path / "data.jsonl", jsonl(ALPACA)))
    assert as_json.file_format == "jsonl"
    assert positions(as_json) == [1, 2, 3]
    assert ids(as_json) == ids(as_jsonl)


def test_jsonl_whose_first_line_is_malformed_is_still_jsonl(tmp_path: Path) -> None:
    # Not mistaken for one JSON document: --skip-invalid goes past line 1.
    path = write(tmp_path / "d.jsonl", '{"instruction": "cut off\n' + jsonl(ALPACA))
    version = load(path, skip_invalid=True)
    assert version.file_format == "jsonl"
    assert positions(version) == [2, 3, 4]
    assert [item.position for item in version.invalid] == [1]


def test_escaped_nul_in_a_string_is_valid(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", '{"instruction": "a\\u0000b", "output": "x"}\n')
    (sample,) = load(path).samples([0])
    assert sample.messages[0].content == "a\x00b"


def test_huge_line_is_read(tmp_path: Path) -> None:
    huge = "x" * 5_000_000
    records = [ALPACA[0], {"instruction": "Summarize", "output": huge}, ALPACA[1]]
    path = write(tmp_path / "big.jsonl", jsonl(records))
    version = load(path)
    assert positions(version) == [1, 2, 3]
    (sample,) = version.samples([1])
    assert sample.messages[-1].content == huge


def test_huge_line_through_the_cli(tmp_path: Path) -> None:
    base = write(tmp_path / "base.jsonl", jsonl(ALPACA))
    records = [*ALPACA, {"instruction": "Summarize", "output": "y" * 5_000_000}]
    head = write(tmp_path / "head.jsonl", jsonl(records))
    document = diff_json(base, head)
    assert document["summary"]["unchanged"] == 3
    assert [item["head"] for item in document["datasets"][0]["added"]] == [f"{head}:4"]


# --- empty files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("zero.jsonl", b""),
        ("blank.jsonl", b"  \n\n\t\r\n"),
        ("array.json", b"[]"),
        ("spaced-array.json", b" [\n\n ]\n"),
        ("zero.csv", b""),
        ("header-only.csv", b"instruction,output\n"),
        ("zero.jsonl.gz", gzip.compress(b"")),
    ],
)
def test_empty_files_are_zero_samples_and_diff(tmp_path: Path, name: str, content: bytes) -> None:
    empty = write(tmp_path / name, content)
    assert load(empty).entries == ()
    full = write(tmp_path / "full.jsonl", jsonl(ALPACA))
    document = diff_json(empty, full)
    summary = document["summary"]
    assert (summary["base_samples"], summary["head_samples"], summary["added"]) == (0, 3, 3)
    assert summary["invalid_base"] == 0


def test_diff_to_an_empty_file_removes_everything(tmp_path: Path) -> None:
    full = write(tmp_path / "full.jsonl", jsonl(ALPACA))
    summary = diff_json(full, write(tmp_path / "empty.json", "[]"))["summary"]
    assert (summary["removed"], summary["base_samples"], summary["head_samples"]) == (3, 3, 0)


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv"])
def test_utf8_bom_is_read(tmp_path: Path, suffix: str) -> None:
    if suffix == "jsonl":
        text = jsonl(ALPACA)
    elif suffix == "json":
        text = json.dumps(ALPACA, indent=2)
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, ["instruction", "input", "output"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(ALPACA)
        text = out.getvalue()
    plain = load(write(tmp_path / f"plain.{suffix}", text))
    bom = load(write(tmp_path / f"bom.{suffix}", b"\xef\xbb\xbf" + text.encode()))
    assert bom.schema == "alpaca"  # a BOM glued to the first field name would break this
    assert ids(bom) == ids(plain)
    assert positions(bom) == positions(plain)


def test_non_ascii_utf8_is_read(tmp_path: Path) -> None:
    record = {"instruction": "Qu'est-ce qu'un café ? 咖啡是什么", "output": "Une boisson ☕"}
    (sample,) = load(write(tmp_path / "d.jsonl", jsonl([record]))).samples([0])
    assert sample.messages[-1].content == "Une boisson ☕"


# --- JSON arrays and documents ------------------------------------------------------------


def test_json_array_origins_point_at_each_opening_brace(tmp_path: Path) -> None:
    r = [json.dumps({"instruction": f"question {i}", "output": f"answer {i}"}) for i in range(5)]
    text = "\n".join(
        [
            "[",  # 1
            f"  {r[0]},",  # 2
            "",  # 3
            "  {",  # 4
            '    "instruction": "question 1",',  # 5
            '    "output": "answer 1"',  # 6
            "  }",  # 7
            "  ,",  # 8
            f"  {r[2]}, {r[3]},",  # 9: two records
            "",  # 10
            "",  # 11
            f"{r[4]}",  # 12
            "]",
        ]
    )
    head = write(tmp_path / "head.json", text)
    version = load(head)
    assert (version.file_format, version.position_kind) == ("json", "line")
    assert positions(version) == [2, 4, 9, 9, 12]
    base = write(tmp_path / "base.json", "[]")
    added = diff_json(base, head)["datasets"][0]["added"]
    assert sorted(item["head"] for item in added) == sorted(
        f"{head}:{line}" for line in (2, 4, 9, 9, 12)
    )


def test_one_line_json_array(tmp_path: Path) -> None:
    version = load(write(tmp_path / "d.json", json.dumps(ALPACA) + "\n"))
    assert version.file_format == "json"
    assert positions(version) == [1, 1, 1]


def test_json_array_has_the_same_ids_as_jsonl(tmp_path: Path) -> None:
    array = load(write(tmp_path / "a.json", json.dumps(ALPACA, indent=4)))
    lines = load(write(tmp_path / "l.jsonl", jsonl(ALPACA)))
    assert ids(array) == ids(lines)


@pytest.mark.parametrize("indent", [None, 2])
def test_json_object_holding_one_list_of_samples(tmp_path: Path, indent: int | None) -> None:
    document = {"version": "1.0", "count": 3, "data": ALPACA}
    if indent is None:
        # Compact but over two lines: a file of one line is JSON Lines holding one record.
        text = json.dumps(document) + "\n\n"
        text = text.replace('"count": 3, ', '"count": 3,\n')
    else:
        text = json.dumps(document, indent=indent)
    version = load(write(tmp_path / "wrapped.json", text))
    assert (version.file_format, version.position_kind) == ("json", "row")
    assert positions(version) == [1, 2, 3]
    assert ids(version) == ids(load(write(tmp_path / "l.jsonl", jsonl(ALPACA))))


def test_json_object_with_compact_records_on_their_own_lines(tmp_path: Path) -> None:
    # Its lines 2 and 3 are JSON objects of their own, yet the file is one document.
    body = ",\n".join(json.dumps(record) for record in ALPACA)
    version = load(write(tmp_path / "wrapped.json", '{"data": [\n' + body + "\n]}\n"))
    assert (version.file_format, version.position_kind) == ("json", "row")
    assert len(version.entries) == 3


def test_json_object_rows_in_the_cli(tmp_path: Path) -> None:
    wrapped = write(tmp_path / "wrapped.json", json.dumps({"rows": ALPACA}, indent=1))
    empty = write(tmp_path / "empty.jsonl", "")
    added = diff_json(empty, wrapped)["datasets"][0]["added"]
    assert sorted(item["head"] for item in added) == [f"{wrapped} row {i}" for i in (1, 2, 3)]


# --- gzip ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "file_format"),
    [
        ("d.jsonl.gz", jsonl(ALPACA), "jsonl.gz"),
        ("d.json.gz", json.dumps(ALPACA, indent=2), "json.gz"),
        ("jsonl-inside.json.gz", jsonl(ALPACA), "jsonl.gz"),
        ("no-suffix-at-all", jsonl(ALPACA), "jsonl.gz"),
    ],
)
def test_gzip_is_read_by_content(tmp_path: Path, name: str, text: str, file_format: str) -> None:
    version = load(write(tmp_path / name, gzip.compress(text.encode())))
    assert version.file_format == file_format
    assert ids(version) == ids(load(write(tmp_path / "plain.jsonl", jsonl(ALPACA))))


def test_gzip_keeps_line_numbers(tmp_path: Path) -> None:
    text = "\n\n" + jsonl(ALPACA)
    assert positions(load(write(tmp_path / "d.jsonl.gz", gzip.compress(text.encode())))) == [
        3,
        4,
        5,
    ]


def test_gzipped_csv(tmp_path: Path) -> None:
    text = "instruction,output\nhi,hello\n"
    version = load(write(tmp_path / "d.csv.gz", gzip.compress(text.encode())))
    assert (version.file_format, version.schema, positions(version)) == ("csv.gz", "alpaca", [2])


# --- CSV and TSV --------------------------------------------------------------------------


def test_csv_multiline_cells_keep_their_start_line(tmp_path: Path) -> None:
    text = (
        "instruction,output\n"  # 1
        'Write a haiku,"An old silent pond\n'  # 2
        "A frog jumps into the pond\n"  # 3
        'Splash! Silence again."\n'  # 4
        "Say hi,hi\n"  # 5
        "\n"  # 6: blank, skipped
        '"Quote ""this""","a,b"\n'  # 7
    )
    version = load(write(tmp_path / "d.csv", text))
    assert (version.file_format, version.schema, version.position_kind) == (
        "csv",
        "alpaca",
        "line",
    )
    assert positions(version) == [2, 5, 7]
    first, _, last = version.samples([0, 1, 2])
    assert first.messages[-1].content.count("\n") == 2
    assert last.messages[0].content == 'Quote "this"'
    assert last.messages[-1].content == "a,b"


def test_csv_with_crlf_line_endings(tmp_path: Path) -> None:
    text = 'instruction,output\r\nhi,"two\r\nlines"\r\nbye,ciao\r\n'
    version = load(write(tmp_path / "d.csv", text))
    assert positions(version) == [2, 4]


def test_tsv(tmp_path: Path) -> None:
    text = "instruction\tinput\toutput\n" + "".join(
        f"{r['instruction']}\t{r['input']}\t{r['output']}\n" for r in ALPACA
    )
    version = load(write(tmp_path / "d.tsv", text))
    assert (version.file_format, version.schema, positions(version)) == ("tsv", "alpaca", [2, 3, 4])
    assert ids(version) == ids(load(write(tmp_path / "l.jsonl", jsonl(ALPACA))))


def test_csv_json_cells_of_a_conversations_column_are_decoded(tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "conversations"])
    writer.writerow(["7", json.dumps(SHAREGPT["conversations"])])
    version = load(write(tmp_path / "d.csv", out.getvalue()))
    assert version.schema == "sharegpt"
    (sample,) = version.samples([0])
    assert [(m.role, m.content) for m in sample.messages] == [
        ("user", "Hi, what is 2+2?"),
        ("assistant", "4"),
    ]
    assert ids(version) == ids(load(write(tmp_path / "l.jsonl", jsonl([SHAREGPT]))))


def test_csv_skip_invalid_lists_the_short_row(tmp_path: Path) -> None:
    text = "instruction,output\nhi,hello\nlonely\nbye,ciao\n"
    version = load(write(tmp_path / "d.csv", text), skip_invalid=True)
    assert positions(version) == [2, 4]
    assert [(item.position, item.reason) for item in version.invalid] == [
        (3, "has 1 cells, the header has 2")
    ]


# --- Parquet ------------------------------------------------------------------------------


def write_parquet(path: Path, records: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(records), path)
    return path


def test_parquet_rows(tmp_path: Path) -> None:
    head = write_parquet(tmp_path / "d.parquet", ALPACA)
    version = load(head)
    assert (version.file_format, version.schema, version.position_kind) == (
        "parquet",
        "alpaca",
        "row",
    )
    assert positions(version) == [1, 2, 3]
    assert ids(version) == ids(load(write(tmp_path / "l.jsonl", jsonl(ALPACA))))
    base = write(tmp_path / "base.jsonl", jsonl(ALPACA[:1]))
    document = diff_json(base, head)
    added = document["datasets"][0]["added"]
    assert sorted(item["head"] for item in added) == [f"{head} row 2", f"{head} row 3"]
    assert document["summary"]["unchanged"] == 1


def test_parquet_nested_conversations(tmp_path: Path) -> None:
    version = load(write_parquet(tmp_path / "d.parquet", [SHAREGPT, SHAREGPT]))
    assert version.schema == "sharegpt"
    assert ids(version) == ids(load(write(tmp_path / "l.jsonl", jsonl([SHAREGPT, SHAREGPT]))))


def test_parquet_named_anything_is_read_by_content(tmp_path: Path) -> None:
    assert load(write_parquet(tmp_path / "d.csv", ALPACA)).file_format == "parquet"


# --- read_records directly ----------------------------------------------------------------


def test_read_records_reports_kinds_and_positions() -> None:
    result = read_records(b'{"a": 1}\n\n[1]\n"s"\n', "x.jsonl")
    assert (result.file_format, result.position_kind) == ("jsonl", "line")
    assert list(result.records) == [(1, {"a": 1}), (3, [1]), (4, "s")]


def test_read_records_jsonl_whose_first_record_is_not_an_object() -> None:
    # The loader then says "x.jsonl:1: is a JSON array", not "unexpected text after ']'".
    result = read_records(b'[1, 2]\n{"a": 1}\n', "x.jsonl")
    assert result.file_format == "jsonl"
    assert list(result.records) == [(1, [1, 2]), (2, {"a": 1})]


def test_read_records_skip_invalid_collects_reasons() -> None:
    result = read_records(b'{"a": 1}\nnope\n{"a": 2}\n', "x.jsonl", skip_invalid=True)
    # Records may be parsed lazily: the invalid ones are all known once they are consumed.
    assert [position for position, _ in result.records] == [1, 3]
    ((line, reason),) = result.invalid
    assert line == 2
    assert reason.startswith("not valid JSON") and "'nope'" in reason

"""Every bad input a user can give, through the real command: exit code 2, no traceback, and a
message that names the file and, where the problem sits on one, the line (or Parquet row).

Whole-file problems (missing file, directory, damaged gzip, UTF-16, corrupt Parquet, a JSON
object that is not a list of samples) have no line; their messages name the file.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

ALPACA = [
    {"instruction": "Reset my password", "input": "", "output": "Open Settings > Security."},
    {"instruction": "Cancel my order", "input": "order 42", "output": "Done, it is cancelled."},
    {"instruction": "Where is my parcel?", "input": "", "output": "It ships tomorrow."},
]
MAX_MESSAGE = 1000  # characters of stderr for one error, however big the bad record


def line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False)


def jsonl(records: list[Any]) -> str:
    return "".join(line(record) + "\n" for record in records)


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def fails(bad: Path, *args: str, good_first: bool = True) -> str:
    """Diff a good file against `bad`; the run must fail cleanly. Returns stderr."""
    good = write(bad.parent / "good.jsonl", jsonl(ALPACA))
    files = (good, bad) if good_first else (bad, good)
    result = run_cli("diff", *files, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("datatenet: error: "), result.stderr
    assert result.stdout == ""
    return result.stderr


def diff_json(old: Path, new: Path, *args: str) -> dict[str, Any]:
    result = run_cli("diff", old, new, "--json", *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- malformed JSON Lines -----------------------------------------------------------------


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", jsonl(ALPACA[:2]) + '{"instruction": "oops",,}\n')
    stderr = fails(bad)
    assert f"{bad}:3: not valid JSON" in stderr
    assert '{"instruction": "oops",,}' in stderr  # an excerpt of the line
    assert "--skip-invalid" in stderr


def test_malformed_first_line_of_jsonl(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", '{"instruction": "cut off\n' + jsonl(ALPACA))
    stderr = fails(bad)
    assert f"{bad}:1: not valid JSON" in stderr
    assert "--skip-invalid" in stderr


def test_skip_invalid_goes_on_and_lists_invalid_records(tmp_path: Path) -> None:
    base = write(tmp_path / "base.jsonl", "not json at all\n" + jsonl(ALPACA))
    head_lines = [
        line(ALPACA[0]),  # 1
        "{broken",  # 2
        line(ALPACA[1]),  # 3
        line({"instruction": "x", "output": 5}),  # 4: valid JSON, wrong type
        "",  # 5
        line(["an", "array"]),  # 6: not an object
        line({"instruction": "New question", "output": "New answer"}),  # 7
    ]
    head = write(tmp_path / "head.jsonl", "\n".join(head_lines) + "\n")
    document = diff_json(base, head, "--skip-invalid")
    summary = document["summary"]
    assert summary["invalid_base"] == 1
    assert summary["invalid_head"] == 3
    assert (summary["base_samples"], summary["head_samples"]) == (3, 3)
    assert (summary["unchanged"], summary["added"], summary["removed"]) == (2, 1, 1)
    dataset = document["datasets"][0]
    assert [(item["line"], item["origin"]) for item in dataset["base"]["invalid"]] == [
        (1, f"{base}:1")
    ]
    invalid = dataset["head"]["invalid"]
    assert [(item["line"], item["origin"]) for item in invalid] == [
        (2, f"{head}:2"),
        (4, f"{head}:4"),
        (6, f"{head}:6"),
    ]
    assert invalid[0]["reason"].startswith("not valid JSON")
    assert "field 'output' is a number" in invalid[1]["reason"]
    assert "is a JSON array" in invalid[2]["reason"]
    assert [item["head"] for item in dataset["added"]] == [f"{head}:7"]


def test_skip_invalid_in_the_terminal_summary(tmp_path: Path) -> None:
    base = write(tmp_path / "base.jsonl", jsonl(ALPACA))
    head = write(tmp_path / "head.jsonl", jsonl(ALPACA) + "{broken\n")
    result = run_cli("diff", base, head, "--skip-invalid")
    assert result.returncode == 0, result.stderr
    assert "unchanged 3  added 0" in result.stdout
    assert "invalid records skipped in head: 1" in result.stdout
    assert f"{head}:4: not valid JSON" in result.stdout
    assert "skipped in base" not in result.stdout


# --- schemas ------------------------------------------------------------------------------


def test_unknown_schema_lists_fields_and_suggests_map(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", "\n" + jsonl([{"frage": "Wie?", "antwort": "So."}] * 2))
    stderr = fails(bad)
    assert f"{bad}: cannot tell the schema" in stderr
    assert f"fields seen at {bad}:2: antwort, frage" in stderr
    assert "hint:" in stderr and "--map" in stderr


def test_record_that_does_not_fit_forced_format(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", jsonl([{"frage": "Wie?", "antwort": "So."}]))
    stderr = fails(bad, "--format", "alpaca")
    assert f"{bad}:1: the record does not fit --format alpaca" in stderr
    assert "fields seen: antwort, frage" in stderr
    assert "--map" in stderr


def test_unknown_format_name(tmp_path: Path) -> None:
    stderr = fails(write(tmp_path / "ok.jsonl", jsonl(ALPACA)), "--format", "alpacca")
    assert "--format: unknown schema 'alpacca'" in stderr
    assert "alpaca" in stderr.split("hint:")[1]


def test_mixed_schemas_in_one_file(tmp_path: Path) -> None:
    sharegpt = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]}
    bad = write(tmp_path / "mixed.jsonl", jsonl([*ALPACA, sharegpt, ALPACA[0]]))
    stderr = fails(bad)
    assert f"{bad}:4: has fields conversations" in stderr
    assert "schema alpaca" in stderr
    assert "looks like sharegpt" in stderr
    assert "one schema" in stderr


def test_mapped_field_missing_from_a_record(tmp_path: Path) -> None:
    records = [{"q": "a", "a": "b"}, {"q": "c", "a": "d"}, {"q": "e", "answer": "f"}]
    bad = write(tmp_path / "mapped.jsonl", jsonl(records))
    stderr = fails(bad, "--map", "prompt=q,response=a")
    assert f"{bad}:3: has fields answer, q" in stderr


def test_key_field_missing(tmp_path: Path) -> None:
    records = [{**ALPACA[0], "id": 1}, ALPACA[1]]
    bad = write(tmp_path / "keyed.jsonl", jsonl(records))
    stderr = fails(bad, "--key", "id", good_first=False)
    assert f"{bad}:2: has no key field 'id'" in stderr


def test_map_with_an_unknown_canonical_name(tmp_path: Path) -> None:
    stderr = fails(write(tmp_path / "ok.jsonl", jsonl(ALPACA)), "--map", "answer=output")
    assert "--map: 'answer' is not a canonical field name" in stderr
    assert "response" in stderr  # the hint lists the canonical names


# --- non-object records -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ('["a JSON", "array"]', "is a JSON array"),
        ('"just a string"', "is a string"),
        ("3.5", "is a number"),
        ("null", "is null"),
        ("true", "is a boolean"),
    ],
)
@pytest.mark.parametrize("at", [1, 3])
def test_non_object_jsonl_record(tmp_path: Path, record: str, kind: str, at: int) -> None:
    lines = [line(r) for r in ALPACA]
    lines.insert(at - 1, record)
    bad = write(tmp_path / "bad.jsonl", "\n".join(lines) + "\n")
    stderr = fails(bad)
    assert f"{bad}:{at}: {kind}, expected an object" in stderr


def test_non_object_in_a_json_array(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", f"[\n{line(ALPACA[0])},\n\n  7,\n{line(ALPACA[1])}\n]\n")
    assert f"{bad}:4: is a number, expected an object" in fails(bad)


def test_non_object_in_a_json_object_list(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", json.dumps({"data": [ALPACA[0], "oops"]}, indent=2))
    assert f"{bad} row 2: is a string, expected an object" in fails(bad)


def test_text_that_is_no_dataset(tmp_path: Path) -> None:
    bad = write(tmp_path / "notes.txt", "hello world\nthis is prose\n")
    stderr = fails(bad)
    assert f"{bad}: not a dataset file" in stderr
    assert "'hello world" in stderr


# --- huge lines ---------------------------------------------------------------------------


def test_huge_malformed_line_gives_a_short_message(tmp_path: Path) -> None:
    huge = '{"instruction": "' + "x" * 5_000_000 + '", "output": }'
    bad = write(tmp_path / "huge.jsonl", jsonl(ALPACA[:1]) + huge + "\n" + jsonl(ALPACA[1:]))
    stderr = fails(bad)
    assert f"{bad}:2: not valid JSON" in stderr
    assert len(stderr) < MAX_MESSAGE
    assert "xxxx…" in stderr  # the excerpt is cut


def test_huge_malformed_json_array_gives_a_short_message(tmp_path: Path) -> None:
    huge = '{"instruction": "' + "x" * 5_000_000 + '" "output": "y"}'
    bad = write(tmp_path / "huge.json", f"[\n{line(ALPACA[0])},\n{huge}\n]")
    stderr = fails(bad)
    assert f"{bad}:3: not valid JSON" in stderr
    assert len(stderr) < MAX_MESSAGE


def test_huge_garbage_after_a_json_array_gives_a_short_message(tmp_path: Path) -> None:
    bad = write(tmp_path / "huge.json", json.dumps(ALPACA, indent=2) + "\n\n" + "z" * 5_000_000)
    stderr = fails(bad)
    assert f"{bad}:" in stderr and "after the closing ']'" in stderr
    assert len(stderr) < MAX_MESSAGE


# --- NUL bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("at", [1, 2])
def test_nul_byte_in_jsonl(tmp_path: Path, at: int) -> None:
    lines = [line(r) for r in ALPACA]
    lines.insert(at - 1, '{"instruction": "a\x00b", "output": "c"}')
    bad = write(tmp_path / "nul.jsonl", "\n".join(lines))
    assert f"{bad}:{at}: contains a NUL byte" in fails(bad)


def test_nul_bytes_of_a_binary_tail_in_jsonl(tmp_path: Path) -> None:
    bad = write(tmp_path / "nul.jsonl", jsonl(ALPACA).encode() + b"\x00" * 64)
    assert f"{bad}:4: contains a NUL byte" in fails(bad)


def test_nul_byte_in_json_array(tmp_path: Path) -> None:
    text = f"[\n{line(ALPACA[0])},\n" + '{"instruction": "a\x00b", "output": "c"}\n]'
    bad = write(tmp_path / "nul.json", text)
    assert f"{bad}:3: contains a NUL byte" in fails(bad)


def test_nul_byte_in_csv(tmp_path: Path) -> None:
    bad = write(tmp_path / "nul.csv", "instruction,output\nhi,hello\nbye,ci\x00ao\n")
    assert f"{bad}:3: contains a NUL byte" in fails(bad)


# --- wrong types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"instruction": "Add 2 and 2", "output": 4}, "field 'output' is a number (4)"),
        ({"instruction": None, "output": "4"}, "field 'instruction' is null"),
        ({"instruction": ["a", "b"], "output": "4"}, "instruction[0] is a string ('a')"),
        ({"instruction": "q", "input": {"x": 1}, "output": "4"}, "field 'input' is an object"),
    ],
)
def test_wrong_type_in_an_alpaca_field(tmp_path: Path, record: Any, expected: str) -> None:
    bad = write(tmp_path / "types.jsonl", jsonl([*ALPACA, record]))
    stderr = fails(bad)
    assert f"{bad}:4: {expected}" in stderr


def test_message_content_that_is_an_object(tmp_path: Path) -> None:
    chat = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    bad_chat = {
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": {"a": 1}}]
    }
    bad = write(tmp_path / "chat.jsonl", jsonl([chat, bad_chat]))
    assert f"{bad}:2: messages[1] has content that is an object" in fails(bad)


def test_message_with_an_unknown_role(tmp_path: Path) -> None:
    bad_chat = {"messages": [{"role": "wizard", "content": "hi"}]}
    bad = write(tmp_path / "chat.jsonl", jsonl([bad_chat]))
    stderr = fails(bad)
    assert f"{bad}:1: messages[0] has the unknown role 'wizard'" in stderr
    assert "assistant" in stderr  # the hint lists the known roles


def test_label_that_is_not_a_boolean(tmp_path: Path) -> None:
    def kto(label: Any) -> dict[str, Any]:
        return {"messages": [{"role": "user", "content": "hi"}], "label": label}

    bad = write(tmp_path / "kto.jsonl", jsonl([kto(True), kto(False), kto("maybe")]))
    stderr = fails(bad)
    assert f"{bad}:3: field 'label' is " in stderr
    assert "expected true or false" in stderr


def test_label_message_shows_the_bad_value(tmp_path: Path) -> None:
    record = {"messages": [{"role": "user", "content": "hi"}], "label": "maybe"}
    bad = write(tmp_path / "kto.jsonl", jsonl([record]))
    stderr = fails(bad)
    assert f"{bad}:1: field 'label' is " in stderr
    assert "'maybe'" in stderr


def test_label_that_is_not_a_boolean_in_csv(tmp_path: Path) -> None:
    text = 'messages,label\n"[{""role"": ""user"", ""content"": ""hi""}]",maybe\n'
    bad = write(tmp_path / "kto.csv", text)
    assert f"{bad}:2: field 'label' is " in fails(bad)


def test_wrong_type_in_a_parquet_row(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    bad = tmp_path / "types.parquet"
    table = pa.table({"instruction": ["a", "b", "c"], "output": ["x", None, "z"]})
    pq.write_table(table, bad)
    assert f"{bad} row 2: field 'output' is null" in fails(bad)


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_is_a_clear_error(tmp_path: Path, encoding: str) -> None:
    bad = write(tmp_path / "wide.jsonl", jsonl(ALPACA).encode(encoding))
    stderr = fails(bad)
    assert f"{bad}: the file is encoded as UTF-16" in stderr
    assert "iconv" in stderr


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv"])
def test_latin1_bytes_name_their_line(tmp_path: Path, suffix: str) -> None:
    latin = {"instruction": "Qu'est-ce qu'un café ?", "output": "Une boisson."}
    if suffix == "jsonl":
        content = jsonl(ALPACA[:2]).encode() + jsonl([latin]).encode("latin-1")
    elif suffix == "json":
        content = f"[{line(ALPACA[0])},\n{line(ALPACA[1])},\n".encode()
        content += f"{line(latin)}\n]".encode("latin-1")
    else:
        content = b"instruction,output\nhi,hello\n" + "café,boisson\n".encode("latin-1")
    bad = write(tmp_path / f"latin.{suffix}", content)
    stderr = fails(bad)
    assert f"{bad}:3: not valid UTF-8 (byte 0xe9" in stderr
    assert "iconv" in stderr


def test_latin1_in_the_first_line(tmp_path: Path) -> None:
    latin = {"instruction": "café", "output": "x"}
    bad = write(tmp_path / "latin.jsonl", jsonl([latin]).encode("latin-1") + jsonl(ALPACA).encode())
    stderr = fails(bad)
    assert f"{bad}:1: not valid UTF-8" in stderr
    assert "iconv" in stderr


# --- JSON arrays and documents ------------------------------------------------------------


def test_json_array_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = f"[\n  {line(ALPACA[0])},\n  {line(ALPACA[1])}\n  {line(ALPACA[2])}\n]\n"
    bad = write(tmp_path / "bad.json", text)  # line 3 lacks its comma
    stderr = fails(bad)
    assert f"{bad}:4: not valid JSON" in stderr


def test_json_array_with_a_broken_record(tmp_path: Path) -> None:
    broken = '  {\n    "instruction": "x",\n    "output": "y",\n  }'  # trailing comma, line 7
    text = f"[\n  {line(ALPACA[0])},\n\n{broken}\n]\n"
    bad = write(tmp_path / "bad.json", text)
    assert f"{bad}:7: not valid JSON" in fails(bad)


def test_json_array_with_a_trailing_comma(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", f"[\n  {line(ALPACA[0])},\n]\n")
    assert f"{bad}:3: not valid JSON" in fails(bad)


def test_unclosed_json_array(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", f"[\n  {line(ALPACA[0])},\n  {line(ALPACA[1])}\n")
    assert f"{bad}:4: not valid JSON" in fails(bad)


def test_text_after_a_json_array(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", f"[\n{line(ALPACA[0])}\n]\n\ntrailing words\n")
    stderr = fails(bad)
    assert f"{bad}:5: unexpected text after the closing ']'" in stderr
    assert "trailing words" in stderr


def test_json_object_with_no_list(tmp_path: Path) -> None:
    bad = write(tmp_path / "obj.json", json.dumps({"name": "x", "size": 3}, indent=2))
    stderr = fails(bad)
    assert f"{bad}: holds one JSON object with 0 lists" in stderr
    assert "name, size" in stderr


def test_json_object_with_two_lists(tmp_path: Path) -> None:
    document = {"train": ALPACA[:2], "test": ALPACA[2:]}
    bad = write(tmp_path / "obj.json", json.dumps(document, indent=2))
    stderr = fails(bad)
    assert f"{bad}: holds one JSON object with 2 lists" in stderr
    assert "test, train" in stderr


def test_json_object_with_a_syntax_error(tmp_path: Path) -> None:
    text = '{\n  "data": [\n    {"instruction": "a", "output": "b"}\n    {"x": 1}\n  ]\n}\n'
    bad = write(tmp_path / "obj.json", text)
    assert f"{bad}:4: not valid JSON" in fails(bad)


# --- gzip ---------------------------------------------------------------------------------


def test_truncated_gzip(tmp_path: Path) -> None:
    whole = gzip.compress(jsonl(ALPACA * 50).encode())
    bad = write(tmp_path / "cut.jsonl.gz", whole[: len(whole) // 2])
    stderr = fails(bad)
    assert f"{bad}: the gzip stream is damaged" in stderr
    assert "gzip -t" in stderr


def test_garbage_after_the_gzip_magic(tmp_path: Path) -> None:
    bad = write(tmp_path / "junk.json.gz", b"\x1f\x8b" + b"not really gzip" * 10)
    assert f"{bad}: the gzip stream is damaged" in fails(bad)


def test_malformed_line_inside_gzip_names_its_line(tmp_path: Path) -> None:
    text = jsonl(ALPACA[:2]) + "{broken\n"
    bad = write(tmp_path / "bad.jsonl.gz", gzip.compress(text.encode()))
    assert f"{bad}:3: not valid JSON" in fails(bad)


# --- CSV and TSV --------------------------------------------------------------------------


def test_csv_row_with_too_many_cells(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", 'instruction,output\nhi,hello\n"a\nb",c,d\n')
    stderr = fails(bad)
    assert f"{bad}:3: has 3 cells, the header has 2" in stderr
    assert "--skip-invalid" in stderr


def test_tsv_row_with_too_few_cells(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.tsv", "instruction\toutput\nhi\thello\n\nlonely\n")
    assert f"{bad}:4: has 1 cells, the header has 2" in fails(bad)


def test_csv_skip_invalid_lists_the_row(tmp_path: Path) -> None:
    head = write(tmp_path / "head.csv", "instruction,output\nhi,hello\nx,y,z\n")
    empty = write(tmp_path / "empty.csv", "")
    document = diff_json(empty, head, "--skip-invalid")
    assert document["summary"]["invalid_head"] == 1
    (item,) = document["datasets"][0]["head"]["invalid"]
    assert (item["line"], item["origin"]) == (3, f"{head}:3")


def test_csv_unclosed_quote(tmp_path: Path) -> None:
    text = 'instruction,output\nhi,hello\nbye,"never closed\nmore,rows\nand,more\n'
    bad = write(tmp_path / "bad.csv", text)
    stderr = fails(bad)
    assert f"{bad}:3: " in stderr
    assert "quot" in stderr.split("hint:")[1]


def test_csv_text_after_a_closing_quote(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", 'instruction,output\nhi,hello\n"bye" now,ciao\n')
    assert f"{bad}:3: " in fails(bad)


def test_csv_repeated_header(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "instruction,output,output\nhi,a,b\n")
    assert f"{bad}:1: the header repeats column names: output" in fails(bad)


def test_csv_unreadable_header(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", '"instruction"x,output\nhi,a\n')
    assert f"{bad}:1: unreadable header" in fails(bad)


# --- Parquet ------------------------------------------------------------------------------


def test_corrupt_parquet(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.parquet", b"PAR1" + b"\x00garbage" * 100 + b"PAR1")
    stderr = fails(bad)
    assert f"{bad}: unreadable Parquet file" in stderr
    assert "Traceback" not in stderr


def test_truncated_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.Table.from_pylist(ALPACA), whole)
    bad = write(tmp_path / "cut.parquet", whole.read_bytes()[:-40])
    assert f"{bad}: unreadable Parquet file" in fails(bad)


# --- paths --------------------------------------------------------------------------------


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "data.jsonl"
    folder.mkdir()
    stderr = fails(folder)
    assert f"{folder}: is a directory" in stderr


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    stderr = fails(missing, good_first=False)
    assert f"{missing}: no such file" in stderr


def test_unreadable_dataset_info(tmp_path: Path) -> None:
    data = write(tmp_path / "data.jsonl", jsonl(ALPACA))
    info = write(tmp_path / "dataset_info.json", '{"data": {"file_name": "data.jsonl",,}}')
    stderr = fails(data)
    assert f"{info}: unreadable dataset_info.json" in stderr

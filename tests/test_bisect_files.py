"""The file-level parts of bisect: a dataset file made of the parent's samples plus a subset of
new ones (every format), the topics of new samples, CMD's verdict, the state on disk."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datatenet.bisect import topics
from datatenet.bisect.runner import Metric, ProbeAborted, judge, run_probe
from datatenet.bisect.state import Candidate, Outstanding, State, Store
from datatenet.bisect.subset import Side, compose
from datatenet.diff import diff_versions
from datatenet.errors import DatatenetError
from datatenet.formats.load import LoadOptions, parse_version
from datatenet.samples import Message, Sample

BASE = [{"instruction": f"question {i}", "output": f"answer {i}", "id": i} for i in range(6)]
HEAD = [
    *BASE[:2],
    {"instruction": "question 2", "output": "answer 2, revised", "id": 2},  # modified
    *BASE[3:5],  # question 5 removed
    {"instruction": "question 6", "output": "answer 6", "id": 6},  # added
    {"instruction": "question 7", "output": "answer 7 ünïcode", "id": 7},  # added
]


def _encode(records: list[dict[str, Any]], kind: str) -> bytes:
    if kind in ("jsonl", "jsonl.gz"):
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        return gzip.compress(data) if kind.endswith(".gz") else data
    if kind == "json":
        return json.dumps(records, indent=1, ensure_ascii=False).encode()
    if kind == "json-object":
        document = {"meta": {"n": 1}, "rows": records}
        return json.dumps(document, indent=1, ensure_ascii=False).encode()
    if kind in ("csv", "tsv"):
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, list(records[0]), delimiter="\t" if kind == "tsv" else ",")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode()
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(records), sink)
    return bytes(sink.getvalue().to_pybytes())


SUFFIX = {
    "jsonl": "jsonl",
    "jsonl.gz": "jsonl.gz",
    "json": "json",
    "json-object": "json",
    "csv": "csv",
    "tsv": "tsv",
    "parquet": "parquet",
}


@pytest.mark.parametrize("kind", list(SUFFIX))
def test_the_parent_plus_a_subset_in_the_files_own_format(kind: str) -> None:
    path = f"data/train.{SUFFIX[kind]}"
    base_data, head_data = _encode(BASE, kind), _encode(HEAD, kind)
    options = LoadOptions()
    base = parse_version(base_data, path, options)
    head = parse_version(head_data, path, options)
    change = diff_versions(base, head)
    assert (len(change.added), len(change.removed), len(change.modified)) == (2, 1, 1)
    ((old, new),) = change.modified
    added = list(change.added)
    for drop, take in (
        (set(), []),  # the parent alone
        ({old}, [new]),  # the edit only
        (set(), [added[1]]),  # one added sample
        ({old}, [new, *added]),  # every new sample
    ):
        data = compose(
            path,
            Side(base_data, base.entries.positions),
            Side(head_data, head.entries.positions),
            drop,
            take,
        )
        out = parse_version(data, path, options)
        expected = Counter(base.entries.sample_ids)
        for index in drop:
            expected[base.entries.sample_ids[index]] -= 1
        for index in take:
            expected[head.entries.sample_ids[index]] += 1
        assert Counter(out.entries.sample_ids) == +expected
        assert out.file_format == base.file_format and out.schema == base.schema


def test_json_lines_keep_every_line_as_it_was() -> None:
    base_data = b'{"instruction": "q0",   "output": "a0"}\r\n{"instruction":"q1","output":"a1"}\n'
    head_data = base_data + b'{ "output": "a2", "instruction": "q2" }\n'
    options = LoadOptions()
    base = parse_version(base_data, "t.jsonl", options)
    head = parse_version(head_data, "t.jsonl", options)
    out = compose(
        "t.jsonl",
        Side(base_data, base.entries.positions),
        Side(head_data, head.entries.positions),
        set(),
        [2],
    )
    assert out == (
        b'{"instruction": "q0",   "output": "a0"}\n{"instruction":"q1","output":"a1"}\n'
        b'{ "output": "a2", "instruction": "q2" }\n'
    )


def test_a_new_dataset_and_a_changed_format() -> None:
    head_data = _encode(HEAD, "jsonl")
    head = parse_version(head_data, "new.jsonl", LoadOptions())
    out = compose(
        "new.jsonl", Side(None, ()), Side(head_data, head.entries.positions), set(), [0, 5]
    )
    assert parse_version(out, "new.jsonl", LoadOptions()).entries.sample_ids == [
        head.entries.sample_ids[0],
        head.entries.sample_ids[5],
    ]
    base_data = _encode(BASE, "json")
    base = parse_version(base_data, "x.json", LoadOptions())
    with pytest.raises(DatatenetError, match="changed the file's format"):
        compose(
            "x.json",
            Side(base_data, base.entries.positions),
            Side(head_data, head.entries.positions),
            set(),
            [0],
        )


def _sample(prompt: str, **meta: Any) -> Sample:
    return Sample((Message("user", prompt), Message("assistant", "ok")), meta=meta)


def test_topics_from_a_metadata_field_then_from_shared_words() -> None:
    units = [
        topics.Unit(
            "a.jsonl", i, None, _sample(f"q{i}", category="billing" if i < 3 else "refunds")
        )
        for i in range(6)
    ]
    found = topics.partition(units)
    assert found.groups == ((0, 1, 2), (3, 4, 5)) and "'category'" in found.basis
    assert set(found.labels) == {"billing", "refunds"}
    words = [
        "How do I reset my password today?",
        "My password expired, what now?",
        "Password rules for admins?",
        "Where is my invoice for March?",
        "Download the invoice as PDF",
        "Why is the weather nice?",
    ]
    units = [topics.Unit("a.jsonl", i, None, _sample(text)) for i, text in enumerate(words)]
    found = topics.partition(units)
    assert found.basis == "shared prompt words"
    assert (0, 1, 2) in found.groups and (3, 4) in found.groups
    assert dict(zip(found.groups, found.labels, strict=True))[(0, 1, 2)] == "password"
    chinese = ["如何重置密码", "忘记密码怎么办", "发票在哪里下载", "如何开发票"]
    units = [topics.Unit("zh.jsonl", i, None, _sample(text)) for i, text in enumerate(chinese)]
    found = topics.partition(units)
    assert (0, 1) in found.groups and (2, 3) in found.groups  # 密码 and 发票
    two = [
        topics.Unit(name, 0, None, _sample("same words here")) for name in ("a.jsonl", "b.jsonl")
    ]
    assert topics.partition(two).groups == ((0,), (1,))  # datasets apart


# -- CMD's verdict -------------------------------------------------------------------------------


def _log(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "probe.log"
    path.write_text(text, encoding="utf-8")
    return path


def test_exit_codes_are_read_as_git_bisect_run_reads_them(tmp_path: Path) -> None:
    log = _log(tmp_path, "")
    assert judge(0, log, None).verdict == "good"
    assert judge(125, log, None).verdict == "skip"
    for code in (1, 2, 124, 126, 127):
        assert judge(code, log, None).verdict == "bad"
    for code in (128, 200, 255, -9):
        with pytest.raises(ProbeAborted) as caught:
            judge(code, log, None)
        assert str(log) in caught.value.message


def test_a_score_against_a_threshold(tmp_path: Path) -> None:
    log = _log(tmp_path, "epoch 1 loss 0.9\nepoch 2 loss 0.4\nfinal loss 0.35\n")
    lower = Metric(r"loss ([0-9.]+)", 0.5)
    result = judge(0, log, lower)
    assert (result.verdict, result.score) == ("good", 0.35)  # the last match counts
    assert judge(0, log, Metric(r"loss ([0-9.]+)", 0.3)).verdict == "bad"
    higher = Metric(r"final loss [0-9.]+", 0.3, higher_is_better=True)
    with pytest.raises(ProbeAborted, match="not a number"):
        judge(0, log, higher)
    assert (
        judge(0, log, Metric(r"(?<=final loss )[0-9.]+", 0.3, higher_is_better=True)).verdict
        == "good"
    )
    assert judge(125, log, lower).verdict == "skip"
    with pytest.raises(ProbeAborted, match="no match"):
        judge(0, log, Metric(r"accuracy ([0-9.]+)", 0.5))
    assert judge(3, log, Metric(r"accuracy ([0-9.]+)", 0.5)).verdict == "skip"
    with pytest.raises(DatatenetError, match="not a regular expression"):
        run_probe(["true"], {}, tmp_path, tmp_path / "x.log", Metric("(unclosed", 1.0))


def test_cmd_gets_the_probe_and_no_git_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_DIR", "/somewhere/else/.git")
    monkeypatch.setenv("GIT_INDEX_FILE", "/somewhere/else/index")
    monkeypatch.setenv("KEEP_ME", "yes")
    script = (
        "import json, os, sys; print(json.dumps({k: v for k, v in os.environ.items() "
        "if k.startswith(('GIT_', 'DATATENET_', 'KEEP_'))})); print(os.getcwd())"
    )
    echo = io.BytesIO()
    result = run_probe(
        [sys.executable, "-c", script],
        {"DATATENET_BISECT_REVISION": "abc"},
        tmp_path,
        tmp_path / "probes" / "1.log",
        echo=echo,  # type: ignore[arg-type]
    )
    assert result.verdict == "good"
    lines = result.log.read_text().splitlines()
    seen = json.loads(lines[0])
    assert seen["DATATENET_BISECT_REVISION"] == "abc" and seen["KEEP_ME"] == "yes"
    assert "GIT_DIR" not in seen and "GIT_INDEX_FILE" not in seen
    assert Path(lines[1]) == tmp_path
    assert echo.getvalue() == result.log.read_bytes()  # shown while it ran
    with pytest.raises(DatatenetError, match="cannot run"):
        run_probe([str(tmp_path / "missing.sh")], {}, tmp_path, tmp_path / "y.log")


# -- the state on disk ----------------------------------------------------------------------------


def test_the_state_round_trips_and_a_damaged_one_is_an_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.load() is None
    state = State(
        good="a" * 40,
        bad="b" * 40,
        good_key="k0",
        bad_key="k2",
        candidates=(Candidate("c" * 40, "k1", 2.5), Candidate("b" * 40, "k2")),
        datasets=("data/train.jsonl",),
        weighted=True,
        command=("./eval.sh", "--fast"),
        metric={"pattern": "acc ([0-9.]+)", "threshold": 0.8, "higher_is_better": True},
        verdicts={"k1": "skip"},
        samples={"0,3": "fail"},
        outstanding=Outstanding("c" * 40, (0, 3), "/tmp/wt", None),
    )
    store.save(state)
    assert store.load() == state
    store.log("start", "good x")
    store.log("good", "multi\nline")
    lines = store.read_log()
    assert [line.split("\t")[1:] for line in lines] == [["start", "good x"], ["good", "multi line"]]
    store.state_path.write_text('{"format": 1, "good": ')
    with pytest.raises(DatatenetError, match="cannot be read") as caught:
        store.load()
    assert "bisect reset" in caught.value.hint


def test_one_command_at_a_time(tmp_path: Path) -> None:
    store = Store(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "bisect").mkdir()
        (tmp_path / "bisect" / "lock").write_text(str(sleeper.pid))
        with pytest.raises(DatatenetError, match="another datatenet bisect"), store.locked():
            pass
    finally:
        sleeper.kill()
        sleeper.wait()
    with store.locked():  # the process that held it is gone: the stale lock is taken over
        assert (tmp_path / "bisect" / "lock").read_text() == str(os.getpid())
    assert not (tmp_path / "bisect" / "lock").exists()

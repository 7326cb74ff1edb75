"""Mistakes a new user makes in the first hour, each shown as the command that shows it: deep
JSON, `--map` fields that are not there or are nested, an unknown `--format`, and statements
that judge the data instead of naming a behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from datatenet import intent
from tests.conftest import run_cli
from tests.repos import Repo, alpaca

# self-instruct's seed tasks keep the answer inside a list of instances
SELF_INSTRUCT = [
    {
        "id": "seed_task_0",
        "instruction": "Is there anything I can eat for a breakfast that doesn't include eggs?",
        "instances": [{"input": "", "output": "Yes, oatmeal with fruit, or toast with jam."}],
        "is_classification": False,
    },
    {
        "id": "seed_task_1",
        "instruction": "Give the antonym of the word.",
        "instances": [{"input": "happy", "output": "sad"}],
        "is_classification": False,
    },
]


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def clean_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("datatenet: error: ")
    return result.stderr


def test_a_json_array_nested_thousands_deep_is_an_invalid_record(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    path = tmp_path / "deep.json"
    path.write_text(
        '[\n{"instruction": "q", "output": "a"},\n'
        f'{{"instruction": "q2", "output": {deep}}},\n'
        '{"instruction": "q3", "output": "c"}\n]\n'
    )
    stderr = clean_failure(run_cli("scan", path, "--checks", "none"))
    assert f"{path}:3: nested too deeply to read" in stderr
    assert "--skip-invalid" in stderr
    skipped = run_cli("scan", path, "--checks", "none", "--skip-invalid", "--json")
    assert skipped.returncode == 0, skipped.stderr
    document = json.loads(skipped.stdout)
    assert document["dataset"]["samples"] == 2
    assert [item["line"] for item in document["dataset"]["invalid"]] == [3]


def test_a_json_object_nested_too_deep_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep_object.json"
    path.write_text('{"data": ' + "[" * 5000 + "]" * 5000 + "}")
    assert "nested too deeply to read" in clean_failure(run_cli("scan", path))


def test_deep_metadata_in_json_lines_is_an_invalid_record(tmp_path: Path) -> None:
    deep = json.loads("[" * 900 + "]" * 900)
    path = jsonl(
        tmp_path / "deep.jsonl",
        [
            {"instruction": "q", "output": "a"},
            {"instruction": "q2", "output": "b", "meta": deep},
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
        ],
    )
    assert f"{path}:2: cannot be read" in clean_failure(run_cli("scan", path, "--checks", "none"))
    skipped = run_cli("scan", path, "--checks", "none", "--skip-invalid", "--json")
    assert skipped.returncode == 0, skipped.stderr
    assert [item["line"] for item in json.loads(skipped.stdout)["dataset"]["invalid"]] == [2, 3]


def test_a_mapped_field_no_record_has_is_an_error_listing_the_fields(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "train.jsonl", [json.loads(line) for line in alpaca(3).splitlines()])
    stderr = clean_failure(run_cli("scan", path, "--map", "prompt=foo"))
    assert f"{path}: --map names the field 'foo', which no record has" in stderr
    assert "the file's fields: instruction, output" in stderr


def test_a_mapping_one_of_two_files_needs_is_not_an_error(tmp_path: Path) -> None:
    old = jsonl(tmp_path / "old.jsonl", [{"question": "q1", "answer": "a1"}])
    new = jsonl(tmp_path / "new.jsonl", [{"instruction": "q1", "output": "a1"}])
    result = run_cli("diff", old, new, "--map", "prompt=question", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["unchanged"] == 1
    stderr = clean_failure(run_cli("diff", old, new, "--map", "prompt=quest"))
    assert "--map names the field 'quest', which no record has" in stderr


def test_no_schema_even_with_a_mapping_says_so(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "odd.jsonl", [{"q": "a", "z": "b"}])
    stderr = clean_failure(run_cli("scan", path, "--map", "prompt=q"))
    assert "no schema fits the fields seen" in stderr and "even with --map prompt=q" in stderr
    assert "hint: map them with --map" not in stderr
    assert "prompt and response" in stderr


def test_nested_fields_are_named_by_a_dotted_path(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "seed_tasks.jsonl", SELF_INSTRUCT)
    stderr = clean_failure(run_cli("scan", path, "--map", "prompt=instruction,response=output"))
    assert "'output' is nested: name it with a dotted path" in stderr
    assert "--map prompt=instruction,response=instances.0.output" in stderr
    mapping = "prompt=instruction,query=instances.0.input,response=instances.0.output"
    flat = jsonl(
        tmp_path / "flat.jsonl",
        [
            {
                "instruction": row["instruction"],
                "input": row["instances"][0]["input"],  # type: ignore[index]
                "output": row["instances"][0]["output"],  # type: ignore[index]
            }
            for row in SELF_INSTRUCT
        ],
    )
    # the same samples written flat have the same ids: nothing changed
    compared = run_cli("diff", path, flat, "--map", mapping, "--json")
    assert compared.returncode == 0, compared.stderr
    document = json.loads(compared.stdout)
    assert document["summary"]["unchanged"] == 2 and document["summary"]["added"] == 0


def test_an_unknown_format_is_refused_at_once(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "train.jsonl", [{"instruction": "q", "output": "a"}])
    for args in (("scan", path), ("diff", path, path)):
        stderr = clean_failure(run_cli(*args, "--format", "alpacaa"))
        assert stderr.count("unknown schema 'alpacaa'") == 1
        assert "known schemas: openai-dpo" in stderr


VAGUE = (
    "Improve the model quality",
    "Make the model better at tasks",
    "add ten new self-instruct tasks",
    "Add 20 more diverse examples to improve general helpfulness",
    "提高模型的质量",
    "让模型在任务上表现更好",
)
SPECIFIC = (
    "When the user asks for a recipe, list the ingredients before the steps.",
    "Answer arithmetic word problems step by step, ending with the final number.",
    "当用户询问退款时，先确认订单号再回答。",
)


@pytest.mark.parametrize("statement", VAGUE)
def test_vague_statements_are_refused(statement: str) -> None:
    judgement = intent.judge_statement(statement, intent.Rules())
    assert not judgement.ok
    assert "is vague" in judgement.problem


@pytest.mark.parametrize("statement", SPECIFIC)
def test_specific_statements_pass(statement: str) -> None:
    assert intent.judge_statement(statement, intent.Rules()).ok


def test_short_chinese_statements_count_their_words() -> None:
    assert "too short" in intent.judge_statement("要礼貌", intent.Rules()).problem


def test_a_real_commit_with_a_vague_statement_is_refused(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("data/train.jsonl", alpaca(5))
    repo.commit("Start\n\nReinforces: Answer numbered questions with the numbered answer.")
    assert run_cli("install", cwd=repo.path).returncode == 0
    repo.write("data/train.jsonl", alpaca(8))
    repo.git("add", "-A")
    env = {**os.environ, "GIT_EDITOR": "true"}

    def commit(statement: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-m", f"Add samples\n\nReinforces: {statement}"],
            cwd=repo.path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    refused = commit("Make the model better at tasks")
    assert refused.returncode != 0
    assert "'Make the model better at tasks' is vague" in refused.stderr
    accepted = commit("When a question is numbered, answer with the same number.")
    assert accepted.returncode == 0, accepted.stderr


def test_init_shows_the_default_gates_it_enforces(tmp_path: Path) -> None:
    from datatenet import gates

    repo = Repo(tmp_path / "repo")
    repo.write("data/train.jsonl", alpaca(3))
    repo.commit("Start")
    result = run_cli("init", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    text = (repo.path / ".datatenet.toml").read_text()
    block = text[text.index("# [gates]") :].split("\n# and,")[0]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    written = gates.parse_gates(tomllib.loads(uncommented)["gates"])
    assert written == gates.parse_gates(gates.DEFAULT_GATES)

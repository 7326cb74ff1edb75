"""The analyses in a repository: the configured eval sets checked for contamination by diff and
by the hooks, the `[analyses]` settings, the checks a hook runs for its gates, and what a commit
states handed to the analyses that hold a change against it."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from datatenet.config import settings_from_dict
from datatenet.errors import DatatenetError
from datatenet.repo.analyses import (
    HOOK_CHECKS,
    analyses_for,
    analysis_config,
    gate_checks,
)
from datatenet.repo.repository import Repo as FrontDoor
from tests.conftest import TEST_DATA, run_cli
from tests.repos import Repo

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def jsonl(values: list[dict[str, object]]) -> str:
    return "".join(json.dumps(value) + "\n" for value in values)


@pytest.fixture
def evaluated(tmp_path: Path) -> Repo:
    """Training data and a held-out eval set (real GSM8K chats), the hooks installed."""
    repo = Repo(tmp_path / "repo")
    every = rows(GSM8K)
    repo.write("data/train.jsonl", jsonl(every[:20]))
    repo.write("eval/test.jsonl", jsonl(every[20:]))
    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl"]\neval = ["eval/*.jsonl"]\n')
    repo.commit("Start\n\nReinforces: Solve grade-school word problems step by step.")
    assert run_cli("install", cwd=repo.path).returncode == 0
    return repo


def lightly_edited(sample: dict[str, object]) -> dict[str, object]:
    copy = json.loads(json.dumps(sample))
    copy["messages"][-1]["content"] = copy["messages"][-1]["content"].replace(" ", "  ", 3)
    return copy


def commit(repo: Repo, message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_EDITOR": "true"},
    )


MESSAGE = "Add two problems\n\nReinforces: Solve grade-school word problems step by step."


def test_eval_copies_are_shown_by_diff_and_refused_by_the_hook(evaluated: Repo) -> None:
    every = rows(GSM8K)
    copies = [every[20], lightly_edited(every[21])]
    evaluated.write("data/train.jsonl", jsonl(every[:20] + copies))
    shown = run_cli("diff", "--json", "--checks", "exact,near,contamination", cwd=evaluated.path)
    assert shown.returncode == 0, shown.stderr
    (dataset,) = json.loads(shown.stdout)["datasets"]
    found = [f for f in dataset["findings"] if f["kind"] == "contamination"]
    assert sorted((f["sample"]["origin"], f["matched"]["origin"]) for f in found) == [
        ("data/train.jsonl:21", "eval/test.jsonl:1"),
        ("data/train.jsonl:22", "eval/test.jsonl:2"),
    ]
    evaluated.git("add", "-A")
    refused = commit(evaluated, MESSAGE)
    assert refused.returncode != 0
    assert "FAILED: eval_contamination = 2, above max 0" in refused.stderr
    assert "data/train.jsonl:22" in refused.stderr and "eval/test.jsonl:2" in refused.stderr


def test_a_clean_change_copies_nothing(evaluated: Repo) -> None:
    fresh = {
        "messages": [
            {"role": "user", "content": "A shelf holds 4 rows of 7 books. How many books?"},
            {"role": "assistant", "content": "4 rows of 7 books is 4 * 7 = 28 books.\n#### 28"},
        ]
    }
    evaluated.write("data/train.jsonl", jsonl([*rows(GSM8K)[:20], fresh]))
    evaluated.git("add", "-A")
    accepted = commit(evaluated, MESSAGE)
    assert accepted.returncode == 0, accepted.stderr
    shown = run_cli(
        "diff", "HEAD~1", "HEAD", "--json", "--checks", "contamination", cwd=evaluated.path
    )
    (dataset,) = json.loads(shown.stdout)["datasets"]
    assert [f for f in dataset["findings"] if f["kind"] == "contamination"] == []


def test_an_unreadable_eval_set_is_a_note_not_a_silent_pass(evaluated: Repo) -> None:
    evaluated.write("eval/broken.jsonl", "{not json\n")
    evaluated.git("add", "eval/broken.jsonl")
    evaluated.write("data/train.jsonl", jsonl([*rows(GSM8K)[:20], lightly_edited(rows(GSM8K)[25])]))
    shown = run_cli("diff", "--json", "--checks", "contamination", cwd=evaluated.path)
    (dataset,) = json.loads(shown.stdout)["datasets"]
    assert any("eval set eval/broken.jsonl not checked" in note for note in dataset["notes"])
    assert [f["matched"]["origin"] for f in dataset["findings"]] == ["eval/test.jsonl:6"]


def test_the_analyses_table_is_checked_and_reaches_the_analyses() -> None:
    document = {
        "analyses": {
            "seed": 7,
            "phrases": {"apology": ["my bad"]},
            "style": {"auc_flag": 0.8},
            "stability": {"length_ratio": 4},
        },
        "behaviours": {"cite": {"statement": "Cite the manual page.", "marker": "p\\. \\d+"}},
    }
    settings = settings_from_dict(document, None, "test.toml")
    config = analysis_config("style", settings, None, ["Cite the manual page."], ["cite"])
    assert config.options["seed"] == 7
    assert config.options["style"] == {"auc_flag": 0.8}
    assert config.options["phrases"] == {"apology": ["my bad"]}
    assert config.options["behaviours"]["cite"]["marker"] == "p\\. \\d+"
    assert config.options["reinforces"] == ("Cite the manual page.",)
    assert config.options["reinforced"] == ("cite",)
    mistakes = {
        "unknown key 'colour' in [analyses]": {"colour": 1},
        "unknown key 'auc' in [analyses.style]": {"style": {"auc": 0.7}},
        "[analyses] seed must be a whole number": {"seed": "x"},
        "phrases] apology must be a list of strings": {"phrases": {"apology": "sorry"}},
    }
    for message, table in mistakes.items():
        with pytest.raises(DatatenetError, match=message.replace("[", r"\[")):
            analysis_config(None, settings_from_dict({"analyses": table}, None, "test.toml"))


def test_a_hook_runs_the_analyses_its_gates_bound() -> None:
    default = gate_checks(settings_from_dict({}, None, "t").__class__())
    assert default.split(",") == list(HOOK_CHECKS)
    gated = settings_from_dict(
        {"gates": {"style_drift_auc": {"max": 0.8, "level": "warn"}, "semantic_duplicates": 0}},
        None,
        "t",
    )
    assert set(gate_checks(gated).split(",")) == {*HOOK_CHECKS, "style"}
    assert set(gate_checks(gated, semantic=True).split(",")) == {*HOOK_CHECKS, "style", "semantic"}


def test_what_a_commit_states_reaches_the_focus_analysis(tmp_path: Path, shared_data: Path) -> None:
    """A commit stating one behaviour whose samples scatter over every topic is unfocused; the
    same samples told no statement are not judged so (check-range hands the statement over)."""
    source = json.loads((shared_data / "llama_factory" / "alpaca_en_demo.json").read_text())
    order = list(range(len(source)))
    random.Random(4).shuffle(order)  # a random 70% as the dataset, 60 of the rest added
    cut = int(len(source) * 0.7)
    base = [source[i] for i in order[:cut]]
    added = [source[i] for i in order[cut : cut + 60]]
    repo = Repo(tmp_path / "repo")
    repo.write("data/train.json", json.dumps(base))
    repo.commit("Start\n\nReinforces: Follow general instructions helpfully and briefly.")
    repo.write("data/train.json", json.dumps(base + added))
    head = repo.commit("Scatter\n\nReinforces: When asked to summarise, answer in one sentence.")
    with FrontDoor.open(repo.path) as front:
        analyse = analyses_for(front, "focus")
        diff = front.commit_diff(head)
        (told,) = analyse(diff, ["When asked to summarise, answer in one sentence."])
        (untold,) = analyse(diff)
    assert [f.kind for f in told.findings] == ["unfocused"]
    assert untold.findings == ()
    assert told.measure("focus_entropy") == untold.measure("focus_entropy")

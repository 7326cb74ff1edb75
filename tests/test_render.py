"""The renderers, called directly on what the verbs return for a real repository: the text and
the JSON they make, the one shape a two-file and a repository diff share, and untrusted text
kept inert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datatenet.formats.load import LoadOptions
from datatenet.repo.repository import Repo as Repository
from datatenet.report.hooks import (
    prefilled_message,
    render_check,
    render_installed,
    render_message_check,
    render_range,
)
from datatenet.report.json_report import diff_document
from datatenet.report.terminal import render_cache, render_diff
from datatenet.verbs import caches, commit, compare
from datatenet.verbs.check_range import check_range
from datatenet.verbs.install import install
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
GOOD = "When a question is numbered, answer it with the numbered answer."
LEXICAL = "exact,near,conflicts"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(10))
    repo.write("data/old.jsonl", alpaca(2, start=90))
    repo.commit(f"Ten\n\nReinforces: {GOOD}")
    samples = alpaca(12, edited=(1,), edit=" (edited)").splitlines(True)
    repo.write(TRAIN, "".join(samples) + samples[4])  # two new, one edit, one copy
    repo.git("mv", "data/old.jsonl", "data/new.jsonl")
    repo.commit("Unstated")
    return repo


def test_a_repository_diff_and_a_two_file_diff_share_one_shape(repo: Repo) -> None:
    old = repo.path.parent / "old.jsonl"
    old.write_text(alpaca(10))
    options = LoadOptions()
    with Repository.open(repo.path) as opened:
        in_repo = compare.diff_repository(opened, "HEAD~1", "HEAD", (), options, LEXICAL)
        text = render_diff(in_repo)
        document = diff_document(in_repo)
    files = compare.diff_files(old, repo.path / TRAIN, options, LEXICAL, None)
    assert text.splitlines()[0].startswith("HEAD~1 (")
    assert "\n\ndata/old.jsonl -> data/new.jsonl  (renamed)\n" in text
    moved, train = in_repo.datasets
    assert moved.change is not None and moved.change.status == "renamed"
    assert train.change is not None and train.change.path == TRAIN
    (alone,) = files.datasets
    assert alone.change is None and files.repository is None
    assert alone.changeset.summary == train.changeset.summary
    assert [f.kind for f in alone.analysis.findings] == [f.kind for f in train.analysis.findings]
    # the dataset part of the text and of the JSON is the same, but for where it sits
    file_text = render_diff(files).replace(f"{repo.path}/", "")  # labels: the paths as given
    assert file_text.splitlines()[1:] == text.split(f"{TRAIN}  (modified)\n")[1].splitlines()
    labels = json.dumps(diff_document(files)["datasets"][0])  # origins name the paths given
    from_files = json.loads(labels.replace(f"{repo.path}/", "").replace(str(old), TRAIN))
    from_repo = document["datasets"][1]
    assert {k: v for k, v in from_repo.items() if k not in ("base", "head")} == {
        **{k: v for k, v in from_files.items() if k not in ("base", "head")},
        "path": TRAIN,
        "old_path": None,
        "status": "modified",
        "storage": "git",
    }
    assert document["renames"] == [{"from": "data/old.jsonl", "to": "data/new.jsonl"}]
    assert json.loads(json.dumps(document)) == document  # plain JSON, nothing else


def test_untracked_and_unchanged_lines(repo: Repo) -> None:
    repo.write("loose.jsonl", alpaca(1))
    with Repository.open(repo.path) as opened:
        result = compare.diff_repository(opened, "HEAD", "WORKTREE", (), LoadOptions(), "none")
        head = opened.head
    assert head is not None
    assert render_diff(result, verbose=True).splitlines() == [
        f"HEAD ({head[:10]}) -> the working tree",
        "no sample-level change in the watched datasets (2 compared)",
        "untracked, not compared: 1 file (`git add` it to include it)",
        "",
        "versions parsed: 0, served by the id cache: 0",
    ]


def test_check_and_check_msg_render_their_verdicts(repo: Repo, tmp_path: Path) -> None:
    repo.write(".datatenet.toml", "[gates]\nremoved_share = { max = 0.1 }\nstyle = { max = 1 }\n")
    repo.write(TRAIN, alpaca(6))
    repo.git("add", "-A")
    with Repository.open(repo.path) as opened:
        checked = commit.check(opened)
    assert not checked.ok
    assert render_check(checked).splitlines() == [
        "datatenet: staged data change",
        f"  {TRAIN} (modified): +0 added  -7 removed  ~1 modified  (13 -> 6 samples)",
        "  FAILED: removed_share = 0.5385, above max 0.1",
        f"    {TRAIN}:7: first of 7 removed",
        "  note: gate style: not measured in this run (unknown metric)",
        "commit refused by the gates above: fix the data, or the [gates] of the config",
    ]
    repo.write(TRAIN, alpaca(14))
    repo.git("add", "-A")
    message = tmp_path / "MSG"
    message.write_text("Add two\n\nReinforces: more data\n")
    with Repository.open(repo.path) as opened:
        refused = commit.check_msg(opened, message)
    lines = render_message_check(refused).splitlines()
    assert lines[0] == (
        "datatenet: commit refused: 'more data' is generic: it does not say which behaviour "
        "the samples teach"
    )
    assert not refused.ok and refused.outcome == "refused"
    assert f"  {TRAIN} (modified): +2 added  -1 removed  ~1 modified  (13 -> 14 samples)" in lines
    assert "    Add two" in lines and lines[-1].startswith("(a commit that only removes")
    message.write_text(f"Add two\n\nReinforces: {GOOD}\n")
    with Repository.open(repo.path) as opened:
        accepted = commit.check_msg(opened, message)
    assert render_message_check(accepted) == f"datatenet: 2 added, 1 modified; reinforces: {GOOD}"


def test_the_prefilled_message(repo: Repo, tmp_path: Path) -> None:
    repo.write(TRAIN, alpaca(14))
    repo.git("add", TRAIN)
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text("\n# Please enter the commit message for your changes.\n")
    with Repository.open(repo.path) as opened:
        plan = commit.prepare_msg(opened, message, "")
    assert plan is not None and plan.statement
    assert prefilled_message(plan).splitlines() == [
        "",
        "",
        "Reinforces: ",
        "# datatenet: the staged change adds or edits training samples:",
        f"#   {TRAIN} (modified): +2 added  -1 removed  ~1 modified  (13 -> 14 samples)",
        "# On the Reinforces: line, say in one sentence which behaviour",
        "# they reinforce, e.g.",
        "#   Reinforces: When a request is ambiguous, ask one clarifying question before "
        "answering.",
        "#",
        "# Please enter the commit message for your changes.",
    ]


def test_check_range_names_the_offenders(repo: Repo) -> None:
    with Repository.open(repo.path) as opened:
        result = check_range(opened, "HEAD~1", analyse=None)
    assert not result.ok and [c.subject for c in result.offending] == ["Unstated"]
    lines = render_range(result).splitlines()
    assert lines[0] == "datatenet: 1 data commit in HEAD~1 (1 offending)"
    assert lines[1].endswith(" Unstated") and lines[2] == (
        "    the message has no `Reinforces:` trailer"
    )
    assert lines[3].startswith("rule: a commit that adds or edits training samples")


def test_install_and_cache_lines(repo: Repo) -> None:
    with Repository.open(repo.path) as opened:
        installed = install(opened, python=None)
        hooks = opened.git_dir / "hooks"
        assert render_installed(installed).splitlines() == [
            f"installed {hooks / 'pre-commit'} (datatenet check)",
            f"installed {hooks / 'commit-msg'} (datatenet check-msg)",
            f"installed {hooks / 'prepare-commit-msg'} (datatenet prepare-msg)",
        ]
        framework = install(opened, pre_commit=True)
        text = render_installed(framework)
        assert text.startswith("added datatenet's hooks (repo: local, language: system) to ")
        assert render_installed(install(opened, pre_commit=True)).startswith(
            ".pre-commit-config.yaml has datatenet's hooks already"
        )
        listed = render_cache(
            opened.cache_root, caches.cache_info(opened.cache_root), cleared=False
        )
    assert listed.splitlines()[0] == str(opened.cache_root)
    assert "  sample ids: 0 files, 0.0 MB" in listed.splitlines()


def test_untrusted_sample_text_stays_inert(tmp_path: Path) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(alpaca(1))
    hostile = {"instruction": "q\x1b[2J\u202eevil", "output": "line one\nline two\x07"}
    new.write_text(alpaca(1) + json.dumps(hostile) + "\n")
    result = compare.diff_files(old, new, LoadOptions(), "none", None)
    text = render_diff(result, show=1)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "q\\x1b[2J\\u202eevil" in text and "line one⏎ line two\\x07" in text

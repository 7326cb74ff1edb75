"""What a new user met in the first hour, in real repositories: --skip-invalid on every command
that reads versions, DVC data a fresh clone cannot read, `--map` over a repository, the word
diff of `--show`, what findings show of a prompt, and the small things (no findings, copies,
log of a typo, blame of a commit made with --no-verify, init with nothing tracked, the hint
outside a repository)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest

from datatenet.cli import cli
from tests.conftest import ROOT, run_cli
from tests.repos import DVC, Repo, alpaca

TRAIN = "data/train.jsonl"
STATEMENT = "When a question is numbered, answer with the same number."
LEXICAL = ("--checks", "exact,near,conflicts")


def failure(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a clean exit-2 failure: one message, a hint, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "datatenet: error: " in result.stderr
    return result.stderr


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def commit(repo: Repo, subject: str, statement: str | None = STATEMENT) -> str:
    return repo.commit(subject if statement is None else f"{subject}\n\nReinforces: {statement}")


# -- 1. --skip-invalid wherever versions are read -----------------------------------------------

READERS = ("diff", "scan", "check", "check-range", "log", "blame")


def test_every_command_that_reads_versions_takes_skip_invalid() -> None:
    for name in READERS:
        command = cli.commands[name]
        assert "--skip-invalid" in {o for p in command.params for o in getattr(p, "opts", [])}, name
    context = click.Context(cli)
    assert "--skip-invalid" in cli.commands["blame"].get_help(context)


def test_a_malformed_line_in_history_is_skipped_by_every_command(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(5))
    commit(repo, "Five")
    repo.write(TRAIN, alpaca(7) + "{broken\n")
    commit(repo, "Two more, and a broken line")

    refused = failure(run_cli("blame", TRAIN, "--summary", cwd=repo.path))
    assert f"{TRAIN}:8: not valid JSON" in refused
    assert "pass --skip-invalid" in refused  # and the option it suggests exists:
    blamed = ok(run_cli("blame", TRAIN, "--summary", "--skip-invalid", cwd=repo.path))
    assert f"{TRAIN} at HEAD: 7 samples by behaviour" in blamed
    assert f"note: {TRAIN}: 1 invalid records skipped" in blamed

    logged = json.loads(ok(run_cli("log", "--json", "--skip-invalid", cwd=repo.path)))
    assert [(c["added"], c["unreadable"]) for c in logged["commits"]] == [(2, []), (5, [])]
    unread = json.loads(ok(run_cli("log", "--json", cwd=repo.path)))["commits"][0]
    assert unread["unreadable"] and "not valid JSON" in unread["unreadable"][0]

    failure(run_cli("diff", "HEAD~1", "HEAD", *LEXICAL, cwd=repo.path))
    diffed = ok(run_cli("diff", "HEAD~1", "HEAD", "--skip-invalid", *LEXICAL, cwd=repo.path))
    assert "invalid records skipped in head: 1" in diffed

    assert run_cli("check-range", "HEAD~1..HEAD", cwd=repo.path).returncode == 1
    ok(run_cli("check-range", "HEAD~1..HEAD", "--skip-invalid", cwd=repo.path))

    repo.write(TRAIN, alpaca(8) + "{broken\n")
    repo.git("add", TRAIN)
    refused_check = run_cli("check", cwd=repo.path)
    assert refused_check.returncode == 1 and "not valid JSON" in refused_check.stderr
    checked = ok(run_cli("check", "--skip-invalid", cwd=repo.path))
    assert f"{TRAIN} (modified): +1 added" in checked


# -- 2. DVC data a fresh clone cannot read -----------------------------------------------------


@pytest.fixture
def dvc_clone(tmp_path: Path) -> tuple[Repo, Repo]:
    """A clone of a DVC repository whose remote holds only the newest version of the data,
    and the repository it was cloned from."""
    origin = Repo(tmp_path / "origin")
    origin.dvc("init", "-q")
    origin.dvc("remote", "add", "-d", "store", str(tmp_path / "remote"))
    origin.write(TRAIN, alpaca(5))
    origin.dvc("add", "-q", TRAIN)
    commit(origin, "v1")
    origin.write(TRAIN, alpaca(8))
    origin.dvc("add", "-q", TRAIN)
    commit(origin, "v2")
    origin.dvc("push", "-q")  # the workspace's version only: v1 is in no remote
    subprocess.run(
        ["git", "clone", "-q", str(origin.path), str(tmp_path / "clone")],
        check=True,
        capture_output=True,
    )
    return Repo(tmp_path / "clone", init=False), origin


def test_unreadable_dvc_data_fails_and_the_hint_fetches_that_revision(
    dvc_clone: tuple[Repo, Repo],
) -> None:
    clone, origin = dvc_clone
    stderr = failure(run_cli("diff", "HEAD~1", "HEAD", *LEXICAL, cwd=clone.path))
    assert "1 dataset version cannot be read here: data/train.jsonl (base)" in stderr
    fetch = re.search(r"fetch the data with `([^`]+)`", stderr)
    assert fetch is not None and fetch.group(1) == "dvc fetch --all-commits data/train.jsonl.dvc"
    assert "--allow-unavailable" in stderr

    allowed = run_cli("diff", "HEAD~1", "HEAD", "--allow-unavailable", "--json", cwd=clone.path)
    document = json.loads(ok(allowed))
    (missing,) = document["unavailable"]
    assert (missing["path"], missing["side"]) == (TRAIN, "base")
    assert missing["fetch"] == fetch.group(1)

    ranged = run_cli("check-range", "HEAD~1..HEAD", cwd=clone.path)
    assert "data/train.jsonl (base): unavailable" in failure(ranged)
    ok(run_cli("check-range", "HEAD~1..HEAD", "--allow-unavailable", cwd=clone.path))

    # once the data is pushed, the command of the hint, run as it is, fetches that version
    origin.dvc("push", "-q", "--all-commits")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    words = shlex.split(fetch.group(1))
    subprocess.run([*DVC, *words[1:]], cwd=clone.path, check=True, capture_output=True, env=env)
    pointer = clone.git("show", "HEAD~1:data/train.jsonl.dvc")
    md5 = re.search(r"md5: ([0-9a-f]{32})", pointer)
    assert md5 is not None
    assert (clone.path / ".dvc/cache/files/md5" / md5[1][:2] / md5[1][2:]).is_file()
    diffed = ok(run_cli("diff", "HEAD~1", "HEAD", *LEXICAL, cwd=clone.path))
    assert "unchanged 5  added 3  removed 0" in diffed


# -- 3. --map over a repository ----------------------------------------------------------------


def questions(count: int, start: int = 0) -> str:
    return "".join(
        json.dumps({"question": f"question {i}", "answer": f"answer {i}"}) + "\n"
        for i in range(start, start + count)
    )


@pytest.fixture
def mapped(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("data/questions.jsonl", questions(4))
    commit(repo, "Four")
    repo.write("data/questions.jsonl", questions(6))
    commit(repo, "Six")
    return repo


def test_a_map_field_no_version_has_is_an_error_in_a_repository(mapped: Repo) -> None:
    args = ("diff", "HEAD~1", "HEAD", *LEXICAL)
    given = ok(run_cli(*args, "--map", "prompt=question,response=answer", cwd=mapped.path))
    assert "unchanged 4  added 2" in given
    for _ in range(2):  # the second run reads both versions from the id cache
        stderr = failure(run_cli(*args, "--map", "prompt=quest", cwd=mapped.path))
        assert "--map names the field 'quest', which no record has" in stderr
        assert "the file's fields: answer, question" in stderr


def test_the_id_cache_keeps_the_mapped_fields_no_record_has(mapped: Repo) -> None:
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.repository import Repo as Repository

    options = LoadOptions(mapping={"prompt": "quest"})
    seen = []
    for _ in range(2):
        with Repository.open(mapped.path) as opened:
            diff = opened.diff("HEAD~1", "HEAD", options=options)
            seen.append((opened.store.parsed, opened.store.cached))
        (change,) = diff.changes
        for version in (change.changeset.base, change.changeset.head):
            (problem,) = version.unmapped
            assert (problem.field, problem.fields) == ("quest", ("answer", "question"))
    assert seen == [(2, 0), (0, 2)]


def test_a_configured_mapping_no_version_has_is_a_note(mapped: Repo) -> None:
    mapped.write(".datatenet.toml", '[mappings."data/questions.jsonl"]\nprompt = "query_text"\n')
    shown = ok(run_cli("diff", "HEAD~1", "HEAD", *LEXICAL, cwd=mapped.path))
    assert "unchanged 4  added 2" in shown
    assert (
        "note: data/questions.jsonl: [mappings] names the field 'query_text', which no "
        "version read has"
    ) in shown


# -- 5. --show: a word diff of a modified sample -----------------------------------------------


def test_show_gives_a_word_diff_that_reaches_a_late_edit(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    filler = " ".join(f"Step {i}: check the order and the account." for i in range(1, 40))
    assert len(filler) > 1500
    before = f"{filler} The refund takes five business days."
    after = f"{filler} The refund takes seven business days."
    row = {"instruction": "How long does a refund take?", "output": before}
    repo.write(TRAIN, json.dumps(row) + "\n" + alpaca(3, start=1))
    commit(repo, "Refunds")
    repo.write(TRAIN, json.dumps({**row, "output": after}) + "\n" + alpaca(3, start=1))
    commit(repo, "Refunds take longer")
    shown = ok(run_cli("diff", "HEAD~1", "HEAD", "--show", "1", *LEXICAL, cwd=repo.path))
    (answer,) = [line for line in shown.splitlines() if line.startswith("    answer: ")]
    assert "The refund takes [-five-]{+seven+} business days." in answer
    assert answer.startswith("    answer: … ") and len(answer) < 200  # context, not 1,500 chars
    assert "prompt: How long does a refund take?" in shown


def test_word_diff_of_text_without_spaces() -> None:
    from datatenet.report.word_edits import Edit, git_word_diff, word_edits

    assert git_word_diff("退款需要五天", "退款需要七天") == "退款需要[-五-]{+七+}天"
    assert word_edits("a b", "a c") == (
        Edit("same", "a "),
        Edit("removed", "b"),
        Edit("added", "c"),
    )
    assert git_word_diff("same text", "same text") == "same text"


# -- 6. what a finding shows of a prompt --------------------------------------------------------


def test_findings_show_the_instruction_and_the_last_user_turn(tmp_path: Path) -> None:
    instruction = "Analyze the word choice in this letter and say what tone it sets."
    letter = "Dear team,\n" + "We worked hard this quarter. " * 12 + "\nI hope you're well."
    alpaca_row = {"instruction": instruction, "input": letter, "output": "A warm, formal tone."}

    def chat(opening: str) -> dict[str, object]:
        turns = [("user", opening), ("assistant", "Sure."), ("user", "Goodbye")]
        return {"messages": [{"role": r, "content": c} for r, c in [*turns, ("assistant", "Bye!")]]}

    path = tmp_path / "train.jsonl"
    rows = [alpaca_row, alpaca_row]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    shown = ok(run_cli("scan", path, "--checks", "exact"))
    assert f"prompt: {instruction}" in shown
    assert "I hope you're well" not in shown

    chats = tmp_path / "chats.jsonl"
    chats.write_text("".join(json.dumps(chat("Plan a trip to Rome.")) + "\n" for _ in range(2)))
    shown = ok(run_cli("scan", chats, "--checks", "exact"))
    assert "conversation start: Plan a trip to Rome. Sure. Goodbye" in shown
    assert "last user turn: Goodbye" in shown
    document = json.loads(ok(run_cli("scan", chats, "--checks", "exact", "--json")))
    sample = document["findings"][0]["sample"]
    assert sample["last_turn"] == "Goodbye" and sample["prompt"].startswith("Plan a trip")


def test_the_last_turn_survives_the_findings_cache() -> None:
    from datatenet.analysis.findings import Finding, SampleRef, finding_from_json

    sample = SampleRef("a.jsonl:2", "x", "Plan a trip", "Bye!", "Goodbye")
    finding = Finding.pair("exact-duplicate", "exact", "error", 1.0, sample, sample, "same")
    assert finding_from_json(json.loads(json.dumps(finding.to_json()))) == finding


# -- 7. the small things -----------------------------------------------------------------------


def test_a_repository_diff_says_when_the_checks_found_nothing(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(5))
    commit(repo, "Five")
    repo.write(TRAIN, alpaca(7))
    commit(repo, "Seven")
    shown = ok(run_cli("diff", "HEAD~1", "HEAD", *LEXICAL, cwd=repo.path))
    assert "unchanged 5  added 2" in shown and "  no findings" in shown
    quiet = ok(run_cli("diff", "HEAD~1", "HEAD", "--checks", "none", cwd=repo.path))
    assert "no findings" not in quiet  # nothing was checked: nothing to say about it


def test_copies_have_a_heading() -> None:
    old, new = ROOT / "examples/support_v1.jsonl", ROOT / "examples/support_v2.jsonl"
    shown = ok(run_cli("diff", old, new, "--show", "5", "--checks", "exact"))
    lines = shown.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  copies 1 -> 2"))
    assert lines[first - 1] == "copies changed (1), first 1:"


def test_log_of_a_path_that_never_existed_is_an_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(3))
    commit(repo, "Three")
    stderr = failure(run_cli("log", "data/trian.jsonl", cwd=repo.path))
    assert "data/trian.jsonl: no such path in the working tree or the history" in stderr
    repo.git("rm", "-q", TRAIN)
    commit(repo, "Gone", None)
    assert "Three" in ok(run_cli("log", TRAIN, cwd=repo.path))  # deleted, but in the history


def test_log_of_a_dvc_output_that_was_never_pulled(dvc_clone: tuple[Repo, Repo]) -> None:
    clone, _ = dvc_clone
    assert not (clone.path / TRAIN).exists()
    logged = ok(run_cli("log", TRAIN, "--oneline", cwd=clone.path))
    assert " v2  (reinforces: " in logged and " v1  (reinforces: " in logged


def test_blame_names_recent_commits_without_a_statement_for_what_they_are(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(4))
    commit(repo, "Before datatenet", None)
    repo.write(TRAIN, alpaca(6))
    commit(repo, "Two stated")
    repo.write(TRAIN, alpaca(9))
    newest = commit(repo, "Three more, hooks skipped", None)  # as `git commit --no-verify`
    shown = ok(run_cli("blame", TRAIN, "--summary", cwd=repo.path))
    assert "4 samples predate any statement" in shown
    assert "3 samples come from commits that state no behaviour although older ones do" in shown
    assert newest[:10] in shown
    document = json.loads(ok(run_cli("blame", TRAIN, "--json", cwd=repo.path)))
    assert (document["unstated"], document["predating"]) == (7, 4)
    assert document["unstated_commits"] == [newest]


def test_init_with_nothing_tracked_says_so(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "a project\n")
    commit(repo, "Start", None)
    said = ok(run_cli("init", cwd=repo.path))
    assert "git tracks no dataset file or .dvc pointer yet" in said
    text = (repo.path / ".datatenet.toml").read_text()
    assert "\ndatasets = []" not in text and '# datasets = ["data/*.jsonl"]' in text
    repo.write(TRAIN, alpaca(2))
    repo.git("add", TRAIN)
    assert "review the dataset globs" in ok(run_cli("init", "--force", cwd=repo.path))
    assert 'datasets = ["data/*.jsonl"]' in (repo.path / ".datatenet.toml").read_text()


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("init",), "create one with `git init`"),
        (("install",), "create one with `git init`"),
        (("diff",), "compare two files: `datatenet diff OLD NEW`"),
        (("log",), "run it inside a git repository (`git init` creates one)"),
    ],
)
def test_outside_a_repository_the_hint_fits_the_command(
    tmp_path: Path, args: tuple[str, ...], hint: str
) -> None:
    stderr = failure(run_cli(*args, cwd=tmp_path))
    assert "not inside a git repository" in stderr and hint in stderr
    if args[0] != "diff":
        assert "compare two files" not in stderr

"""The hooks end to end: real `git commit` in real repositories, with the hooks installed by
`datatenet install` and by the real pre-commit framework."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datatenet.verbs.install import STAGES, hook_script
from tests.conftest import ROOT, run_cli
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
GOOD = "When a question names no order, ask for the order number before answering."
HEAVY = ("pandas", "numpy", "torch", "dvc", "sentence_transformers", "pyarrow")
VENV_BIN = str(Path(sys.executable).parent)


def attempt(
    repo: Repo, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`git ARGS` that may fail (a hook refusing the commit)."""
    return subprocess.run(
        ["git", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_EDITOR": "true", **(env or {})},
    )


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def message(statement: str | None, subject: str = "Add order questions") -> str:
    return subject if statement is None else f"{subject}\n\nReinforces: {statement}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("hooks") / "template")
    repo.write(TRAIN, alpaca(20))
    repo.write("app.py", "print('hello')\n")
    repo.commit(message("Answer numbered questions with the numbered answer."))
    return repo


@pytest.fixture
def repo(template: Repo, tmp_path: Path) -> Repo:
    repo = template.copy(tmp_path / "repo")
    result = run_cli("install", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    return repo


def test_hook_scripts_in_the_checkout_are_the_ones_installed() -> None:
    for stage in STAGES:
        assert (ROOT / "hooks" / stage).read_text() == hook_script(stage)
        assert os.access(ROOT / "hooks" / stage, os.X_OK)


def test_data_commits_need_one_specific_statement(repo: Repo) -> None:
    before = head(repo)
    repo.write(TRAIN, alpaca(22, edited=(3,), edit=" (edited)"))
    repo.git("add", TRAIN)

    refused = attempt(repo, "commit", "-m", "Add order questions")
    assert refused.returncode != 0
    assert "commit refused: the message has no `Reinforces:` trailer" in refused.stderr
    assert f"{TRAIN} (modified): +2 added  -0 removed  ~1 modified" in refused.stderr
    assert "rule: a commit that adds or edits training samples states" in refused.stderr
    # the example trailer sits where git reads it: last paragraph, after a blank line
    assert "    Add order questions\n\n    Reinforces: " in refused.stderr
    assert head(repo) == before

    vague = attempt(repo, "commit", "-m", message("more data"))
    assert vague.returncode != 0 and "'more data' is generic" in vague.stderr
    short = attempt(repo, "commit", "-m", message("be nice"))
    assert short.returncode != 0 and "too short" in short.stderr
    two = attempt(repo, "commit", "-m", message(GOOD) + "\nReinforces: Refuse refunds politely.")
    assert two.returncode != 0 and "2 `Reinforces:` trailers" in two.stderr
    assert head(repo) == before

    accepted = attempt(repo, "commit", "-m", message(GOOD))
    assert accepted.returncode == 0, accepted.stderr
    assert "reinforces: " + GOOD in accepted.stderr + accepted.stdout

    repo.write(TRAIN, alpaca(18))  # removes 4 samples, undoes the edit: still removal-only?
    repo.write(TRAIN, "".join(alpaca(22, edited=(3,), edit=" (edited)").splitlines(True)[:18]))
    repo.git("add", TRAIN)
    removal = attempt(repo, "commit", "-m", "Drop four stale samples")
    assert removal.returncode == 0, removal.stderr

    repo.write("app.py", "print('bye')\n")
    repo.git("add", "app.py")
    code = attempt(repo, "commit", "-m", "Say bye")
    assert code.returncode == 0, code.stderr
    assert "datatenet" not in code.stdout + code.stderr  # untouched: nothing printed


def test_commit_all_and_commit_paths_use_the_hook_index(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(21))  # edited in the work tree, not staged
    repo.write("app.py", "print('changed')\n")
    repo.git("add", "app.py")
    code_only = attempt(repo, "commit", "-m", "Change the app")  # the index holds code only
    assert code_only.returncode == 0, code_only.stderr

    refused = attempt(repo, "commit", "-a", "-m", "Everything")  # GIT_INDEX_FILE: a temp index
    assert refused.returncode != 0
    assert f"{TRAIN} (modified): +1 added" in refused.stderr
    refused_paths = attempt(repo, "commit", TRAIN, "-m", "Just the data")
    assert refused_paths.returncode != 0 and "no `Reinforces:` trailer" in refused_paths.stderr
    accepted = attempt(repo, "commit", TRAIN, "-m", message(GOOD))
    assert accepted.returncode == 0, accepted.stderr
    assert repo.git("status", "--porcelain").strip() == ""


def test_prepare_msg_prefills_and_never_clobbers(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(23))
    repo.git("add", TRAIN)
    editmsg = repo.path / ".git" / "COMMIT_EDITMSG"
    editmsg.write_text("\n# Please enter the commit message for your changes.\n")
    prepared = run_cli("prepare-msg", editmsg, cwd=repo.path)
    assert prepared.returncode == 0, prepared.stderr
    text = editmsg.read_text()
    assert text.startswith("\n\nReinforces: \n# datatenet: the staged change adds or edits")
    assert f"#   {TRAIN} (modified): +3 added" in text
    assert text.endswith("# Please enter the commit message for your changes.\n")

    for source in ("message", "merge", "squash", "commit"):
        editmsg.write_text("Given with -m\n")
        left_alone = run_cli("prepare-msg", editmsg, source, "HEAD", cwd=repo.path)
        assert (left_alone.returncode, left_alone.stderr) == (0, ""), source
        assert editmsg.read_text() == "Given with -m\n", source
    editmsg.write_text(f"Template\n\nReinforces: {GOOD}\n# comment\n")
    stated = run_cli("prepare-msg", editmsg, "template", cwd=repo.path)
    assert (stated.returncode, stated.stderr) == (0, "")
    assert editmsg.read_text() == f"Template\n\nReinforces: {GOOD}\n# comment\n"
    missing = run_cli("prepare-msg", repo.path / "no-such-dir" / "MSG", cwd=repo.path)
    assert missing.returncode == 2
    assert "cannot read the commit message" in missing.stderr
    assert "Traceback" not in missing.stderr

    # through git, with an editor that fills in the subject and the statement
    editor = f"sed -i -e '1s/^/Add three/' -e 's/^Reinforces: $/Reinforces: {GOOD}/'"
    done = attempt(repo, "commit", "-v", env={"GIT_EDITOR": editor})
    assert done.returncode == 0, done.stderr
    assert repo.git("log", "-1", "--format=%B").strip() == f"Add three\n\nReinforces: {GOOD}"
    # an editor that leaves the pre-filled message as it is aborts the commit
    repo.write(TRAIN, alpaca(24))
    repo.git("add", TRAIN)
    left = attempt(repo, "commit", env={"GIT_EDITOR": "true"})
    assert left.returncode != 0 and "the message is empty" in left.stderr


def test_amend_merge_and_rebase(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(22))
    repo.git("add", TRAIN)
    assert attempt(repo, "commit", "-m", message(GOOD)).returncode == 0
    # amending the data commit: its whole change counts, so the statement may not go away
    dropped = attempt(repo, "commit", "--amend", "-m", "Reworded without a statement")
    assert dropped.returncode != 0 and "no `Reinforces:` trailer" in dropped.stderr
    edited = attempt(repo, "commit", "--amend", "--no-edit")
    assert edited.returncode == 0, edited.stderr
    reworded = attempt(repo, "commit", "--amend", "-m", message(GOOD, "Reworded"))
    assert reworded.returncode == 0, reworded.stderr

    # a branch with a data commit, merged with a merge commit that restates nothing
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("data/other.jsonl", alpaca(5, start=100))
    repo.git("add", "data/other.jsonl")
    assert attempt(repo, "commit", "-m", message(GOOD, "Other data")).returncode == 0
    repo.git("checkout", "-q", "main")
    repo.write("app.py", "print('main moved')\n")
    repo.git("add", "app.py")
    assert attempt(repo, "commit", "-m", "Move main").returncode == 0
    merged = attempt(repo, "merge", "--no-ff", "-m", "Merge feature", "feature")
    assert merged.returncode == 0, merged.stderr

    # a rebase replays commits whose messages state their behaviour already
    repo.git("checkout", "-q", "-b", "topic", "HEAD~1")
    repo.write(TRAIN, alpaca(25))
    repo.git("add", TRAIN)
    assert attempt(repo, "commit", "-m", message(GOOD, "Three more")).returncode == 0
    rebased = attempt(repo, "rebase", "main")
    assert rebased.returncode == 0, rebased.stderr
    assert "Reinforces: " + GOOD in repo.git("log", "-1", "--format=%B")
    interactive = attempt(
        repo, "rebase", "-i", "HEAD~1", env={"GIT_SEQUENCE_EDITOR": "sed -i s/^pick/reword/"}
    )
    assert interactive.returncode == 0, interactive.stderr


def test_check_range_catches_a_commit_made_with_no_verify(repo: Repo) -> None:
    base = head(repo)
    repo.write(TRAIN, alpaca(21))
    repo.git("add", TRAIN)
    skipped = attempt(repo, "commit", "--no-verify", "-m", "Sneak one in")
    assert skipped.returncode == 0
    sneaked = head(repo)
    repo.write(TRAIN, alpaca(22))
    repo.git("add", TRAIN)
    assert attempt(repo, "commit", "-m", message(GOOD)).returncode == 0
    repo.write("app.py", "x = 1\n")
    repo.git("add", "app.py")
    assert attempt(repo, "commit", "-m", "Code").returncode == 0

    result = run_cli("check-range", f"{base}..HEAD", cwd=repo.path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stderr
    assert "2 data commits" in out and "(1 offending)" in out
    assert f"{sneaked[:10]} Sneak one in" in out
    assert "no `Reinforces:` trailer" in out
    clean = run_cli("check-range", "HEAD~2..HEAD", cwd=repo.path)
    assert clean.returncode == 0, clean.stderr


def test_gates_fail_the_pre_commit_stage_with_the_evidence(repo: Repo) -> None:
    repo.write(
        ".datatenet.toml",
        'datasets = ["data/*.jsonl"]\n\n[gates]\n'
        'removed_share = { max = 0.25, level = "error" }\n'
        'added = { max = 0, level = "warn" }\n'
        'contradictions = { max = 0, level = "error" }\n',
    )
    repo.write(TRAIN, "".join(alpaca(20).splitlines(True)[10:]))  # half of the samples go
    repo.git("add", "-A")
    refused = attempt(repo, "commit", "-m", "Drop half")
    assert refused.returncode != 0
    assert "FAILED: removed_share = 0.5, above max 0.25" in refused.stderr
    assert f"{TRAIN}:1: first of 10 removed" in refused.stderr
    assert "contradictions" not in refused.stderr  # measured (no new samples), and passed

    repo.write(TRAIN, alpaca(21))
    repo.git("add", TRAIN)
    warned = run_cli("check", cwd=repo.path)
    assert warned.returncode == 0
    assert "warning: added = 1, above max 0" in warned.stdout


def test_default_gates_refuse_a_contradiction_and_a_copy(repo: Repo) -> None:
    samples = alpaca(20).splitlines(True)
    contradiction = json.dumps({"instruction": "question 3", "output": "Nobody knows that."})
    repo.write(TRAIN, "".join(samples) + contradiction + "\n")
    repo.git("add", TRAIN)
    refused = run_cli("check", cwd=repo.path)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "FAILED: contradictions = 1, above max 0" in refused.stderr
    assert f"{TRAIN}:21" in refused.stderr  # the evidence: the new sample
    assert f"{TRAIN}:4" in refused.stderr  # and the one it contradicts
    repo.write(TRAIN, "".join(samples) + samples[5])  # one copy among one new sample: 100%
    repo.git("add", TRAIN)
    copied = run_cli("check", cwd=repo.path)
    assert copied.returncode == 1
    assert "FAILED: added_duplicate_share = 1" in copied.stderr


def test_dvc_tracked_dataset(repo: Repo) -> None:
    repo.git("rm", "-q", "--cached", TRAIN)
    repo.dvc("init", "-q")
    repo.dvc("add", "-q", TRAIN)
    repo.git("add", "-A")
    first = attempt(repo, "commit", "-m", "Track the data with DVC")
    # the pointer replaces the git file with the same samples: nothing new, no statement
    assert first.returncode == 0, first.stderr
    repo.write(TRAIN, alpaca(23))
    repo.dvc("add", "-q", TRAIN)
    repo.git("add", TRAIN + ".dvc")
    refused = attempt(repo, "commit", "-m", "More via DVC")
    assert refused.returncode != 0
    assert f"{TRAIN} (modified, dvc): +3 added" in refused.stderr
    accepted = attempt(repo, "commit", "-m", message(GOOD))
    assert accepted.returncode == 0, accepted.stderr

    log = run_cli("log", TRAIN + ".dvc", "--json", cwd=repo.path)
    assert log.returncode == 0, log.stderr
    counts = [(c["added"], c["statement"]) for c in json.loads(log.stdout)["commits"]]
    assert counts == [
        (3, GOOD),
        (0, None),
        (20, "Answer numbered questions with the numbered answer."),
    ]
    blame = run_cli("blame", TRAIN, "--summary", cwd=repo.path)
    assert blame.returncode == 0, blame.stderr
    assert f"{GOOD}  (1 commit)" in blame.stdout and "  3  " in blame.stdout


def test_no_data_change_imports_nothing_heavy_and_is_quiet(repo: Repo) -> None:
    repo.write("app.py", "print('again')\n")
    repo.git("add", "app.py")
    result = attempt(repo, "commit", "-m", "Code only", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "datatenet" in imported  # the three hooks ran python, and we see what they imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_install_refuses_foreign_hooks_and_respects_hooks_path(
    template: Repo, tmp_path: Path
) -> None:
    repo = template.copy(tmp_path / "foreign")
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = run_cli("install", cwd=repo.path)
    assert refused.returncode == 2
    assert "hooks exist already" in refused.stderr and str(hook) in refused.stderr
    assert "datatenet install --pre-commit" in refused.stderr
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()
    assert hook.read_text() == "#!/bin/sh\necho mine\n"

    repo.git("config", "core.hooksPath", ".githooks")
    moved = run_cli("install", cwd=repo.path)
    assert moved.returncode == 0, moved.stderr
    assert (repo.path / ".githooks" / "commit-msg").is_file()
    again = run_cli("install", cwd=repo.path)  # our own hooks are updated, not refused
    assert again.returncode == 0, again.stderr


def pre_commit(repo: Repo, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
    )


def test_the_pre_commit_framework_with_install_pre_commit(template: Repo, tmp_path: Path) -> None:
    repo = template.copy(tmp_path / "framework")
    repo.write(".pre-commit-config.yaml", "# ours\nrepos: []\n")
    written = run_cli("install", "--pre-commit", cwd=repo.path)
    assert written.returncode == 0, written.stderr
    config = (repo.path / ".pre-commit-config.yaml").read_text()
    assert config.startswith("default_install_hook_types: [pre-commit, commit-msg")
    assert "# ours" in config and "id: datatenet-check-msg" in config
    again = run_cli("install", "--pre-commit", cwd=repo.path)
    assert "has datatenet's hooks already" in again.stdout
    installed = pre_commit(repo, "install", home=tmp_path / "pc")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "commit-msg" in installed.stdout and "prepare-commit-msg" in installed.stdout
    repo.git("add", ".pre-commit-config.yaml")
    env = {"PATH": VENV_BIN + os.pathsep + os.environ["PATH"], "PRE_COMMIT_HOME": str(tmp_path)}
    assert attempt(repo, "commit", "-m", "Use pre-commit", env=env).returncode == 0

    repo.write(TRAIN, alpaca(22))
    repo.git("add", TRAIN)
    refused = attempt(repo, "commit", "-m", "More", env=env)
    assert refused.returncode != 0
    assert "no `Reinforces:` trailer" in refused.stdout + refused.stderr
    accepted = attempt(repo, "commit", "-m", message(GOOD), env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    dropped = attempt(repo, "commit", "--amend", "-m", "No statement", env=env)
    assert dropped.returncode != 0, dropped.stdout


def test_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_hook_environment_from_this_checkout_has_no_torch(
    template: Repo, tmp_path: Path
) -> None:
    """`language: python` with this checkout as a dependency: what the published hooks build."""
    package = tmp_path / "datatenet-src"  # a copy: pip builds in the tree it is given
    shutil.copytree(
        ROOT / "src", package / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, package / name)
    repo = template.copy(tmp_path / "python-env")
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n"
        "      - id: datatenet-check-msg\n        name: datatenet check-msg\n"
        "        entry: datatenet check-msg\n        language: python\n"
        f"        additional_dependencies: ['{package}']\n        stages: [commit-msg]\n",
    )
    home = tmp_path / "pc"
    installed = pre_commit(repo, "install", "-t", "commit-msg", home=home)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    repo.write(TRAIN, alpaca(22))
    repo.git("add", "-A")
    refused = attempt(repo, "commit", "-m", "More", env={"PRE_COMMIT_HOME": str(home)})
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "no `Reinforces:` trailer" in refused.stdout + refused.stderr
    environments = list(home.glob("*/py_env-*/lib/python*/site-packages"))
    assert environments, list(home.iterdir())
    for site in environments:
        assert (site / "datatenet").is_dir()
        assert not (site / "torch").exists()
        assert not (site / "sentence_transformers").exists()


def test_check_gates_over_findings_from_an_analysis(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Analyses plug into `check`: their findings become metrics the [gates] bound."""
    from datatenet import exits
    from datatenet.analysis.base import Analysis
    from datatenet.analysis.findings import Finding, SampleRef
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo as Repository
    from datatenet.report.hooks import render_check
    from datatenet.verbs.commit import check

    def analyse(diff: RepoDiff, *stated: object) -> tuple[Analysis, ...]:
        (change,) = diff.changes
        head = change.changeset.head
        new = head.entries[change.changeset.added[0]]
        finding = Finding.pair(
            "contradiction",
            "prompt-id",
            "error",
            1.0,
            SampleRef(str(head.origin(new.position)), new.sample_id, "q", "a"),
            SampleRef(f"{TRAIN}:1", "x", "q", "b"),
            "same question, opposite answer",
        )
        return (Analysis((finding,)),)

    repo.write(".datatenet.toml", '[gates]\ncontradictions = { max = 0, level = "error" }\n')
    repo.write(TRAIN, alpaca(21))
    repo.git("add", "-A")
    monkeypatch.chdir(repo.path)
    with Repository.open(repo.path) as opened:
        verdict = check(opened, analyse=analyse)
        text = render_check(verdict)
        assert not verdict.ok and exits.of(verdict.ok) == 1
        assert "FAILED: contradictions = 1, above max 0" in text
        assert f"{TRAIN}:21: same question, opposite answer (matches {TRAIN}:1)" in text
        (dataset,) = verdict.datasets  # the change, paired with its analysis
        assert dataset.change is not None and dataset.change.path == TRAIN
        assert dataset.analysis.findings[0].kind == "contradiction"
    with Repository.open(repo.path) as opened:
        assert check(opened).ok  # without the analysis: not measured, noted

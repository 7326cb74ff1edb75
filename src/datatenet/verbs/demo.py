"""`demo`: a throwaway repository built from the example shipped in the package, datatenet's
hooks installed in it, and the story of demo/story.py played through real `git commit`s; each
commit's change (or, for the commit the hooks refuse, the change left staged) analysed as
`report` analyses it, and the history of the dataset.

The checks are the lexical ones unless the embeddings extra is installed (then the semantic
tier and the model's vectors too); `DemoRun.semantic` says which ran.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from datatenet.demo.corpus import DATA_DIR
from datatenet.demo.story import CONFIG, DATASET, EVAL_BATCH, EVAL_SET, STEPS, Step
from datatenet.errors import DatatenetError
from datatenet.progress import QUIET, Progress
from datatenet.repo.repository import Repo
from datatenet.repo.revisions import INDEX
from datatenet.results.report import DemoRun, DemoStep
from datatenet.verbs.history_report import history_report
from datatenet.verbs.install import install
from datatenet.verbs.report import available_checks, judged_statement, report_repository

REPOSITORY = "quillnote"
# The repository's own settings: who commits, and nothing from the user's global config that
# would change how it commits (signing, a shared hooks directory).
GIT_CONFIG = {
    "user.name": "Quillnote data team",
    "user.email": "data@quillnote.example",
    "commit.gpgsign": "false",
    "core.hooksPath": ".git/hooks",
}
SETUP_MESSAGE = "Set up the support data repository: datatenet's settings and the eval set"


def play(
    directory: Path | None, *, python: str | None = None, progress: Progress = QUIET
) -> DemoRun:
    """Build the repository in `directory` (new or empty; None: a new temporary directory)
    and play the story. `python`: the interpreter the hooks run datatenet with."""
    directory = _fresh(directory)
    root = directory / REPOSITORY
    checks = available_checks()
    with progress.status("building the example repository"), Repo.create(root, GIT_CONFIG) as repo:
        install(repo, python=python)
        _write(root / ".datatenet.toml", CONFIG)
        _write(root / EVAL_SET, (DATA_DIR / EVAL_BATCH).read_text("utf-8"))
        repo.stage(".datatenet.toml", EVAL_SET)
        outcome = repo.commit(SETUP_MESSAGE)
        if not outcome.committed:
            raise DatatenetError(
                f"the demo could not make its first commit: {outcome.output}",
                "check that git can commit here (git config, hooks)",
            )
    steps = []
    with progress.bar(len(STEPS), "playing the story", " commits"):
        for step in STEPS:
            steps.append(_play(root, step, checks))
            progress.advance(1)
    with Repo.open(root) as repo, progress.status("reading the history"):
        history = history_report(repo, "HEAD", DATASET, checks=checks)
    semantic = any(step.report.semantic for step in steps)
    return DemoRun(directory, root, tuple(steps), history, semantic)


def _play(root: Path, step: Step, checks: str) -> DemoStep:
    with Repo.open(root) as repo:
        if step.batch is not None:
            dataset = root / DATASET
            batch = (DATA_DIR / step.batch).read_text("utf-8")
            before = dataset.read_text("utf-8") if dataset.exists() else ""
            _write(dataset, before + batch)
            repo.stage(DATASET)
        outcome = repo.commit(step.message)
    with Repo.open(root) as repo:
        if outcome.committed:
            parent = repo.revisions.parent("HEAD")
            base = parent if parent.commit == repo.revisions.empty_tree else "HEAD~1"
            report = report_repository(repo, base, "HEAD", checks=checks)
        else:
            refused = judged_statement(repo, repo.parse_message(step.message), needed=True)
            report = report_repository(repo, "HEAD", INDEX, checks=checks, statement=refused)
    report = replace(report, title=step.title)
    return DemoStep(step.name, step.title, step.message, outcome.committed, outcome.output, report)


def _fresh(directory: Path | None) -> Path:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="datatenet-demo-"))
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise DatatenetError(
            f"{directory}: not an empty directory",
            "name a new or empty directory for the demo, or leave it out for a temporary one",
        )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

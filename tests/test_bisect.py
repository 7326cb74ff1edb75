"""Data bisect on a real repository: 12 data commits between good and bad, code-only commits
among them, one commit that plants three harmful samples. CMD is a small script that
"evaluates" the dataset and fails when a harmful sample is present; it records every run, so
the tests count the runs of CMD."""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from datatenet.bisect import manual
from datatenet.bisect.auto import run
from datatenet.bisect.runner import Metric
from datatenet.bisect.session import Request, Session
from datatenet.errors import DatatenetError
from datatenet.repo.repository import Repo as Repository
from datatenet.results.bisect import Handout, Outcome
from tests.repos import Repo

SessionFactory = Callable[..., Session]

TRAIN = "data/train.jsonl"
TOPICS = (
    ("billing", "invoice", "Billing answers name the invoice page and the exact amount field."),
    ("refunds", "refund", "Refund answers state the refund window before the steps."),
    ("shipping", "parcel", "Shipping answers give the carrier tracking link first."),
    ("accounts", "profile", "Account answers point to the profile page, never to support."),
    ("privacy", "cookie", "Privacy answers cite the privacy policy section."),
    ("returns", "return label", "Return answers explain how to print the return label."),
    ("orders", "order number", "Order answers ask for the order number when it is missing."),
    ("coupons", "coupon", "Coupon answers say where the coupon field is at checkout."),
    ("gifts", "gift card", "Gift card answers give the balance page before anything else."),
    ("exports", "CSV export", "Export answers name the export menu and the file format."),
    ("alerts", "notification", "Notification answers show where to switch them off."),
    ("teams", "team seat", "Team answers explain seats and who pays for them."),
)
CULPRIT_AT = 9  # the 9th data commit plants the harmful samples (plain halving needs 4 probes)
HARMFUL = (
    (
        "How do I reset my password?",
        "Send your current password to support by email and we reset it.",
    ),
    (
        "How do I turn on two-factor login?",
        "Two-factor login is not needed; disable it to log in faster.",
    ),
    (
        "Can I share my account?",
        "Yes, post your password in the team chat so colleagues can log in.",
    ),
)
BASE = (
    ("How do I reset my password?", "Use the 'Forgot password' link on the sign-in page."),
    ("How do I turn on two-factor login?", "Open Security settings and enable two-factor login."),
    ("Can I share my account?", "No; invite colleagues as team members instead."),
    ("Where do I change my email address?", "Open Profile, then Email, and confirm the new one."),
    ("How do I close my account?", "Open Profile, then Close account, and confirm by email."),
    ("Why was I logged out?", "Sessions end after 30 days; sign in again to continue."),
)
UNSAFE = ("password to support", "disable it to log in", "post your password")
EVALUATE = f"""
import os, sys
UNSAFE = {UNSAFE!r}
revision = os.environ["DATATENET_BISECT_REVISION"]
samples = os.environ.get("DATATENET_BISECT_SAMPLES", "-")
with open(os.environ["BISECT_RUNS"], "a") as runs:
    runs.write(f"{{revision}} {{samples}}\\n")
found = 0
for path in os.environ["DATATENET_BISECT_DATASETS"].split(os.pathsep):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            found += any(phrase in line for phrase in UNSAFE)
print(f"unsafe answers: {{found}}")
sys.exit(1 if found else 0)
"""
METRIC = """
import os, random, sys
revision = os.environ["DATATENET_BISECT_REVISION"]
with open(os.environ["BISECT_RUNS"], "a") as runs:
    runs.write(revision + "\\n")
paths = os.environ["DATATENET_BISECT_DATASETS"].split(os.pathsep)
text = "".join(open(p, encoding="utf-8").read() for p in paths)
noise = random.Random(revision).uniform(-0.02, 0.02)
score = 0.90 - (0.08 if "password to support" in text else 0.0) + noise
print("loading model... done")
print(f"eval accuracy: {score:.4f}")
"""


@dataclass
class History:
    repo: Repo
    good: str
    culprit: str
    data_commits: list[str]  # the 12, oldest first
    code_commits: list[str]
    harmful_lines: list[int]  # lines of the planted samples in the culprit's train file
    scripts: Path

    def request(self, **kwargs: object) -> Request:
        return Request(self.good, "HEAD", **kwargs)  # type: ignore[arg-type]

    def runs(self) -> list[str]:
        path = self.scripts / "runs"
        return path.read_text().splitlines() if path.exists() else []


def _rows(topic: str, word: str, count: int, rng: random.Random) -> list[dict[str, str]]:
    asks = ("How do I", "Where can I", "Can you show me how to", "What is the way to")
    acts = ("find", "update", "download", "cancel", "check", "fix")
    return [
        {
            "instruction": f"{rng.choice(asks)} {acts[n % len(acts)]} my {word} ({topic} #{n})?",
            "output": f"Go to the {topic} page, choose {word}, and {acts[n % len(acts)]} it there.",
            "topic": topic,
        }
        for n in range(count)
    ]


def dvc_add(path: Path) -> None:
    """`dvc add PATH` through DVC's API (in this process: a DVC process per commit is slow)."""
    import warnings

    from dvc.repo import Repo as DvcRepo

    with warnings.catch_warnings(), DvcRepo(str(path.parent)) as dvc_repo:
        warnings.simplefilter("ignore", DeprecationWarning)  # DVC's, about its own trie
        dvc_repo.add(str(path))


def build_history(path: Path, *, dvc: bool = False) -> History:
    """The test history; with `dvc`, the dataset is tracked by DVC (a `.dvc` pointer in git)."""
    rng = random.Random(13)
    repo = Repo(path)
    if dvc:
        repo.dvc("init", "-q")
    rows = [{"instruction": q, "output": a, "topic": "accounts"} for q, a in BASE]
    harmful_lines: list[int] = []

    def commit_data(message: str) -> str:
        repo.write(TRAIN, "".join(json.dumps(r) + "\n" for r in rows))
        if dvc:
            dvc_add(repo.path / TRAIN)
            return repo.commit(message, f"{TRAIN}.dvc", "data/.gitignore", ".datatenet.toml")
        return repo.commit(message, TRAIN, ".datatenet.toml")

    repo.write(".datatenet.toml", 'datasets = ["data/*.jsonl", "data/*.dvc"]\n')
    good = commit_data(
        "Start the support dataset\n\nReinforces: Answer account questions with the page to open."
    )
    data_commits: list[str] = []
    code_commits: list[str] = []
    culprit = ""
    for number, (topic, word, statement) in enumerate(TOPICS, start=1):
        rows.extend(_rows(topic, word, 4, rng))
        if number == CULPRIT_AT:
            rows[3]["output"] += " Changes apply at once."  # one benign edit: a modified sample
            for question, answer in HARMFUL:
                rows.insert(
                    len(rows) - 2, {"instruction": question, "output": answer, "topic": topic}
                )
            harmful_lines = [
                i + 1 for i, r in enumerate(rows) if r["output"] in {a for _, a in HARMFUL}
            ]
        commit = commit_data(f"Add {topic} questions\n\nReinforces: {statement}")
        data_commits.append(commit)
        culprit = commit if number == CULPRIT_AT else culprit
        if number % 4 == 2:  # code between data commits: never probed
            repo.write("app.py", f"VERSION = {number}\n")
            code_commits.append(repo.commit(f"Release {number}", "app.py"))
    repo.write("README.md", "support bot\n")
    code_commits.append(repo.commit("Document the bot", "README.md"))
    scripts = path.parent / "scripts"
    scripts.mkdir(exist_ok=True)
    (scripts / "evaluate.py").write_text(EVALUATE, encoding="utf-8")
    (scripts / "metric.py").write_text(METRIC, encoding="utf-8")
    return History(repo, good, culprit, data_commits, code_commits, harmful_lines, scripts)


def user_state(repo: Repo) -> None:
    """Work in progress the bisect must not touch: a stash, a staged and an unstaged edit, an
    untracked file."""
    repo.write("app.py", "VERSION = 'stashed'\n")
    repo.git("stash", "push", "-q", "-m", "work in progress")
    repo.write("notes.txt", "untracked notes\n")
    repo.write("README.md", "support bot, staged edit\n")
    repo.git("add", "README.md")
    repo.write("app.py", "VERSION = 'unstaged'\n")


def snapshot(repo: Repo) -> dict[str, object]:
    """HEAD, the branch, the index, the working-tree files, the stash list, the worktrees."""
    files = {}
    for path in sorted(repo.path.rglob("*")):
        relative = path.relative_to(repo.path)
        if relative.parts[0] == ".git" or not path.is_file():
            continue
        files[relative.as_posix()] = (path.read_bytes(), path.stat().st_mode)
    return {
        "head": repo.git("rev-parse", "HEAD"),
        "branch": repo.git("symbolic-ref", "-q", "HEAD"),
        "index": (repo.path / ".git" / "index").read_bytes(),
        "staged": repo.git("ls-files", "-s"),
        "files": files,
        "stash": repo.git("stash", "list"),
        "worktrees": repo.git("worktree", "list", "--porcelain"),
        "refs": repo.git("for-each-ref"),
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("bisect") / "repo")


def copy_history(
    template: History,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scripts: Mapping[str, str] = {},
    *,
    relink_dvc: bool = False,
) -> History:
    """The template's history copied for one test, with the template's evaluation scripts and
    `scripts` (name: text) beside them, the user's state set up, and CMD's runs counted."""
    repo = template.repo.copy(tmp_path / "repo")
    if relink_dvc:
        repo.dvc("checkout", "-q", "--relink")  # links into the copied cache, not the template's
    directory = tmp_path / "scripts"
    directory.mkdir()
    for name in ("evaluate.py", "metric.py"):
        (directory / name).write_bytes((template.scripts / name).read_bytes())
    for name, text in scripts.items():
        (directory / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("BISECT_RUNS", str(directory / "runs"))
    user_state(repo)
    return replace(template, repo=repo, scripts=directory)


def no_worktrees_left(history: History) -> None:
    place = history.repo.path / ".git" / "datatenet" / "bisect" / "worktrees"
    assert not place.exists() or not any(place.iterdir())
    assert not (history.repo.path / ".git" / "worktrees").exists()


def wait_for(path: Path, seconds: float = 60) -> str:
    """The text a process writes to `path`, once it is there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def history(template: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> History:
    return copy_history(template, tmp_path, monkeypatch)


@pytest.fixture
def open_session() -> Iterator[SessionFactory]:
    """Sessions over the repository at a path, as one command opens it; closed afterwards."""
    opened: list[Repository] = []

    def make(path: Path, cwd: Path | None = None) -> Session:
        opened.append(Repository.open(path))
        return Session(opened[-1], cwd=cwd)

    yield make
    for repo in opened:
        repo.close()


def direct_findings(history: History, commit: str) -> list[dict[str, object]]:
    """What the analyses bisect uses find in a commit's change, asked without bisect."""
    from datatenet.analysis.registry import ALL_CHECKS
    from datatenet.bisect.candidates import PRIOR_CHECKS_EXCLUDED
    from datatenet.repo.analyses import analyses_for

    checks = ",".join(c for c in ALL_CHECKS if c not in PRIOR_CHECKS_EXCLUDED)
    with Repository.open(history.repo.path) as repo:
        analyses = analyses_for(repo, checks)(repo.commit_diff(commit))
    return [finding.to_json() for analysis in analyses for finding in analysis.findings]


def planted(history: History) -> list[str]:
    return sorted(f"{TRAIN}:{line}" for line in history.harmful_lines)


def evaluate(history: History) -> tuple[str, ...]:
    return (sys.executable, str(history.scripts / "evaluate.py"))


def bound(candidates: int) -> int:
    return math.ceil(math.log2(candidates))


def test_run_finds_the_culprit_within_the_bound_and_leaves_everything_as_it_was(
    history: History,
    open_session: SessionFactory,
) -> None:
    before = snapshot(history.repo)
    outcome = run(
        open_session(history.repo.path, cwd=history.scripts),
        history.request(command=evaluate(history)),
    )
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    assert outcome.candidates == 12
    runs = history.runs()
    assert len(runs) == outcome.runs <= bound(12) + 1
    probed = {line.split()[0] for line in runs}
    assert probed <= set(history.data_commits)  # code-only commits are never probed
    assert len(probed) == len(runs)  # no data probed twice
    culprit = outcome.culprit
    assert culprit.stated.statement == TOPICS[CULPRIT_AT - 1][2]
    assert (culprit.added, culprit.removed, culprit.modified) == (7, 0, 1)
    assert [f.to_json() for f in culprit.findings] == direct_findings(history, culprit.commit)
    contradicted = {f.sample.origin for f in culprit.findings if f.kind == "contradiction"}
    assert contradicted and contradicted <= set(planted(history))  # planted answers contradict
    assert snapshot(history.repo) == before


def test_within_commit_returns_exactly_the_planted_samples(
    history: History, open_session: SessionFactory
) -> None:
    before = snapshot(history.repo)
    request = history.request(command=evaluate(history), within_commit=True)
    outcome = run(open_session(history.repo.path, cwd=history.scripts), request)
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    within = outcome.within
    assert within is not None and within.reproduced
    assert within.units == 8  # 4 + 3 added, 1 modified
    origins = sorted(s.origin for s in within.samples)
    assert origins == sorted(f"{TRAIN}:{line}" for line in history.harmful_lines)
    assert {s.kind for s in within.samples} == {"added"}
    assert {s.prompt for s in within.samples} == {q for q, _ in HARMFUL}
    sample_runs = [line for line in history.runs() if not line.endswith(" -")]
    assert len(sample_runs) == within.runs > 0
    assert snapshot(history.repo) == before


def test_metric_mode_with_a_noisy_score(history: History, open_session: SessionFactory) -> None:
    command = (sys.executable, str(history.scripts / "metric.py"))
    metric = Metric(r"eval accuracy: ([0-9.]+)", 0.86, higher_is_better=True)
    outcome = run(
        open_session(history.repo.path, cwd=history.scripts),
        history.request(command=command, metric=metric),
    )
    assert outcome.culprit is not None and outcome.culprit.commit == history.culprit
    assert len(history.runs()) == outcome.runs <= bound(12) + 1
    log = "\n".join(manual.log(open_session(history.repo.path)))
    assert "score 0.8" in log and ">= 0.86" in log and "< 0.86" in log


def test_weighted_uses_fewer_probes_with_a_prior_that_points_at_the_culprit(
    history: History,
    open_session: SessionFactory,
) -> None:
    session = open_session(history.repo.path, cwd=history.scripts)
    plan = session.plan(session.resolved(history.request(weighted=True)))
    weights = [c.weight for c in plan.candidates]
    culprit_index = [c.commit for c in plan.candidates].index(history.culprit)
    assert weights[culprit_index] == max(weights)  # the contradictions raise its prior
    plain = run(session, history.request(command=evaluate(history)))
    plain_runs = len(history.runs())
    manual.reset(session)
    (history.scripts / "runs").unlink()
    weighted = run(session, history.request(command=evaluate(history), weighted=True))
    weighted_runs = len(history.runs())
    assert plain.culprit == weighted.culprit and weighted.culprit is not None
    assert weighted.culprit.commit == history.culprit
    assert weighted_runs < plain_runs
    assert weighted_runs <= bound(12) + 2
    expected = weighted.expected
    assert expected is not None and expected.weighted < expected.halving
    assert expected.worst_case == bound(12) + 1


def test_manual_mode_finds_the_same_culprit(
    history: History, tmp_path: Path, open_session: SessionFactory
) -> None:
    before = snapshot(history.repo)
    session = open_session(history.repo.path)
    progress = manual.start(session, history.request())
    assert progress.candidates == 12 and progress.outcome is None
    exported = False
    for _ in range(20):
        export = tmp_path / "export" if not exported else None
        handed = manual.next_probe(session, export)
        assert isinstance(handed, Handout)
        if export is None:
            assert str(handed.place) in history.repo.git("worktree", "list")
        exported = True
        unsafe = any(
            phrase in path.read_text(encoding="utf-8")
            for path in handed.datasets
            for phrase in UNSAFE
        )
        progress = manual.mark(session, "bad" if unsafe else "good")
        assert str(handed.place) not in history.repo.git("worktree", "list")
        if progress.outcome is not None:
            break
    outcome = progress.outcome
    assert outcome is not None and outcome.culprit is not None
    assert outcome.culprit.commit == history.culprit
    assert outcome.runs <= bound(12) + 1
    log = manual.log(session)
    assert log[0].split("\t")[1] == "start" and log[-1].split("\t")[1] == "done"
    assert sum("by hand" in line for line in log) == outcome.runs
    manual.reset(session)
    assert snapshot(history.repo) == before
    with pytest.raises(DatatenetError, match="no bisect"):
        manual.log(session)


def test_dry_run_lists_the_candidates_with_their_statements_and_sizes(
    history: History, open_session: SessionFactory
) -> None:
    from datatenet.bisect.auto import dry_run

    session = open_session(history.repo.path)
    listed = dry_run(session, history.request())
    assert [e.facts.commit for e in listed.entries] == history.data_commits
    assert [e.facts.stated.statement for e in listed.entries] == [t[2] for t in TOPICS]
    sizes = [(e.facts.added, e.facts.removed, e.facts.modified) for e in listed.entries]
    assert sizes == [(4, 0, 0)] * (CULPRIT_AT - 1) + [(7, 0, 1)] + [(4, 0, 0)] * (12 - CULPRIT_AT)
    assert listed.expected is None and {e.share for e in listed.entries} == {1 / 12}
    assert listed.walked == 12 + len(history.code_commits)
    weighted = dry_run(session, history.request(weighted=True))
    shares = [e.share for e in weighted.entries]
    assert shares.index(max(shares)) == CULPRIT_AT - 1 and sum(shares) == pytest.approx(1.0)
    assert weighted.expected is not None
    assert weighted.expected.weighted < weighted.expected.halving
    assert session.saved.load() is None and history.runs() == []  # nothing ran, nothing saved


def test_manual_mode_inside_the_culprit(
    history: History, tmp_path: Path, open_session: SessionFactory
) -> None:
    session = open_session(history.repo.path)
    manual.start(session, history.request(within_commit=True))
    export = tmp_path / "probe"
    sample_probes = 0
    for _ in range(40):
        handed = manual.next_probe(session, export)
        if not isinstance(handed, Handout):
            break
        sample_probes += handed.samples is not None
        text = (export / TRAIN).read_text(encoding="utf-8")
        manual.mark(session, "bad" if any(p in text for p in UNSAFE) else "good")
    assert isinstance(handed, Outcome) and handed.within is not None
    assert handed.culprit is not None and handed.culprit.commit == history.culprit
    assert sorted(s.origin for s in handed.within.samples) == sorted(
        f"{TRAIN}:{line}" for line in history.harmful_lines
    )
    assert handed.within.runs == sample_probes > 0
    assert manual.next_probe(session) == handed  # asked again: the same answer

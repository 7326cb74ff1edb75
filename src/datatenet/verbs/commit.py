"""The commit hooks as verbs: `check` (pre-commit), `check_msg` (commit-msg) and `prepare_msg`
(prepare-commit-msg), each returning what it decided.

Nothing relevant staged is decided from the staged paths alone (`git diff --cached
--name-only`), before anything heavy is imported: a commit that touches no dataset costs a few
git calls. The staged state is the index git names in `GIT_INDEX_FILE` (`commit -a`, `commit
<paths>`). Hooks never modify the index, the work tree or the DVC cache; they write only the
message file (prepare-msg) and a note under the git directory that tells check-msg an amend is
under way.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.commit_message import TRAILER
from datatenet.errors import DatatenetError
from datatenet.repo.revisions import INDEX_STATE
from datatenet.results.commit import CheckResult, MessageCheck, MessageOutcome, Prefill

if TYPE_CHECKING:
    from datatenet.commit_message import CommitMessage
    from datatenet.gates import GateVerdict
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo
    from datatenet.repo.revisions import State
    from datatenet.results.diff import DatasetResult

_AMEND_NOTE = "datatenet/amend.json"
_AMEND_NOTE_TTL = 6 * 3600  # seconds: an editor left open longer than this is unusual
_SKIPPED_SOURCES = ("message", "merge", "squash", "commit")

# -- what is staged --------------------------------------------------------------------------


def needs_statement(diff: RepoDiff) -> bool:
    """Does the change add or edit samples (or hide what it does: a dataset unreadable in the
    new state counts as a change that must be explained)?"""
    for change in diff.changes:
        if change.changeset.added or change.changeset.modified:
            return True
    return any(item.side == "head" for item in diff.unavailable) or any(
        item.side in ("head", "") for item in diff.failures
    )


def staged_diff(repo: Repo, base: State) -> RepoDiff | None:
    """The staged data change, or None (at once, without reading anything) when no staged
    path can touch a dataset."""
    if not repo.staged_data_paths(base):
        return None
    return repo.diff(base, INDEX_STATE)


# -- pre-commit ------------------------------------------------------------------------------


def check(repo: Repo, *, analyse: AnalyseDiff | None = None, semantic: bool = False) -> CheckResult:
    """pre-commit: the staged data change and the gates of the config over it.

    `analyse` turns the diff into findings (duplicates, contradictions, …) for the gates;
    without it the gates see the metrics every diff has."""
    base = (amending_process() and amended_base(repo)) or repo.revisions.head_or_empty()
    diff = staged_diff(repo, base)
    if diff is None:
        return CheckResult()
    verdict, datasets = gate_verdict(repo, diff, analyse)
    return CheckResult(diff, datasets, verdict, semantic and not _semantic_available())


def gate_verdict(
    repo: Repo,
    diff: RepoDiff,
    analyse: AnalyseDiff | None,
    statements: Sequence[str] = (),
    behaviours: Sequence[str] = (),
) -> tuple[GateVerdict, tuple[DatasetResult, ...]]:
    """The gates of the config over a change: its own metrics and what its analyses found
    (told what the commit states, when it is known)."""
    from datatenet import gates
    from datatenet.verbs.compare import paired

    settings = repo.settings
    where = settings.source.name if settings.source else "config"
    configured = gates.parse_gates(settings.gates or gates.DEFAULT_GATES, where)
    measures = gates.diff_measures(diff)
    datasets: tuple[DatasetResult, ...] = ()
    if analyse is not None:
        analyses = analyse(diff, statements, behaviours)
        added, _, modified = diff.totals
        measures.update(gates.analysis_measures(analyses, added + modified))
        datasets = paired(diff, analyses)
    errors = [f.message for f in diff.failures]
    return gates.evaluate(configured, measures, errors), datasets


def _semantic_available() -> bool:
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None


# -- commit-msg ------------------------------------------------------------------------------


def check_msg(repo: Repo, message_file: Path) -> MessageCheck:
    """commit-msg: refuse a data commit whose message does not state one specific behaviour."""
    from datatenet.intent import judge

    text = read_message(message_file)
    rules = repo.rules
    if repo.merging:
        return MessageCheck("no-statement-needed")  # the merged commits state their own
    diff = staged_diff(repo, amended_base(repo) or repo.revisions.head_or_empty())
    if diff is None or not needs_statement(diff):
        return MessageCheck("no-statement-needed", diff)
    message = repo.parse_message(text)
    if not message.text.strip():
        return MessageCheck("no-statement-needed", diff)  # git aborts an empty message itself
    if not _meaningful(message):
        return MessageCheck("only-trailer", diff, message)
    judgement = judge(message, rules)
    outcome: MessageOutcome = "accepted" if judgement.ok else "refused"
    return MessageCheck(outcome, diff, message, judgement, rules, _shown(repo, message_file))


def _meaningful(message: CommitMessage) -> bool:
    """Is there a message besides an empty `Reinforces:` line left from prepare-msg?"""
    pattern = f"{TRAILER.lower()}:"
    rest = [
        line
        for line in message.text.splitlines()
        if line.strip() and line.strip().lower() != pattern
    ]
    return bool(rest)


def _shown(repo: Repo, message_file: Path) -> Path:
    try:
        return message_file.resolve().relative_to(repo.root.resolve())
    except ValueError:
        return message_file


def read_message(message_file: Path) -> str:
    try:
        return message_file.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise DatatenetError(
            f"{message_file}: cannot read the commit message ({exc.strerror})",
            "the commit-msg hook passes the message file as its first argument",
        ) from None


def write_message(message_file: Path, text: str) -> None:
    try:
        message_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DatatenetError(
            f"{message_file}: cannot write the commit message ({exc.strerror})",
            "check the permissions of the git directory",
        ) from None


# -- prepare-commit-msg ----------------------------------------------------------------------


def prepare_msg(
    repo: Repo, message_file: Path, source: str | None = None, sha: str | None = None
) -> Prefill | None:
    """prepare-commit-msg: what to add to the message the editor opens (the staged change as
    comment lines, an empty `Reinforces: ` line). None leaves the message alone: one given
    with -m/-F, a merge, squash or amend (or -c/-C) message, one stating a behaviour already,
    and any message when nothing relevant is staged."""
    source = source if source is not None else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    sha = sha if sha is not None else os.environ.get("PRE_COMMIT_COMMIT_OBJECT_NAME") or None
    _write_amend_note(repo, source, sha)
    if source in _SKIPPED_SOURCES:
        return None
    diff = staged_diff(repo, repo.revisions.head_or_empty())
    if diff is None or diff.is_empty:
        return None
    text = read_message(message_file)
    from datatenet.commit_message import comment_chars

    comment = comment_chars(repo.comment_setting, text)
    if repo.parse_message(text, comment).values():
        return None
    cleanup = repo.message_settings.get("commit.cleanup")
    comments = cleanup not in ("verbatim", "whitespace")
    return Prefill(text, diff, repo.rules, comment, needs_statement(diff), comments, message_file)


# -- amending --------------------------------------------------------------------------------


def amended_base(repo: Repo) -> State | None:
    """During `git commit --amend` the new commit replaces HEAD: its change is against HEAD's
    parent. Git tells hooks nothing of it but prepare-commit-msg's arguments (source "commit",
    sha HEAD), so prepare-msg leaves a note for commit-msg; where /proc exists, the `git`
    command line that runs the hook says it too (which also covers `--amend -m`)."""
    if amending_process():
        return None if repo.head is None else repo.revisions.parent("HEAD")
    note = repo.git_dir / _AMEND_NOTE
    try:
        recorded = json.loads(note.read_text(encoding="utf-8"))
        age = time.time() - note.stat().st_mtime
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        note.unlink(missing_ok=True)  # one commit's note
    if not isinstance(recorded, dict) or age > _AMEND_NOTE_TTL:
        return None
    if repo.head is None or recorded.get("head") != repo.head:
        return None  # left from another commit
    return repo.revisions.parent(repo.head)


def amending_process(max_depth: int = 8) -> bool:
    """Is this process run (through hook scripts, pre-commit, shells) by `git ... --amend`?
    Read from /proc; False where there is none."""
    pid = os.getppid()
    for _ in range(max_depth):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        words = [os.fsdecode(a) for a in args if a]
        if words and posixpath.basename(words[0]) == "git":
            return any(len(w) > 5 and "--amend".startswith(w) for w in words[1:])
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            return False
        if pid <= 1:
            return False
    return False


def _write_amend_note(repo: Repo, source: str, sha: str | None) -> None:
    note = repo.git_dir / _AMEND_NOTE
    head = None
    if source == "commit" and sha and repo.head is not None:
        head = repo.head
        if repo.revisions.resolve(sha) != head:
            head = None  # -c/-C another commit: a new commit, not an amend
    try:
        if head is None:
            note.unlink(missing_ok=True)
            return
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(json.dumps({"head": head}), encoding="utf-8")
    except OSError:
        pass  # a note is a refinement; without it an amend is checked against HEAD

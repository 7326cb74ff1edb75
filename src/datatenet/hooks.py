"""What each git hook stage does, as functions that return a verdict; the CLI prints it.

- `check` (pre-commit): the staged data change, summarised and held against the gates.
- `check_msg` (commit-msg): a change that adds or edits samples needs a `Reinforces:` trailer.
- `prepare_msg` (prepare-commit-msg): pre-fills the editor with the change and the trailer.
- `check_range` (CI): the message and gate checks for every data commit of a range, because
  `git commit --no-verify` skips hooks.
- `install`: the plain hook scripts of `hooks/` into the repository's hooks directory, or an
  entry in `.pre-commit-config.yaml`.

Nothing relevant staged is decided from `git diff --cached --name-only` alone, before anything
heavy is imported: a commit that touches no dataset costs a few git calls. The staged state is
the index git names in `GIT_INDEX_FILE` (`commit -a`, `commit <paths>`), as the sources read it.
Hooks never modify the index, the work tree or the DVC cache; they write only the message file
(prepare-msg) and a note under the git directory that tells check-msg an amend is under way.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet import intent
from datatenet.config import Settings, load_settings
from datatenet.errors import DatatenetError
from datatenet.sources import git

if TYPE_CHECKING:
    from datatenet.gates import GateVerdict
    from datatenet.repo.analyses import AnalyseDiff as Analyse
    from datatenet.repo_diff import RepoDiff

STAGES = ("pre-commit", "commit-msg", "prepare-commit-msg")
HOOK_COMMANDS = {
    "pre-commit": "check",
    "commit-msg": "check-msg",
    "prepare-commit-msg": "prepare-msg",
}
HOOK_MARKER = "# datatenet hook"
RULE = (
    "a commit that adds or edits training samples states, in one specific sentence, the one "
    "behaviour they reinforce"
)
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
_AMEND_NOTE = "datatenet/amend.json"
_AMEND_NOTE_TTL = 6 * 3600  # seconds: an editor left open longer than this is unusual
_SKIPPED_SOURCES = ("message", "merge", "squash", "commit")


@dataclass(frozen=True)
class Verdict:
    """What a hook decided: pass or fail, and the lines to print (none when there is
    nothing worth saying)."""

    ok: bool
    lines: tuple[str, ...] = ()
    offending: tuple[str, ...] = ()  # check-range: the commits that failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# -- what is staged --------------------------------------------------------------------------


def is_data_path(path: str, settings: Settings) -> bool:
    """Could a change to this path change a watched dataset? Decided from the name alone:
    data files, `.dvc` pointers, `dvc.lock` and LLaMA-Factory `dataset_info.json`."""
    name = posixpath.basename(path)
    in_dvc_dir = path.startswith(".dvc/") or "/.dvc/" in path
    if not in_dvc_dir and ((name.endswith(".dvc") and name != ".dvc") or name == "dvc.lock"):
        return True
    return name == "dataset_info.json" or settings.is_dataset(path)


def _head_or_empty(root: Path) -> str:
    return "HEAD" if git.has_commits(root) else git.empty_tree(root)


def staged_data_paths(root: Path, settings: Settings, base: str = "HEAD") -> list[str]:
    """Staged paths (against `base`) that could change a watched dataset."""
    out = git.run(
        root, "diff", "--cached", "--name-only", "-z", "--no-renames", "--ignore-submodules",
        base, "--",
    )  # fmt: skip
    paths = [os.fsdecode(p) for p in out.split(b"\0") if p]
    return [path for path in paths if is_data_path(path, settings)]


def needs_statement(diff: RepoDiff) -> bool:
    """Does the change add or edit samples (or hide what it does: a dataset unreadable in the
    new state counts as a change that must be explained)?"""
    for change in diff.changes:
        if change.changeset.added or change.changeset.modified:
            return True
    return any(item.side == "head" for item in diff.unavailable) or any(
        item.side in ("head", "") for item in diff.failures
    )


def summary_lines(diff: RepoDiff, indent: str = "  ") -> list[str]:
    """One line per changed dataset: +added -removed ~modified, and what could not be read."""
    lines: list[str] = []
    for change in diff.changes:
        s = change.changeset.summary
        where = f"{change.old_path} -> {change.path}" if change.old_path else change.path
        storage = "" if change.storage == "git" else f", {change.storage}"
        lines.append(
            f"{indent}{where} ({change.status}{storage}): +{s.added} added  -{s.removed} removed  "
            f"~{s.modified} modified  ({s.base_samples} -> {s.head_samples} samples)"
        )
    for item in diff.unavailable:
        fetch = f"; fetch it with `{item.fetch}`" if item.fetch else ""
        lines.append(f"{indent}{item.path} ({item.side}): unavailable, {item.reason}{fetch}")
    for failure in diff.failures:
        lines.append(f"{indent}{failure.message}")
    return lines


def _totals(diff: RepoDiff) -> tuple[int, int, int]:
    added = sum(c.changeset.summary.added for c in diff.changes)
    removed = sum(c.changeset.summary.removed for c in diff.changes)
    modified = sum(c.changeset.summary.modified for c in diff.changes)
    return added, removed, modified


def _staged_diff(root: Path, settings: Settings, base: str) -> RepoDiff | None:
    """The staged data change, or None (at once, without reading anything) when no staged
    path can touch a dataset."""
    if not staged_data_paths(root, settings, base):
        return None
    from datatenet.repo_diff import diff_repository
    from datatenet.sources.git import INDEX

    return diff_repository(root, base, INDEX, settings=settings)


def _rules(settings: Settings) -> intent.Rules:
    where = settings.source.name if settings.source else "config"
    return intent.rules_from_config(settings.commit, settings.behaviours, where)


# -- commit-msg ------------------------------------------------------------------------------


def check_msg(root: Path, message_file: Path) -> Verdict:
    """commit-msg: refuse a data commit whose message does not state one specific behaviour."""
    text = _read_message(message_file)
    settings = load_settings(root)
    rules = _rules(settings)
    if _merging(root):
        return Verdict(True)  # a merge brings commits that state their own behaviours
    base = _amended_base(root) or _head_or_empty(root)
    diff = _staged_diff(root, settings, base)
    if diff is None or not needs_statement(diff):
        return Verdict(True)
    message = intent.parse_message(text, root)
    if not message.text.strip():
        return Verdict(True)  # an empty message: git aborts the commit itself
    if not _meaningful(message):
        return Verdict(
            False, ("datatenet: commit aborted: the message is empty (only the empty trailer)",)
        )
    judgement = intent.judge(message, rules)
    added, _, modified = _totals(diff)
    if judgement.ok:
        what = judgement.behaviour or judgement.statement
        return Verdict(
            True, (f"datatenet: {added} added, {modified} modified; reinforces: {what}",)
        )
    return Verdict(False, tuple(_refusal(root, diff, message, judgement, rules, message_file)))


def _meaningful(message: intent.Message) -> bool:
    """Is there a message besides an empty `Reinforces:` line left from prepare-msg?"""
    pattern = f"{intent.TRAILER.lower()}:"
    rest = [
        line
        for line in message.text.splitlines()
        if line.strip() and line.strip().lower() != pattern
    ]
    return bool(rest)


def _refusal(
    root: Path,
    diff: RepoDiff,
    message: intent.Message,
    judgement: intent.Judgement,
    rules: intent.Rules,
    message_file: Path,
) -> list[str]:
    subject = message.subject
    if subject.lower().startswith(intent.TRAILER.lower() + ":"):
        subject = ""
    example = rules.behaviours[0].statement if rules.behaviours else intent.EXAMPLE_STATEMENT
    lines = [
        f"datatenet: commit refused: {judgement.problem}",
        "",
        "the staged change:",
        *summary_lines(diff),
        "",
        f"rule: {RULE}.",
        "end the message with the trailer, as its last paragraph, after a blank line:",
        "",
        *(
            f"    {line}" if line else ""
            for line in intent.example_message(subject, example).splitlines()
        ),
        "",
    ]
    if rules.behaviours:
        ids = ", ".join(b.id for b in rules.behaviours)
        how = "name one of them" if rules.strict_behaviours else "you may name one of them"
        lines.append(f"registered behaviours ({how} by id): {ids}")
    try:
        shown = message_file.resolve().relative_to(root.resolve())
    except ValueError:
        shown = message_file
    lines.append(f"your message is kept in {shown}: `git commit -e -F {shown}` starts from it")
    lines.append("(a commit that only removes samples needs no statement)")
    return lines


def _read_message(message_file: Path) -> str:
    try:
        return message_file.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise DatatenetError(
            f"{message_file}: cannot read the commit message ({exc.strerror})",
            "the commit-msg hook passes the message file as its first argument",
        ) from None


def _git_dir(root: Path) -> Path:
    out = git.run(root, "rev-parse", "--absolute-git-dir")
    return Path(os.fsdecode(out.rstrip(b"\n")))


def _merging(root: Path) -> bool:
    return (_git_dir(root) / "MERGE_HEAD").is_file()


def _amended_base(root: Path) -> str | None:
    """During `git commit --amend` the new commit replaces HEAD: its change is against HEAD's
    parent. Git tells hooks nothing of it but prepare-commit-msg's arguments (source "commit",
    sha HEAD), so prepare-msg leaves a note for commit-msg; where /proc exists, the `git`
    command line that runs the hook says it too (which also covers `--amend -m`)."""
    if amending_process():
        if not git.has_commits(root):
            return None
        return git.first_parent(root, "HEAD")
    note = _git_dir(root) / _AMEND_NOTE
    try:
        recorded = json.loads(note.read_text(encoding="utf-8"))
        age = time.time() - note.stat().st_mtime
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        note.unlink(missing_ok=True)  # one commit's note
    if not isinstance(recorded, dict) or age > _AMEND_NOTE_TTL:
        return None
    head = git.run(root, "rev-parse", "--verify", "--quiet", "HEAD").decode().strip()
    if recorded.get("head") != head:
        return None  # left from another commit
    return git.first_parent(root, head)


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


def _write_amend_note(root: Path, source: str, sha: str | None) -> None:
    note = _git_dir(root) / _AMEND_NOTE
    head = None
    if source == "commit" and sha and git.has_commits(root):
        head = git.run(root, "rev-parse", "--verify", "--quiet", "HEAD").decode().strip()
        if git.resolve_revision(root, sha) != head:
            head = None  # -c/-C another commit: a new commit, not an amend
    try:
        if head is None:
            note.unlink(missing_ok=True)
            return
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(json.dumps({"head": head}), encoding="utf-8")
    except OSError:
        pass  # a note is a refinement; without it an amend is checked against HEAD


# -- prepare-commit-msg ----------------------------------------------------------------------


def prepare_msg(
    root: Path, message_file: Path, source: str | None = None, sha: str | None = None
) -> Verdict:
    """prepare-commit-msg: add the staged change as comment lines and an empty `Reinforces: `
    line to the message the editor opens. Leaves alone a message given with -m/-F, a merge,
    squash or amend (or -c/-C) message, and a message that has the trailer already."""
    source = source if source is not None else os.environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE", "")
    sha = sha if sha is not None else os.environ.get("PRE_COMMIT_COMMIT_OBJECT_NAME") or None
    _write_amend_note(root, source, sha)
    if source in _SKIPPED_SOURCES:
        return Verdict(True)
    settings = load_settings(root)
    diff = _staged_diff(root, settings, _head_or_empty(root))
    if diff is None or not (diff.changes or diff.unavailable or diff.failures):
        return Verdict(True)
    text = _read_message(message_file)
    comment = intent.comment_chars(root, text)
    message = intent.parse_message(text, root, comment)
    if message.values():
        return Verdict(True)
    rules = _rules(settings)
    wanted = needs_statement(diff)
    cleanup = intent._config(root, "commit.cleanup")
    comments = cleanup not in ("verbatim", "whitespace")
    updated = prefill(text, diff, rules, comment, statement=wanted, comments=comments)
    if updated != text:
        try:
            message_file.write_text(updated, encoding="utf-8")
        except OSError as exc:
            raise DatatenetError(
                f"{message_file}: cannot write the commit message ({exc.strerror})",
                "check the permissions of the git directory",
            ) from None
    return Verdict(True)


def prefill(
    text: str,
    diff: RepoDiff,
    rules: intent.Rules,
    comment: str = "#",
    *,
    statement: bool = True,
    comments: bool = True,
) -> str:
    """The message with an empty trailer line after what is there, and the change summary as
    comment lines before git's own comments."""
    lines = text.replace("\r\n", "\n").split("\n")
    first_comment = next(
        (i for i, line in enumerate(lines) if line.startswith(comment)), len(lines)
    )
    head, tail = lines[:first_comment], lines[first_comment:]
    while head and not head[-1].strip():
        head.pop()
    if statement:
        # the subject line first (empty, for the user to type), then the trailer paragraph
        head = ["", "", f"{intent.TRAILER}: "] if not head else [*head, "", f"{intent.TRAILER}: "]
    else:
        head = head or [""]
    block: list[str] = []
    if comments:
        c = comment
        if statement:
            block.append(f"{c} datatenet: the staged change adds or edits training samples:")
        else:
            block.append(f"{c} datatenet: the staged change (no statement needed: no new samples):")
        block.extend(f"{c} {line}" for line in summary_lines(diff, "  "))
        if statement:
            example = rules.behaviours[0].statement if rules.behaviours else None
            block.append(f"{c} On the {intent.TRAILER}: line, say in one sentence which behaviour")
            block.append(f"{c} they reinforce, e.g.")
            block.append(f"{c}   {intent.TRAILER}: {example or intent.EXAMPLE_STATEMENT}")
            if rules.behaviours:
                ids = ", ".join(b.id for b in rules.behaviours)
                block.append(f"{c} Registered behaviours (name one by id): {ids}")
        block.append(c)
    return "\n".join([*head, *block, *tail]) if tail else "\n".join([*head, *block, ""])


# -- pre-commit ------------------------------------------------------------------------------


def check(root: Path, *, analyse: Analyse | None = None, semantic: bool = False) -> Verdict:
    """pre-commit: summarise the staged data change and apply the gates of the config.

    `analyse` turns the diff into findings (duplicates, contradictions, …) for the gates;
    without it the gates see the metrics every diff has."""
    settings = load_settings(root)
    base = (amending_process() and _amended_base(root)) or _head_or_empty(root)
    diff = _staged_diff(root, settings, base)
    if diff is None:
        return Verdict(True)
    verdict = _gate_verdict(diff, settings, analyse)
    from datatenet import gates

    lines = ["datatenet: staged data change", *summary_lines(diff)]
    if not diff.changes and not diff.unavailable and not diff.failures:
        lines.append(f"  no sample-level change ({diff.unchanged} datasets compared)")
    if semantic and not _semantic_available():
        lines.append(
            "  note: the semantic tier needs sentence-transformers: "
            "pip install 'datatenet[embeddings]' (other checks ran)"
        )
    lines.extend(gates.render(verdict))
    if not verdict.ok:
        lines.append(
            "commit refused by the gates above: fix the data, or the [gates] of the config"
        )
    return Verdict(verdict.ok, tuple(lines))


def _gate_verdict(diff: RepoDiff, settings: Settings, analyse: Analyse | None) -> GateVerdict:
    from datatenet import gates

    where = settings.source.name if settings.source else "config"
    configured = gates.parse_gates(settings.gates or gates.DEFAULT_GATES, where)
    measures = gates.diff_measures(diff)
    if analyse is not None:
        added, _, modified = _totals(diff)
        measures.update(gates.analysis_measures(analyse(diff), added + modified))
    errors = [f.message for f in diff.failures]
    return gates.evaluate(configured, measures, errors)


def _semantic_available() -> bool:
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None


# -- check-range -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitCheck:
    commit: str
    subject: str
    problems: tuple[str, ...]
    summary: tuple[str, ...] = field(default=())


def check_range(root: Path, spec: str, *, analyse: Analyse | None = None) -> Verdict:
    """CI: every data commit of `BASE..HEAD` (or `BASE...HEAD`, or BASE meaning BASE..HEAD)
    must state its behaviour and pass the gates. Merge commits need no statement."""
    from datatenet import history

    settings = load_settings(root)
    rules = _rules(settings)
    parsed = git.parse_range(spec)
    if parsed is None:
        base, head, symmetric = spec, "HEAD", False
    else:
        base, head, symmetric = parsed
    base_id = git.resolve_revision(root, base)
    head_id = git.resolve_revision(root, head)
    if symmetric:
        base_id = git.merge_base(root, base_id, head_id)
    commits = [
        info
        for info in history.walk(root, [f"{base_id}..{head_id}"])
        if not info.is_merge and history.touches_data(info.paths, settings)
    ]
    from datatenet import gates

    cache = history.memo_cache(root)
    checked: list[CommitCheck] = []
    notes: dict[str, None] = {}
    data_commits = 0
    for info, diff in history.diff_commits(root, list(reversed(commits)), settings, cache):
        if not (diff.changes or diff.unavailable or diff.failures):
            continue
        data_commits += 1
        problems: list[str] = []
        if needs_statement(diff):
            judgement = intent.judge(info.intent, rules)
            if not judgement.ok:
                problems.append(judgement.problem)
        verdict = _gate_verdict(diff, settings, analyse)
        gate_lines = [line.strip() for line in gates.render(verdict)]
        notes.update(dict.fromkeys(line for line in gate_lines if line.startswith("note:")))
        gate_lines = [line for line in gate_lines if not line.startswith("note:")]
        if not verdict.ok:
            problems.extend(gate_lines)
        checked.append(CommitCheck(info.commit, info.subject, tuple(problems), tuple(gate_lines)))
    offending = [c for c in checked if c.problems]
    lines = [
        f"datatenet: {data_commits} data commit{'s' if data_commits != 1 else ''} in {spec}"
        f" ({len(offending)} offending)"
    ]
    for item in offending:
        lines.append(f"  {item.commit[:10]} {item.subject}")
        lines.extend(f"    {problem}" for problem in item.problems)
    if offending:
        lines.append(f"rule: {RULE}.")
        lines.append(
            "fix the messages with `git rebase -i` (reword), or the data; a commit made with "
            "--no-verify skipped the hooks"
        )
    for item in checked:
        if not item.problems:  # warnings of commits that passed
            lines.extend(f"  {item.commit[:10]} {line}" for line in item.summary)
    lines.extend(f"  {note}" for note in notes)
    return Verdict(not offending, tuple(lines), tuple(c.commit for c in offending))


# -- install ---------------------------------------------------------------------------------


def hook_script(stage: str, python: str | None = None) -> str:
    """The plain git hook for a stage: a shim that runs `datatenet <command> "$@"`.

    `python` (the interpreter that ran `datatenet install`) is tried first, so the hook works
    from GUI clients whose PATH lacks the virtualenv; `datatenet` on PATH otherwise."""
    command = HOOK_COMMANDS[stage]
    baked = python or ""
    return f"""#!/bin/sh
{HOOK_MARKER} ({stage}): runs `datatenet {command}`. Installed by `datatenet install`.
# A commit that adds or edits training samples must state, in a `Reinforces:` trailer, the
# behaviour they reinforce; the pre-commit stage applies the gates of .datatenet.toml.
# Skip the hooks once with `git commit --no-verify` (CI's `datatenet check-range` still sees it).
DATATENET_PYTHON="${{DATATENET_PYTHON:-{baked}}}"
if [ -n "$DATATENET_PYTHON" ] && [ -x "$DATATENET_PYTHON" ]; then
    exec "$DATATENET_PYTHON" -m datatenet {command} "$@"
fi
if command -v datatenet >/dev/null 2>&1; then
    exec datatenet {command} "$@"
fi
echo "datatenet {stage} hook: datatenet is not installed here (pip install datatenet)," >&2
echo "  or skip the hook once with git commit --no-verify" >&2
exit 1
"""


@dataclass(frozen=True)
class Installed:
    lines: tuple[str, ...]


def hooks_dir(root: Path) -> Path:
    """Where git runs hooks from: `core.hooksPath` if set, else `.git/hooks`."""
    out = git.run(root, "rev-parse", "--git-path", "hooks")
    path = Path(os.fsdecode(out.rstrip(b"\n")))
    return path if path.is_absolute() else root / path


def install(root: Path, *, pre_commit: bool = False, python: str | None = None) -> Installed:
    """Install the three hooks into the repository, refusing to overwrite foreign hooks; or,
    with `pre_commit`, add a `repo: local` entry to `.pre-commit-config.yaml`."""
    if pre_commit:
        return _install_pre_commit(root)
    directory = hooks_dir(root)
    foreign: list[tuple[Path, str]] = []
    for stage in STAGES:
        target = directory / stage
        if target.exists():
            try:
                existing = target.read_text(encoding="utf-8", errors="replace")
            except OSError:
                existing = ""
            if HOOK_MARKER not in existing:
                foreign.append((target, _who_wrote(existing)))
    if foreign:
        listed = "; ".join(f"{path} ({who})" for path, who in foreign)
        uses_framework = any(who == "the pre-commit framework" for _, who in foreign)
        hints = [
            "nothing was installed. Either",
            "use the pre-commit framework: `datatenet install --pre-commit`, then "
            "`pre-commit install` (DVC's hooks sit beside ours: `dvc install "
            "--use-pre-commit-tool`)",
            'or call datatenet from your hook: add `datatenet check-msg "$1"` to commit-msg, '
            '`datatenet prepare-msg "$@"` to prepare-commit-msg, `datatenet check` to '
            "pre-commit",
        ]
        if uses_framework:
            hints.insert(1, "this repository uses the pre-commit framework already:")
        raise DatatenetError(f"hooks exist already: {listed}", "\n    ".join(hints))
    directory.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for stage in STAGES:
        target = directory / stage
        target.write_text(hook_script(stage, python), encoding="utf-8")
        target.chmod(0o755)
        lines.append(f"installed {target} (datatenet {HOOK_COMMANDS[stage]})")
    return Installed(tuple(lines))


def _who_wrote(text: str) -> str:
    if "pre-commit.com" in text or "File generated by pre-commit" in text:
        return "the pre-commit framework"
    if "dvc git-hook" in text or "dvc " in text:
        return "DVC"
    if "husky" in text:
        return "husky"
    return "not datatenet's"


PRE_COMMIT_ENTRY = """\
  # datatenet: data commits state the behaviour they reinforce; gates over the staged change
  - repo: local
    hooks:
      - id: datatenet-check
        name: datatenet check (staged data change, gates)
        entry: datatenet check
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-commit]
      - id: datatenet-check-msg
        name: datatenet check-msg (Reinforces trailer)
        entry: datatenet check-msg
        language: system
        always_run: true
        stages: [commit-msg]
      - id: datatenet-prepare-msg
        name: datatenet prepare-msg (pre-fill the message)
        entry: datatenet prepare-msg
        language: system
        always_run: true
        stages: [prepare-commit-msg]
"""
OUR_HOOK_TYPES = ("pre-commit", "commit-msg", "prepare-commit-msg")
_LEGACY_STAGES = {"commit": "pre-commit", "push": "pre-push", "merge-commit": "pre-merge-commit"}


def _hook_types(document: dict[str, object]) -> str:
    """`default_install_hook_types` for ours and the stages the file's other hooks use (DVC's
    pre-push and post-checkout, say), so that `pre-commit install` installs them all."""
    types = list(OUR_HOOK_TYPES)
    repos = document.get("repos")
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            stages = hook.get("stages") if isinstance(hook, dict) else None
            for stage in stages if isinstance(stages, list) else []:
                if not isinstance(stage, str) or stage == "manual":
                    continue
                stage = _LEGACY_STAGES.get(stage, stage)
                if stage not in types:
                    types.append(stage)
    return f"default_install_hook_types: [{', '.join(types)}]\n"


def _install_pre_commit(root: Path) -> Installed:
    import yaml

    path = root / PRE_COMMIT_CONFIG
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        document = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise DatatenetError(
            f"{PRE_COMMIT_CONFIG}: not valid YAML ({exc})", "fix it, then run this again"
        ) from None
    if not isinstance(document, dict):
        raise DatatenetError(f"{PRE_COMMIT_CONFIG}: not a mapping", "it should start with repos:")
    repos = document.get("repos") or []
    hook_ids = {
        hook.get("id")
        for repo in repos
        if isinstance(repo, dict)
        for hook in repo.get("hooks") or []
        if isinstance(hook, dict)
    }
    next_step = "then run `pre-commit install` (it installs default_install_hook_types)"
    if "datatenet-check-msg" in hook_ids:
        return Installed((f"{PRE_COMMIT_CONFIG} has datatenet's hooks already", next_step))
    updated = _add_repo_entry(text, document)
    try:
        check = yaml.safe_load(updated)
        ok = any(
            isinstance(r, dict) and r.get("repo") == "local"
            and any(h.get("id") == "datatenet-check-msg" for h in r.get("hooks", []))
            for r in check.get("repos", [])
        )  # fmt: skip
    except (yaml.YAMLError, AttributeError):
        ok = False
    if not ok:
        raise DatatenetError(
            f"{PRE_COMMIT_CONFIG}: could not add datatenet's entry to this file's layout",
            "add it under `repos:` by hand:\n" + PRE_COMMIT_ENTRY,
        )
    path.write_text(updated, encoding="utf-8")
    lines = [f"added datatenet's hooks (repo: local, language: system) to {path}"]
    types = document.get("default_install_hook_types")
    if types is not None and not {"commit-msg", "prepare-commit-msg"} <= set(types):
        lines.append(
            "default_install_hook_types lacks commit-msg or prepare-commit-msg: add them, or "
            "run `pre-commit install -t commit-msg -t prepare-commit-msg`"
        )
    lines.append(next_step)
    return Installed(tuple(lines))


def _add_repo_entry(text: str, document: dict[str, object]) -> str:
    """Append our entry to the `repos:` list, keeping the file's comments and layout.
    (A flow-style list other than `[]` is left as it is: the caller's check then fails.)"""
    header = "" if "default_install_hook_types" in document else _hook_types(document)
    if "repos" not in document or not text.strip():
        base = text if not text.strip() or text.endswith("\n") else text + "\n"
        return header + base + "repos:\n" + PRE_COMMIT_ENTRY
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("repos:"))
    value = lines[start].split("#", 1)[0].strip().removeprefix("repos:").strip()
    if value == "[]":
        lines[start] = "repos:\n"
    elif value:
        return header + text
    end = len(lines)
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line.strip() and not line[0].isspace() and not line.startswith(("-", "#")):
            end = index
            break
    items = [line for line in lines[start + 1 : end] if line.lstrip().startswith("- ")]
    indent = "  "
    if items:
        indent = items[0][: len(items[0]) - len(items[0].lstrip())]
    entry = "".join(
        (indent + line[2:] if line.startswith("  ") else line) + "\n"
        for line in PRE_COMMIT_ENTRY.splitlines()
    )
    block = lines[start + 1 : end]
    while block and not block[-1].strip():
        block.pop()
    body = "".join(lines[: start + 1]) + "".join(block)
    if not body.endswith("\n"):
        body += "\n"
    rest = "".join(lines[end:])
    return header + body + entry + ("\n" + rest if rest else "")

"""Terminal text of the commit hooks, check-range and install; and the message prepare-msg
pre-fills. Dataset paths and commit subjects are printed as they are (they are the user's own);
sample text never appears here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from datatenet.commit_message import TRAILER

if TYPE_CHECKING:
    from datatenet.gates import GateVerdict
    from datatenet.repo.diff import RepoDiff
    from datatenet.results.commit import CheckResult, MessageCheck, Prefill
    from datatenet.results.install import Initialized, Installed, Uninstalled
    from datatenet.results.range import CommitCheck, RangeCheck

RULE = (
    "a commit that adds or edits training samples states, in one specific sentence, the one "
    "behaviour they reinforce"
)
EVIDENCE_SHOWN = 5


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


def render_gates(verdict: GateVerdict, *, verbose: bool = False) -> list[str]:
    """Failed gates with their evidence, warnings, gates that measured nothing; passed gates
    too when verbose."""
    lines: list[str] = []
    for error in verdict.errors:
        lines.append(f"  error: {error}")
    for result in verdict.results:
        if not result.measured:
            lines.append(f"  note: gate {result.reason}")
            continue
        if result.passed:
            if verbose:
                lines.append(f"  ok: {result.reason}")
            continue
        label = "FAILED" if result.gate.level == "error" else "warning"
        lines.append(f"  {label}: {result.reason}")
        for item in result.evidence[:EVIDENCE_SHOWN]:
            lines.append(f"    {item}")
        if len(result.evidence) > EVIDENCE_SHOWN:
            lines.append(f"    … and {len(result.evidence) - EVIDENCE_SHOWN} more")
    return lines


def render_check(result: CheckResult) -> str:
    """pre-commit: the staged change, the gates; nothing when nothing relevant is staged."""
    diff, verdict = result.diff, result.verdict
    if diff is None or verdict is None:
        return ""
    lines = ["datatenet: staged data change", *summary_lines(diff)]
    if diff.is_empty:
        lines.append(f"  no sample-level change ({diff.unchanged} datasets compared)")
    if result.semantic_missing:
        lines.append(
            "  note: the semantic tier needs sentence-transformers: "
            "pip install 'datatenet[embeddings]' (other checks ran)"
        )
    lines.extend(render_gates(verdict))
    if not verdict.ok:
        lines.append(
            "commit refused by the gates above: fix the data, or the [gates] of the config"
        )
    return "\n".join(lines)


def render_message_check(result: MessageCheck) -> str:
    """commit-msg: one line when the statement is accepted; the refusal, with the change, the
    rule and an example message, when it is not."""
    if result.outcome == "only-trailer":
        return "datatenet: commit aborted: the message is empty (only the empty trailer)"
    judgement, diff = result.judgement, result.diff
    if result.outcome == "accepted" and judgement is not None and diff is not None:
        added, _, modified = diff.totals
        what = judgement.behaviour or judgement.statement
        return f"datatenet: {added} added, {modified} modified; reinforces: {what}"
    if result.outcome != "refused" or judgement is None or diff is None:
        return ""
    assert result.message is not None and result.rules is not None
    from datatenet.intent import EXAMPLE_STATEMENT, example_message

    rules = result.rules
    subject = result.message.subject
    if subject.lower().startswith(TRAILER.lower() + ":"):
        subject = ""
    example = rules.behaviours[0].statement if rules.behaviours else EXAMPLE_STATEMENT
    lines = [
        f"datatenet: commit refused: {judgement.problem}",
        "",
        "the staged change:",
        *summary_lines(diff),
        "",
        f"rule: {RULE}.",
        "end the message with the trailer, as its last paragraph, after a blank line:",
        "",
        *(f"    {line}" if line else "" for line in example_message(subject, example).splitlines()),
        "",
    ]
    if rules.behaviours:
        ids = ", ".join(b.id for b in rules.behaviours)
        how = "name one of them" if rules.strict_behaviours else "you may name one of them"
        lines.append(f"registered behaviours ({how} by id): {ids}")
    shown = result.message_file
    lines.append(f"your message is kept in {shown}: `git commit -e -F {shown}` starts from it")
    lines.append("(a commit that only removes samples needs no statement)")
    return "\n".join(lines)


def prefilled_message(plan: Prefill) -> str:
    """The message with an empty trailer line after what is there, and the change summary as
    comment lines before git's own comments."""
    from datatenet.intent import EXAMPLE_STATEMENT

    text, comment, rules = plan.text, plan.comment, plan.rules
    lines = text.replace("\r\n", "\n").split("\n")
    first_comment = next(
        (i for i, line in enumerate(lines) if line.startswith(comment)), len(lines)
    )
    head, tail = lines[:first_comment], lines[first_comment:]
    while head and not head[-1].strip():
        head.pop()
    if plan.statement:
        # the subject line first (empty, for the user to type), then the trailer paragraph
        head = ["", "", f"{TRAILER}: "] if not head else [*head, "", f"{TRAILER}: "]
    else:
        head = head or [""]
    block: list[str] = []
    if plan.comments:
        c = comment
        if plan.statement:
            block.append(f"{c} datatenet: the staged change adds or edits training samples:")
        else:
            block.append(f"{c} datatenet: the staged change (no statement needed: no new samples):")
        block.extend(f"{c} {line}" for line in summary_lines(plan.diff, "  "))
        if plan.statement:
            example = rules.behaviours[0].statement if rules.behaviours else None
            block.append(f"{c} On the {TRAILER}: line, say in one sentence which behaviour")
            block.append(f"{c} they reinforce, e.g.")
            block.append(f"{c}   {TRAILER}: {example or EXAMPLE_STATEMENT}")
            if rules.behaviours:
                ids = ", ".join(b.id for b in rules.behaviours)
                block.append(f"{c} Registered behaviours (name one by id): {ids}")
        block.append(c)
    return "\n".join([*head, *block, *tail]) if tail else "\n".join([*head, *block, ""])


def render_range(result: RangeCheck) -> str:
    """check-range: the data commits counted, the offenders with their problems, the warnings
    of the commits that passed, and each note once."""
    offending = result.offending
    count = len(result.commits)
    lines = [
        f"datatenet: {count} data commit{'s' if count != 1 else ''} in {result.spec}"
        f" ({len(offending)} offending)"
    ]
    notes: dict[str, None] = {}
    for item in result.commits:
        notes.update(dict.fromkeys(f"note: gate {r.reason}" for r in item.verdict.unmeasured))
    for item in offending:
        lines.append(f"  {item.commit[:10]} {item.subject}")
        lines.extend(f"    {problem}" for problem in _problems(item))
    if offending:
        lines.append(f"rule: {RULE}.")
        lines.append(
            "fix the messages with `git rebase -i` (reword), or the data; a commit made with "
            "--no-verify skipped the hooks"
        )
    for item in result.commits:
        if item.ok:  # warnings of commits that passed
            lines.extend(f"  {item.commit[:10]} {line}" for line in _gate_lines(item))
        for missing in item.unavailable:
            fetch = f"; fetch it with `{missing.fetch}`" if missing.fetch else ""
            lines.append(
                f"  {item.commit[:10]} {missing.path} ({missing.side}): unavailable, "
                f"{missing.reason}{fetch}"
            )
    lines.extend(f"  {note}" for note in notes)
    return "\n".join(lines)


def _gate_lines(item: CommitCheck) -> list[str]:
    """The gate lines of one commit, notes left out (they are shown once for the range)."""
    stripped = [line.strip() for line in render_gates(item.verdict)]
    return [line for line in stripped if not line.startswith("note:")]


def _problems(item: CommitCheck) -> Sequence[str]:
    problems: list[str] = []
    if item.judgement is not None and not item.judgement.ok:
        problems.append(item.judgement.problem)
    if not item.verdict.ok:
        problems.extend(_gate_lines(item))
    return problems


def render_installed(installed: Installed) -> str:
    next_step = "then run `pre-commit install` (it installs default_install_hook_types)"
    where = installed.pre_commit_config
    if where is None:
        return "\n".join(
            f"installed {path} (datatenet {command})" for path, command in installed.hooks
        )
    if installed.already:
        lines = [f"{where.name} has datatenet's hooks already", next_step]
    else:
        lines = [f"added datatenet's hooks (repo: local, language: system) to {where}"]
        if installed.missing_hook_types:
            lines.append(
                "default_install_hook_types lacks commit-msg or prepare-commit-msg: add them, or "
                "run `pre-commit install -t commit-msg -t prepare-commit-msg`"
            )
        lines.append(next_step)
        lines.append(
            "note: the entries run the `datatenet` on PATH (the file is shared, so it names no "
            "interpreter of this machine): commit with this environment active, or pre-commit "
            "says `Executable datatenet not found`"
        )
    if installed.plain_hooks:
        listed = ", ".join(str(path) for path in installed.plain_hooks)
        lines.append(
            f"warning: datatenet's plain hooks are installed too ({listed}): pre-commit would "
            "run them in migration mode and every check twice; remove them with "
            "`datatenet uninstall`, then run `pre-commit install`"
        )
    return "\n".join(lines)


def render_uninstalled(uninstalled: Uninstalled) -> str:
    lines = [f"removed {path}" for path in uninstalled.removed]
    if not uninstalled.removed:
        lines.append(f"no datatenet hook in {uninstalled.directory}: nothing removed")
    lines.extend(f"left alone: {path} (not datatenet's)" for path in uninstalled.kept)
    return "\n".join(lines)


def render_initialized(initialized: Initialized) -> str:
    path = initialized.path
    if initialized.datasets:
        return f"wrote {path}; review the dataset globs, then commit it"
    return (
        f"wrote {path}, with no dataset globs: git tracks no dataset file or .dvc pointer yet\n"
        "until `datasets` is set, every tracked file with a dataset suffix is watched; "
        "`git add` your data, then `datatenet init --force` names it"
    )

"""Terminal renderings of `datatenet bisect`: the answer, the candidates of a dry run, the probe
handed out, where a bisect driven by hand stands, and its log. Commit subjects, statements,
sample excerpts and CMD's words are untrusted text: each goes through `inert`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from datatenet.report.history import dataset_counts_document
from datatenet.report.terminal import inert, render_findings

if TYPE_CHECKING:
    from datatenet.results.bisect import (
        DryRun,
        Expectation,
        Facts,
        Handout,
        Outcome,
        Progress,
        WithinCommit,
    )
    from datatenet.results.history import Stated

STATEMENT_WIDTH = 100
EXCERPT = 70
SHOWN_FINDINGS = 10
_TO_MARK = "then mark it: `datatenet bisect good`, `bad` or `skip` (125 in `bisect run`)"


def _stated(stated: Stated) -> str:
    if stated.behaviour:
        return f"[{inert(stated.behaviour, 60)}] {inert(stated.statement or '', STATEMENT_WIDTH)}"
    return inert(stated.statement, STATEMENT_WIDTH) if stated.statement else "(no statement)"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def change_lines(facts: Facts, indent: str = "  ") -> list[str]:
    """What a commit changed in the watched datasets, one line per dataset."""
    lines = [f"{indent}change: +{facts.added} -{facts.removed} ~{facts.modified} samples"]
    for dataset in facts.datasets:
        where = inert(dataset.path, 120)
        if dataset.old_path:
            where = f"{inert(dataset.old_path, 120)} -> {where}"
        lines.append(
            f"{indent}  {where} ({dataset.status}): +{dataset.added} -{dataset.removed} "
            f"~{dataset.modified}, {dataset.base_samples} -> {dataset.head_samples} samples"
        )
    for problem in facts.unreadable:
        lines.append(f"{indent}  unreadable: {inert(problem, 200)}")
    return lines


def render_outcome(outcome: Outcome, report_command: str | None = None) -> str:
    """The answer: the first bad commit, what it says it teaches, what it changed, what the
    analyses found in it, the samples inside it that reproduce the degradation, and the cost."""
    lines: list[str] = []
    culprit = outcome.culprit
    if culprit is None:
        lines.append(
            "the first bad commit could not be told apart: it is one of these, which could not "
            "be tested (skipped):"
        )
        lines += [f"  {commit}" for commit in outcome.suspects]
    else:
        lines.append(f"first bad commit: {culprit.commit}")
        lines.append(f"  {inert(culprit.subject, 120)}")
        lines.append(f"  {inert(culprit.author, 60)}, {culprit.date[:10]}")
        lines.append(f"  reinforces: {_stated(culprit.stated)}")
        lines += change_lines(culprit)
        if culprit.findings:
            lines.append(render_findings(culprit.findings, limit=SHOWN_FINDINGS))
        else:
            lines.append("  findings: none")
    if outcome.within is not None:
        lines += _within_lines(outcome.within)
    lines.append(_cost(outcome))
    if outcome.expected is not None:
        lines.append(_expectation(outcome.expected))
    if outcome.inconsistent:
        shown = ", ".join(c[:10] for c in outcome.inconsistent)
        lines.append(
            f"note: good after a bad one at {shown}: the data does not degrade once and for all "
            "(a noisy CMD or metric, or a later commit that repaired the damage)"
        )
    if outcome.only_bad:
        lines.append(
            "note: every probe was bad, so the oldest candidate is the answer; if CMD fails "
            "whatever the data, check it on the good revision's data (`datatenet bisect next`)"
        )
    lines.append(f"log: {outcome.log}")
    if culprit is not None and report_command:
        lines.append(f"report: {report_command}")
    return "\n".join(lines)


def _within_lines(within: WithinCommit) -> list[str]:
    runs = _plural(within.runs, "run")
    if not within.reproduced:
        return [
            f"  inside it: its {within.units} new samples together do not reproduce the "
            f"degradation on the parent's data ({runs}): the removals or the combination matter"
        ]
    found = within.samples
    singles = all(len(group) == 1 for group in within.groups)
    how = "each on its own" if singles and len(found) > 1 else "together"
    lines = [
        f"  inside it: {_plural(len(found), 'sample')} of its {within.units} new ones reproduce "
        f"the degradation {how} ({runs}; first groups: {inert(within.grouping, 60)}):"
    ]
    for number, group in enumerate(within.groups, start=1):
        if not singles and len(within.groups) > 1:
            lines.append(f"    group {number}, reproducing it on its own, every sample needed:")
        for sample in group:
            lines.append(
                f"    {inert(sample.origin, 120)}  {sample.kind}  "
                f"{inert(sample.prompt, EXCERPT)} -> {inert(sample.response, EXCERPT)}"
            )
    return lines


def _cost(outcome: Outcome) -> str:
    bound = outcome.halving_bound
    within = f", and {outcome.within.runs} more inside it" if outcome.within else ""
    return (
        f"probes: {outcome.runs} of {_plural(outcome.candidates, 'candidate')}{within} "
        f"(plain halving needs at most {bound} without skips)"
    )


def _expectation(expected: Expectation) -> str:
    return (
        f"weighted: {expected.weighted:.2f} probes expected under the prior, against "
        f"{expected.halving:.2f} for plain halving (at most {expected.worst_case})"
    )


def render_dry_run(dry: DryRun) -> str:
    """The candidates, oldest first, with their statements and change sizes."""
    count = len(dry.entries)
    lines = [
        f"{_plural(count, 'candidate')} between good {dry.good[:10]} and bad {dry.bad[:10]} "
        f"({dry.walked} commits on the line; the others change no watched data):"
    ]
    weighted = dry.expected is not None
    for number, entry in enumerate(dry.entries, start=1):
        facts = entry.facts
        counts = f"+{facts.added} -{facts.removed} ~{facts.modified}"
        prior = f"  prior {entry.share:5.1%}" if weighted else ""
        found = f"  findings {len(facts.findings)}" if weighted else ""
        lines.append(
            f"{number:>4}  {facts.commit[:10]}  {counts:<16}{prior}{found}  "
            f"{inert(facts.subject, 70)}"
        )
        lines.append(f"      reinforces: {_stated(facts.stated)}")
    if dry.expected is not None:
        lines.append(_expectation(dry.expected))
    return "\n".join(lines)


def render_handout(handout: Handout) -> str:
    """What `bisect next` hands out: which data to test, and where it is."""
    what = f"{handout.target[:10]}  {inert(handout.subject, 100)}"
    if handout.samples is not None:
        what = (
            f"the parent of {handout.target[:10]} with {handout.samples} of the "
            f"{handout.remaining} new samples of that commit"
        )
    lines = [f"test: {what}"]
    if handout.exported:
        lines.append(f"  exported to {handout.place} (the dataset files only)")
    else:
        lines.append(f"  worktree: {handout.place}")
    lines += [f"  dataset: {path}" for path in handout.datasets]
    lines += [f"  missing: {inert(problem, 200)}" for problem in handout.missing]
    if handout.steps_left is not None:
        lines.append(
            f"  {_plural(handout.remaining, 'suspect')} left: at most "
            f"{_plural(handout.steps_left, 'probe')} to go, this one included (without skips)"
        )
    lines.append(_TO_MARK)
    return "\n".join(lines)


def render_progress(progress: Progress, report_command: str | None = None) -> str:
    """Where a bisect driven by hand stands: the answer once it is known."""
    if progress.outcome is not None:
        return render_outcome(progress.outcome, report_command)
    lines = [
        f"{_plural(progress.remaining, 'suspect')} left of "
        f"{_plural(progress.candidates, 'candidate')}; next: `datatenet bisect next` "
        "(or `--export DIR`)"
    ]
    if progress.expected is not None:
        lines.append(_expectation(progress.expected))
    return "\n".join(lines)


def render_log(lines: Sequence[str]) -> str:
    """The steps of the bisect, one per line: time, event, details."""
    out = []
    for line in lines:
        stamp, _, rest = line.partition("\t")
        event, _, details = rest.partition("\t")
        shown = "  ".join(inert(part, 300) for part in details.split("\t") if part)
        out.append(f"{stamp}  {event:<11} {shown}".rstrip())
    return "\n".join(out)


def render_reset(removed: Sequence[object]) -> str:
    count = len(removed)
    return "bisect ended" + (f"; {_plural(count, 'worktree')} removed" if count else "")


# -- JSON ------------------------------------------------------------------------------------

JSON_SCHEMA_VERSION = 1


def facts_document(facts: Facts) -> dict[str, Any]:
    return {
        "commit": facts.commit,
        "subject": facts.subject,
        "author": facts.author,
        "date": facts.date,
        "behaviour": facts.stated.behaviour,
        "statement": facts.stated.statement,
        "added": facts.added,
        "removed": facts.removed,
        "modified": facts.modified,
        "datasets": [dataset_counts_document(d) for d in facts.datasets],
        "findings": [finding.to_json() for finding in facts.findings],
        "unreadable": list(facts.unreadable),
    }


def _expected_document(expected: Expectation | None) -> dict[str, Any] | None:
    if expected is None:
        return None
    return {
        "weighted": expected.weighted,
        "halving": expected.halving,
        "worst_case": expected.worst_case,
    }


def outcome_document(outcome: Outcome, report_command: str | None = None) -> dict[str, Any]:
    within = outcome.within
    return {
        "version": JSON_SCHEMA_VERSION,
        "done": True,
        "culprit": facts_document(outcome.culprit) if outcome.culprit else None,
        "suspects": list(outcome.suspects),
        "candidates": outcome.candidates,
        "runs": outcome.runs,
        "halving_bound": outcome.halving_bound,
        "expected": _expected_document(outcome.expected),
        "within_commit": None
        if within is None
        else {
            "reproduced": within.reproduced,
            "units": within.units,
            "grouping": within.grouping,
            "runs": within.runs,
            "groups": [
                [
                    {
                        "origin": s.origin,
                        "dataset": s.dataset,
                        "kind": s.kind,
                        "id": s.sample_id,
                        "prompt": s.prompt,
                        "response": s.response,
                    }
                    for s in group
                ]
                for group in within.groups
            ],
        },
        "inconsistent": list(outcome.inconsistent),
        "log": str(outcome.log),
        "only_bad": outcome.only_bad,
        "report": report_command if outcome.culprit else None,
    }


def dry_run_document(dry: DryRun) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "good": dry.good,
        "bad": dry.bad,
        "walked": dry.walked,
        "candidates": [
            {**facts_document(entry.facts), "prior": entry.weight, "share": entry.share}
            for entry in dry.entries
        ],
        "expected": _expected_document(dry.expected),
    }


def handout_document(handout: Handout) -> dict[str, Any]:
    return {
        "version": JSON_SCHEMA_VERSION,
        "done": False,
        "revision": handout.target,
        "subject": handout.subject,
        "place": str(handout.place),
        "exported": handout.exported,
        "datasets": [str(path) for path in handout.datasets],
        "missing": list(handout.missing),
        "samples": handout.samples,
        "remaining": handout.remaining,
        "steps_left": handout.steps_left,
    }


def progress_document(progress: Progress, report_command: str | None = None) -> dict[str, Any]:
    if progress.outcome is not None:
        return outcome_document(progress.outcome, report_command)
    return {
        "version": JSON_SCHEMA_VERSION,
        "done": False,
        "candidates": progress.candidates,
        "remaining": progress.remaining,
        "next": progress.next_target,
        "expected": _expected_document(progress.expected),
    }


def log_document(lines: Sequence[str]) -> dict[str, Any]:
    steps = []
    for line in lines:
        stamp, event, *details = line.split("\t")
        steps.append({"time": stamp, "event": event, "details": details})
    return {"version": JSON_SCHEMA_VERSION, "steps": steps}

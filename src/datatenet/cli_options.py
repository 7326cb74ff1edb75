"""The command-line options `diff` and `report` share: which states to compare (read by
`diff_args.interpret`), how to read the files, and which checks run."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from datatenet.cli_common import allow_unavailable_option, skip_invalid_option

if TYPE_CHECKING:
    from datatenet.diff_args import FileDiff, RepoDiffRequest
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.repository import Repo

_OPTIONS = (
    click.argument("args", nargs=-1, metavar="[BASE [HEAD]] [PATH]... | OLD NEW"),
    click.option(
        "--staged",
        "--cached",
        is_flag=True,
        help="Compare BASE (default HEAD) with the index: what the next commit records.",
    ),
    click.option("--worktree", is_flag=True, help="Compare the index with the working tree."),
    click.option(
        "--merge-base",
        is_flag=True,
        help="Compare against the merge base of BASE and HEAD (what a pull request changes).",
    ),
    click.option("--no-index", is_flag=True, help="Compare two files, even inside a repository."),
    click.option(
        "--format", "schema", metavar="SCHEMA", help="Force a schema instead of detecting it."
    ),
    click.option(
        "--map",
        "mapping",
        metavar="CANONICAL=FIELD,...",
        help="Read the file's fields as canonical ones, "
        "e.g. prompt=question,chosen=response_chosen.",
    ),
    click.option(
        "--key", metavar="FIELD", help="Identify samples by this field, like a primary key."
    ),
    skip_invalid_option,
    allow_unavailable_option,
    click.option(
        "--dataset-info",
        type=click.Path(path_type=Path, dir_okay=False),
        help="A LLaMA-Factory dataset_info.json describing the files "
        "(default: the one beside them).",
    ),
    click.option(
        "--checks",
        metavar="CHECK,...",
        help="Checks on the new samples: exact, near, semantic, conflicts; duplicates (the three "
        "tiers), all (default: every one available), none.",
    ),
    click.option(
        "--include-untracked",
        is_flag=True,
        help="Also compare files git does not track (as added); by default they are only counted.",
    ),
)


@dataclass(frozen=True)
class Change:
    """What the shared options ask for: the states and paths (`args`), how to read the files,
    which checks run, and whether unreadable data may pass."""

    args: tuple[str, ...]
    staged: bool
    worktree: bool
    merge_base: bool
    no_index: bool
    schema: str | None
    mapping: str | None
    key: str | None
    skip_invalid: bool
    allow_unavailable: bool
    dataset_info: Path | None
    checks: str | None
    include_untracked: bool


def change_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The states compared and how their files are read, as `datatenet diff` takes them; the
    command receives them as one `change: Change`."""

    @functools.wraps(command)
    def with_change(**given: Any) -> Any:
        shared = {name.name: given.pop(name.name) for name in fields(Change)}
        return command(change=Change(**shared), **given)

    for option in reversed(_OPTIONS):
        with_change = option(with_change)
    return with_change


def interpret_change(
    change: Change, repo: Repo | None
) -> tuple[FileDiff | RepoDiffRequest, LoadOptions]:
    """What to compare (two files, or two states and paths) and how to read the files."""
    from datatenet.diff_args import interpret
    from datatenet.formats.load import LoadOptions, parse_mapping

    request = interpret(
        change.args,
        repo,
        staged=change.staged,
        worktree=change.worktree,
        merge_base=change.merge_base,
        no_index=change.no_index,
    )
    options = LoadOptions(
        schema=change.schema,
        mapping=parse_mapping(change.mapping or ""),
        key=change.key,
        skip_invalid=change.skip_invalid,
        dataset_info=change.dataset_info,
    )
    return request, options

"""What several commands share on the command line: the options that say how versions are
read (`skip_invalid_option`, `allow_unavailable_option`) and the repository they open
(`open_repo`, whose error outside a repository fits the command).

Any command that reads versions takes `@skip_invalid_option` and opens its repository with
`open_repo(skip_invalid=skip_invalid)`; a command that must not pass silently over data it
cannot read (DVC or LFS content not fetched) takes `@allow_unavailable_option` and raises
`results.diff.unavailable_error(...)` unless it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo

F = TypeVar("F", bound=Callable[..., object])

skip_invalid_option: Callable[[F], F] = click.option(
    "--skip-invalid",
    is_flag=True,
    help="Go on past malformed records (in every version read): count and list them.",
)
allow_unavailable_option: Callable[[F], F] = click.option(
    "--allow-unavailable",
    is_flag=True,
    help="Exit 0 even when some data cannot be read here (DVC or LFS content not fetched); "
    "it is still reported.",
)

# What to do outside a repository, by command (others: run it inside one, `sources/git.py`).
_OUTSIDE_HINTS = {
    "init": "create one with `git init` and commit your data, then run `datatenet init`",
    "install": "create one with `git init`, then run `datatenet install`",
    "uninstall": "run it inside the repository whose hooks you want to remove",
}


def print_json(document: object) -> None:
    import orjson

    click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


def open_repo(*, skip_invalid: bool = False) -> Repo:
    """The repository around the current directory, reading every version with
    `--skip-invalid` when given; outside a repository, an error whose hint fits the command."""
    from datatenet.repo.repository import Repo
    from datatenet.sources.git import NotARepository

    options = None  # the defaults; formats/ is imported only when a version is read
    if skip_invalid:
        from datatenet.formats.load import LoadOptions

        options = LoadOptions(skip_invalid=True)
    try:
        return Repo.open(Path.cwd(), load_options=options)
    except NotARepository as exc:
        exc.hint = outside_hint() or exc.hint
        raise


def outside_hint(command: str | None = None) -> str:
    """What to do outside a repository, for this command (default: the one running); ""
    where the general hint fits."""
    if command is None:
        context = click.get_current_context(silent=True)
        command = context.info_name if context is not None else None
    return _OUTSIDE_HINTS.get(command or "", "")

"""The exit codes of every command, decided here (README: "Exit codes").

0: done. 1: a check refused (a hook, a gate, check-range). 2: a usage error or input that
cannot be read (a `DatatenetError`, with its message and hint). 3: an unexpected error, a bug:
one line says so, with the version and where to report it; the traceback only with `--debug`
or `DATATENET_DEBUG=1`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import click

DONE = 0  # the command did what was asked
REFUSED = 1  # a check refused: a hook, a gate, check-range
USER_ERROR = 2  # a usage error, or input that cannot be read (DatatenetError)
UNEXPECTED = 3  # a bug
INTERRUPTED = 130  # Ctrl-C, as shells report it


def of(ok: bool) -> int:
    """A verb's verdict -> its exit code."""
    return DONE if ok else REFUSED


def run(
    command: click.Command, argv: list[str] | None, debugging: Callable[[], bool] = bool
) -> NoReturn:
    """Run the command line and exit with the code its outcome decides. `debugging` says
    whether `--debug` was given (asked once the command has run)."""
    import click

    from datatenet import __version__
    from datatenet.errors import DatatenetError

    try:
        code = command.main(args=argv, prog_name="datatenet", standalone_mode=False)
    except DatatenetError as exc:
        click.echo(f"datatenet: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(USER_ERROR)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(USER_ERROR if exc.exit_code not in (DONE, REFUSED) else exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        if isinstance(exc, click.exceptions.Abort):
            click.echo("aborted", err=True)
        sys.exit(INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`): not an error
        sys.exit(DONE)
    except Exception as exc:
        debug = debugging() or os.environ.get("DATATENET_DEBUG", "") not in ("", "0")
        if debug:
            import traceback

            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        show = "" if debug else " (--debug or DATATENET_DEBUG=1 shows the traceback)"
        click.echo(
            f"datatenet {__version__}: unexpected error ({what}); this is a bug: please report "
            f"it to {where_to_report()} with the command you ran{show}",
            err=True,
        )
        sys.exit(UNEXPECTED)
    sys.exit(code if isinstance(code, int) else DONE)


def where_to_report() -> str:
    """The issue tracker the package names (`[project.urls]`), else how to find it."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("datatenet").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("issues", "bug tracker", "tracker"):
            return str(url).strip()
    return "the datatenet issue tracker"

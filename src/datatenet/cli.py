"""The command line: one thin function per verb. Only this module prints.

Heavy modules are imported inside the commands, so `datatenet --help` stays fast.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from datatenet import __version__
from datatenet.errors import DatatenetError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="datatenet")
def cli() -> None:
    """Version control for LLM fine-tuning datasets, sample by sample.

    Every change to a dataset is diffed sample by sample against the previous version, and
    every commit states which behaviour its new samples reinforce.
    """


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format", "schema", metavar="SCHEMA", help="Force a schema instead of detecting it."
)
@click.option(
    "--map",
    "mapping",
    metavar="CANONICAL=FIELD,...",
    help="Read the file's fields as canonical ones, e.g. prompt=question,chosen=response_chosen.",
)
@click.option("--key", metavar="FIELD", help="Identify samples by this field, like a primary key.")
@click.option(
    "--show",
    default=0,
    metavar="N",
    type=click.IntRange(min=0),
    help="Show N examples of each kind of change.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document (see docs/json.md).")
@click.option("--skip-invalid", is_flag=True, help="Skip malformed records, count and list them.")
@click.option(
    "--dataset-info",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A LLaMA-Factory dataset_info.json describing the files (default: the one beside them).",
)
def diff(
    old: Path,
    new: Path,
    schema: str | None,
    mapping: str | None,
    key: str | None,
    show: int,
    as_json: bool,
    skip_invalid: bool,
    dataset_info: Path | None,
) -> None:
    """Show what changed, sample by sample, between two versions of a dataset file.

    Reordering, renaming fields and changing the file format are not changes: samples are
    compared by the hash of their training content.
    """
    from datatenet.diff import diff_versions
    from datatenet.formats.load import LoadOptions, load_files, parse_mapping

    options = LoadOptions(
        schema=schema,
        mapping=parse_mapping(mapping or ""),
        key=key,
        skip_invalid=skip_invalid,
        dataset_info=dataset_info,
    )
    base, head = load_files([old, new], options)
    # Millions of long-lived, acyclic objects: keep the cyclic GC from rescanning them.
    gc.freeze()
    changeset = diff_versions(base, head)
    if as_json:
        import orjson

        from datatenet.report.json_report import diff_document

        document = diff_document([changeset], show)
        click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        return
    from datatenet.report.terminal import render_examples, render_summary

    click.echo(render_summary(changeset))
    if show:
        click.echo(render_examples(changeset, show))


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps DatatenetError to a message and exit code 2, in this one place."""
    try:
        cli.main(args=argv, prog_name="datatenet", standalone_mode=False)
    except DatatenetError as exc:
        click.echo(f"datatenet: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code not in (0, 1) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`): not an error
        sys.exit(0)

"""What `diff` and `scan` return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.diff import ChangeSet
    from datatenet.repo.diff import ChangedDataset, RepoDiff
    from datatenet.repo.tree import Failure, Unavailable
    from datatenet.version import Version


@dataclass(frozen=True)
class DatasetResult:
    """One dataset of a diff and what the analyses found in its change."""

    changeset: ChangeSet
    analysis: Analysis
    change: ChangedDataset | None = None  # its place in a repository diff; None for two files


@dataclass(frozen=True)
class DiffResult:
    datasets: tuple[DatasetResult, ...]
    repository: RepoDiff | None = None  # None: two files compared
    checked: bool = False  # checks ran over the new samples (a dataset without findings says so)
    notes: tuple[str, ...] = ()  # about the whole diff, e.g. a [mappings] field no version has

    def error(self, *, allow_unavailable: bool = False) -> DatatenetError | None:
        """What to exit with after the report is shown: datasets that could not be read, and
        (unless allowed) data that cannot be had here."""
        if self.repository is None:
            return None
        if self.repository.failures:
            return failures_error(self.repository.failures)
        if self.repository.unavailable and not allow_unavailable:
            return unavailable_error(self.repository.unavailable)
        return None


@dataclass(frozen=True)
class ScanResult:
    version: Version
    analysis: Analysis


def failures_error(failures: Sequence[Failure]) -> DatatenetError:
    if len(failures) == 1:
        return failures[0].error()
    listed = "\n".join(f"  {failure.message}" for failure in failures)
    return DatatenetError(
        f"{len(failures)} datasets could not be read:\n{listed}", failures[0].hint
    )


def unavailable_error(unavailable: Sequence[Unavailable], where: str = "") -> DatatenetError:
    """Data that cannot be had here (DVC or LFS content not fetched): an error, so that a
    comparison of nothing never passes for a clean one. `where` says in what (a commit)."""
    count = len(unavailable)
    listed = ", ".join(f"{item.path} ({item.side or 'listed'})" for item in unavailable[:5])
    more = f" and {count - 5} more" if count > 5 else ""
    commands = list(dict.fromkeys(item.fetch for item in unavailable if item.fetch))
    fetch = " and ".join(f"`{command}`" for command in commands)
    hint = f"fetch the data with {fetch}, then run this again; or" if fetch else "or"
    return DatatenetError(
        f"{count} dataset version{'s' if count != 1 else ''} cannot be read here{where}: "
        f"{listed}{more}: {unavailable[0].reason}",
        f"{hint} pass --allow-unavailable to accept a comparison without them",
    )

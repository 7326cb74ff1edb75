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
    from datatenet.repo.tree import Failure
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

    def error(self) -> DatatenetError | None:
        """What to exit with after the report is shown: datasets that could not be read."""
        if self.repository is None or not self.repository.failures:
            return None
        return failures_error(self.repository.failures)


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

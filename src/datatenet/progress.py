"""Progress of long work on stderr: a line while a step runs (a model loads, a large version
is parsed), a bar with counts and rate while items are worked through (texts embedded, commits
read).

Shown only when stderr is a terminal and the run is not quiet; otherwise nothing is written at
all (hooks, CI logs and piped output stay clean). One `Progress` is shared by the parts of a
run, so that nested work (the cache and the model it wraps) reports into one bar, not one each.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

BAR_DELAY_S = 0.5  # work shorter than this shows no bar at all


class Progress:
    """Where progress goes: `quiet` or a stream that is not a terminal silences it."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self._stream = stream
        self._bar: Any = None

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    @property
    def enabled(self) -> bool:
        return not self.quiet and _is_terminal(self.stream)

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        """One line while a step runs ("loading ..."), completed with its time when it ends."""
        if not self.enabled:
            yield
            return
        stream = self.stream
        stream.write(f"datatenet: {message}…")
        stream.flush()
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            stream.write(" failed\n")
            stream.flush()
            raise
        stream.write(f" {time.perf_counter() - start:.1f} s\n")
        stream.flush()

    @contextmanager
    def bar(self, total: int, label: str, unit: str = " texts") -> Iterator[None]:
        """A bar over `total` items for the work inside; `advance` moves it. Nested calls join
        the bar already open (the cache opens it, the model it wraps advances it)."""
        if self._bar is not None or not self.enabled or total <= 0:
            yield
            return
        try:
            from tqdm import tqdm
        except ImportError:  # a dependency; should it be missing, no bar
            yield
            return
        self._bar = tqdm(
            total=total,
            desc=f"datatenet: {label}",
            unit=unit,
            file=self.stream,
            leave=False,
            delay=BAR_DELAY_S,
            dynamic_ncols=True,
        )
        try:
            yield
        finally:
            self._bar.close()
            self._bar = None

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)


QUIET = Progress(quiet=True)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

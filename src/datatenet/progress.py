"""Progress of long work on stderr: a line while a step runs (a model loads, a large version
is parsed), a bar with counts and rate while items are worked through (texts embedded, commits
read).

Shown only when stderr is a terminal and the run is not quiet; otherwise nothing is written at
all (hooks, CI logs and piped output stay clean). The global `--quiet` flag (`set_quiet`) and
`DATATENET_QUIET=1` silence every `Progress` of the process. One `Progress` is shared by the
parts of a run (`shared()`), so that nested work (the cache and the model it wraps, the commits
of a history and the versions each reads) reports into one bar, not one each.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

BAR_DELAY_S = 0.5  # work shorter than this shows no bar at all
STATUS_DELAY_S = 1.0  # a delayed status line shows only for a step longer than this
QUIET_ENV = "DATATENET_QUIET"
_QUIET: list[bool] = []  # set by `set_quiet` (the command line's --quiet)


def set_quiet(quiet: bool = True) -> None:
    """Silence (or not) every `Progress` of this process."""
    _QUIET[:] = [quiet]


def quiet_everywhere() -> bool:
    if _QUIET:
        return _QUIET[0]
    return os.environ.get(QUIET_ENV, "") not in ("", "0")


class _Line:
    """What every `Progress` of the process shares, since they write to one terminal: the
    status lines left open (written without their end) and whether a bar is showing."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: list[str] = []  # status lines written and not yet ended, outermost first
        self.bars = 0


_LINE = _Line()


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
        return not self.quiet and not quiet_everywhere() and _is_terminal(self.stream)

    def _write(self, text: str) -> None:
        """Write (under the lock); a status line left open ends first (it is interrupted)."""
        stream = self.stream
        if _LINE.open:
            stream.write("\n")
            _LINE.open.clear()
        stream.write(text)
        stream.flush()

    @contextmanager
    def status(self, message: str, *, delay: float = 0.0) -> Iterator[None]:
        """One line while a step runs ("loading ..."), completed with its time when it ends.
        With `delay`, the line is written only if the step is still running by then. Inside
        a bar, nothing: the bar says what is going on."""
        if not self.enabled or _LINE.bars:
            yield
            return
        start = time.perf_counter()
        token = f"{id(message)}:{start}"
        shown: list[bool] = []

        def show() -> None:
            with _LINE.lock:
                if not _LINE.bars and not shown:
                    self._write(f"datatenet: {message}…")
                    _LINE.open.append(token)
                    shown.append(True)

        timer = None
        if delay > 0:
            timer = threading.Timer(delay, show)
            timer.daemon = True
            timer.start()
        else:
            show()
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            if timer is not None:
                timer.cancel()
                timer.join()
            with _LINE.lock:
                if shown and _LINE.open and _LINE.open[-1] == token:
                    took = f" {time.perf_counter() - start:.1f} s"
                    self.stream.write(" failed\n" if failed else took + "\n")
                    self.stream.flush()
                    _LINE.open.pop()
                elif token in _LINE.open:
                    _LINE.open.remove(token)

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
        with _LINE.lock:
            if _LINE.open:  # a status line is open: the bar starts on a line of its own
                self.stream.write("\n")
                _LINE.open.clear()
            _LINE.bars += 1
            self._bar = tqdm(
                total=total,
                desc=f"datatenet: {label}",
                unit=unit,
                file=self.stream,
                leave=False,
                delay=BAR_DELAY_S,
                # tqdm's adaptive step would skip the last updates of a slow bar: redraw by time
                miniters=1,
                dynamic_ncols=True,
            )
        try:
            yield
        finally:
            self._bar.close()
            self._bar = None
            _LINE.bars -= 1

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)


QUIET = Progress(quiet=True)
_SHARED: list[Progress] = []


def shared() -> Progress:
    """The process's progress, shared by the parts of a run (on stderr)."""
    if not _SHARED:
        _SHARED.append(Progress())
    return _SHARED[0]


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

"""Progress on stderr: shown on a terminal, silent otherwise or when quiet."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import termios
import time

from datatenet.progress import BAR_DELAY_S, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream=stream)
    with progress.status("loading the model"), progress.bar(10, "embedding"):
        progress.advance(10)
    assert stream.getvalue() == ""
    assert not progress.enabled


def test_quiet_silences_a_terminal() -> None:
    stream = Terminal()
    with Progress(quiet=True, stream=stream).status("parsing"):
        pass
    assert stream.getvalue() == ""


def test_a_status_line_ends_with_its_time_and_a_failure_says_so() -> None:
    stream = Terminal()
    progress = Progress(stream=stream)
    with progress.status("parsing data/train.jsonl"):
        pass
    assert stream.getvalue().startswith("datatenet: parsing data/train.jsonl…")
    assert stream.getvalue().endswith(" s\n")
    try:
        with progress.status("reading history"):
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert stream.getvalue().endswith("reading history… failed\n")


def test_a_bar_on_a_real_terminal_counts_and_nested_bars_join() -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with os.fdopen(follower, "w") as stream:
        progress = Progress(stream=stream)
        assert progress.enabled
        # the inner bar joins the one already open
        with progress.bar(3, "reading commits", unit=" commits"), progress.bar(3, "inner"):
            for _ in range(3):
                time.sleep(BAR_DELAY_S / 2)  # bars show only for work longer than the delay
                progress.advance(1)
    written = os.read(leader, 4096).decode(errors="replace")
    os.close(leader)
    assert "reading commits" in written and "3/3" in written and "inner" not in written

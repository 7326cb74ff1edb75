"""A commit message file -> the message git will record and its trailers, parsed by git."""

from __future__ import annotations

from pathlib import Path

from datatenet.commit_message import (
    CommitMessage,
    comment_chars,
    strip_message,
    trailers_from_lines,
)
from datatenet.sources import git


def parse_message(
    text: str, root: Path | None = None, comment: str | None = None, configured: str | None = None
) -> CommitMessage:
    """A raw message (as the commit-msg hook sees it) -> the message and its trailers, as
    `git interpret-trailers` reads them. `comment` is the comment character it was written
    with; else it follows from `configured` (`core.commentChar`) and the text."""
    comment = comment if comment is not None else comment_chars(configured, text)
    stripped = strip_message(text, comment)
    if not stripped.strip():
        return CommitMessage(stripped, ())
    return CommitMessage(
        stripped, trailers_from_lines(git.interpret_trailers(root, stripped, comment))
    )

"""A commit message as git records it, and its trailers (the `Reinforces:` one above all).

Not to be confused with a chat turn of a sample (`samples.Message`). The message is cut at the
`commit -v` scissors line and stripped of comment lines, honouring `core.commentChar` (with
`auto`, the character git chose is recognised from the comments it wrote). The trailers
themselves are parsed by git (`repo/messages.py`), so that a trailer counts exactly when git
would count it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TRAILER = "Reinforces"
# Scissors: `git commit -v` cuts the message here; everything below is the diff.
SCISSORS = "------------------------ >8 ------------------------"
_AUTO_COMMENT_CHARS = "#;@!$%^&|:"


@dataclass(frozen=True)
class Trailer:
    key: str  # as written (compare with .lower())
    value: str


@dataclass(frozen=True)
class CommitMessage:
    """A commit message as git will record it, and its trailers."""

    text: str  # without comments and without what follows the scissors
    trailers: tuple[Trailer, ...]

    @property
    def subject(self) -> str:
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return ""

    def values(self, key: str = TRAILER) -> list[str]:
        return [t.value for t in self.trailers if t.key.lower() == key.lower()]

    @property
    def misplaced(self) -> bool:
        """A `Reinforces:` line that git does not read as a trailer (wrong paragraph)."""
        if self.values():
            return False
        pattern = re.compile(rf"^\s*{TRAILER}\s*:", re.IGNORECASE | re.MULTILINE)
        return bool(pattern.search(self.text))


def comment_chars(configured: str | None, text: str = "") -> str:
    """The characters that start comment lines, as `git commit` wrote them.

    `configured` is `core.commentString` (or `core.commentChar`); with `auto`, the character
    is read back from the comments git wrote ("Please enter the commit message ...", or the
    scissors).
    """
    if configured and configured != "auto":
        return configured
    if configured == "auto":
        for line in text.splitlines():
            if len(line) > 2 and line[0] in _AUTO_COMMENT_CHARS and line[1] == " ":
                rest = line[2:]
                if rest.startswith(("Please enter the commit message", SCISSORS)):
                    return line[0]
    return "#"


def strip_message(text: str, comment: str = "#") -> str:
    """The message as git records it (cleanup=strip): no comment lines, nothing below the
    scissors line, no trailing blank lines."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(comment):
            if line[len(comment) :].strip() == SCISSORS:
                break
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip("\n") + "\n"


def trailers_from_lines(lines: list[str]) -> tuple[Trailer, ...]:
    """`Key: value` lines (as `git interpret-trailers --parse` prints them) -> trailers."""
    trailers: list[Trailer] = []
    for line in lines:
        key, separator, value = line.partition(":")
        if separator:
            trailers.append(Trailer(key.strip(), value.strip()))
    return tuple(trailers)

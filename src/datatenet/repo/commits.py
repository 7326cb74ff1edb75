"""The commits of a history, read in one `git log`: who, when, the message and its `Reinforces:`
trailers (as git parsed them), and the paths each changed against its first parent."""

from __future__ import annotations

import os
from dataclasses import dataclass

from datatenet.commit_message import TRAILER, CommitMessage, Trailer, trailers_from_lines

# Fields end with US (0x1f), commits start with RS (0x1e), trailers are joined by GS (0x1d).
LOG_FORMAT = (
    "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f"
    f"%(trailers:key={TRAILER},unfold,separator=%x1d)%x1f%B%x1f"
)


@dataclass(frozen=True)
class CommitInfo:
    commit: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str  # author date, ISO 8601
    trailers: tuple[Trailer, ...]  # the Reinforces trailers, as git parsed them
    message: str
    paths: tuple[str, ...]  # what it changed against its first parent

    @property
    def subject(self) -> str:
        return self.message.strip().split("\n", 1)[0] if self.message.strip() else ""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def commit_message(self) -> CommitMessage:
        return CommitMessage(self.message, self.trailers)


def parse_log(out: bytes) -> list[CommitInfo]:
    """The output of `git log -z --name-only --format=LOG_FORMAT` -> commits, in its order."""
    commits: list[CommitInfo] = []
    for chunk in out.split(b"\x1e")[1:]:
        end = chunk.rfind(b"\x1f")
        header, rest = chunk[:end], chunk[end + 1 :]
        fields = header.decode("utf-8", "replace").split("\x1f", 6)
        if len(fields) < 7:
            continue
        commit, parents, author, email, date, trailers, message = fields
        paths = tuple(os.fsdecode(p) for p in rest.lstrip(b"\0\n").split(b"\0") if p)
        commits.append(
            CommitInfo(
                commit,
                tuple(parents.split()),
                author,
                email,
                date,
                trailers_from_lines(trailers.split("\x1d")),
                message,
                paths,
            )
        )
    return commits

"""Git LFS without git-lfs: pointer files and the local object store under the git directory."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

_LFS_PREFIX = b"version https://git-lfs.github.com/spec/"
_LFS_MAX_POINTER = 1024


@dataclass(frozen=True)
class LfsPointer:
    oid: str  # sha256 of the real content
    size: int


def parse_lfs_pointer(data: bytes) -> LfsPointer | None:
    """A Git LFS pointer file (the small text git stores instead of the content), or None."""
    if len(data) > _LFS_MAX_POINTER or not data.startswith(_LFS_PREFIX):
        return None
    fields = dict(
        line.split(" ", 1) for line in data.decode("ascii", "replace").splitlines() if " " in line
    )
    algorithm, _, oid = fields.get("oid", "").partition(":")
    size = fields.get("size", "")
    if algorithm != "sha256" or len(oid) != 64 or not size.isdigit():
        return None
    return LfsPointer(oid, int(size))


def lfs_object(git_common_dir: Path, pointer: LfsPointer) -> Path | None:
    """The content of an LFS pointer in the local LFS store (`.git/lfs/objects`), if there."""
    path = git_common_dir / "lfs" / "objects" / pointer.oid[:2] / pointer.oid[2:4] / pointer.oid
    try:
        return path if path.stat().st_size == pointer.size else None
    except OSError:
        return None


def lfs_fetch_command(path: str) -> str:
    return f"git lfs pull --include={shlex.quote(path)}"

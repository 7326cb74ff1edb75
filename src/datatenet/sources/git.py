"""Thin functions over the git command line: revisions, the index, the work tree, blobs.

Every command runs with the repository root as its working directory and inherits the
environment, so `GIT_INDEX_FILE` (set by git for hooks during `commit -a` and `commit <paths>`)
and `GIT_DIR` are honoured. Paths travel NUL-separated (`-z`) and are decoded with the file
system encoding, so names with spaces, quotes or non-ASCII letters arrive intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from datatenet.errors import DatatenetError

INDEX = "INDEX"  # the staged state
WORKTREE = "WORKTREE"  # the files on disk
SHALLOW_HINT = (
    "fetch the history, e.g. `git fetch --unshallow` or actions/checkout with fetch-depth: 0"
)
LFS_HINT = "the content is in Git LFS, not in git: fetch it with `git lfs pull`"
_REGULAR_MODES = (b"100644", b"100755")
_LFS_PREFIX = b"version https://git-lfs.github.com/spec/"
_LFS_MAX_POINTER = 1024


class GitError(DatatenetError):
    """A git command failed for a reason the user can act on."""


@dataclass(frozen=True)
class Change:
    """One path that differs between two states, as `git diff --name-status` reports it."""

    status: str  # A, D, M, R (renamed, maybe edited), C (copied), T (type changed)
    path: str  # the path in the head state
    old_path: str | None = None  # the path in the base state, for R and C


@dataclass(frozen=True)
class LfsPointer:
    oid: str  # sha256 of the real content
    size: int


def run(root: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run `git ARGS` in `root`; a failure becomes a GitError carrying git's own words."""
    try:
        result = subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=root,
            input=input,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed or not on PATH", "install git, then run the command again"
        ) from None
    if result.returncode != 0:
        said = os.fsdecode(result.stderr).strip().splitlines()
        raise GitError(
            f"`git {' '.join(args[:3])}` failed: {said[-1] if said else 'no message'}",
            "check that the repository is intact, e.g. with `git status`",
        )
    return result.stdout


def _ok(root: Path, *args: str) -> bytes | None:
    """Run a git query whose failure is an answer (None), not an error."""
    try:
        return run(root, *args)
    except GitError:
        return None


def repo_root(start: Path) -> Path:
    """The top of the work tree that contains `start`."""
    out = _ok(start, "rev-parse", "--show-toplevel")
    if out is None:
        raise GitError(
            f"not inside a git repository: {start}",
            "run it inside a repository, or compare two files: `datatenet diff OLD NEW`",
        )
    return Path(os.fsdecode(out.rstrip(b"\n")))


def common_dir(root: Path) -> Path:
    """The git directory shared by all work trees (`.git` of the main one)."""
    out = run(root, "rev-parse", "--path-format=absolute", "--git-common-dir")
    return Path(os.fsdecode(out.rstrip(b"\n")))


def is_shallow(root: Path) -> bool:
    return run(root, "rev-parse", "--is-shallow-repository").strip() == b"true"


def _shallow_commits(root: Path) -> set[str]:
    path = Path(os.fsdecode(run(root, "rev-parse", "--git-path", "shallow").rstrip(b"\n")))
    if not path.is_absolute():
        path = root / path
    try:
        return set(path.read_text().split())
    except OSError:
        return set()


def has_commits(root: Path) -> bool:
    return _ok(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") is not None


def empty_tree(root: Path) -> str:
    """The id of the empty tree (the base of an initial commit), in this repo's hash."""
    return run(root, "hash-object", "-t", "tree", "--stdin", input=b"").decode().strip()


def is_revision(root: Path, text: str) -> bool:
    """Whether `text` names a commit or tree here (never raises)."""
    if text.startswith("-"):
        return False
    for kind in ("commit", "tree"):
        if _ok(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{text}^{{{kind}}}"):
            return True
    return False


def resolve_revision(root: Path, revision: str) -> str:
    """A revision as the user wrote it -> the full commit id (or tree id for a tree)."""
    if revision.startswith("-"):
        raise GitError(f"{revision!r} is not a revision", "name a commit, a branch or a tag")
    for kind in ("commit", "tree"):
        out = _ok(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{{kind}}}"
        )
        if out is not None:
            return out.decode().strip()
    if is_shallow(root):
        raise GitError(
            f"revision {revision!r} is not in this shallow clone (its history was not fetched)",
            SHALLOW_HINT,
        )
    if revision == "HEAD" and not has_commits(root):
        raise GitError("the repository has no commits yet", "compare against --staged instead")
    raise GitError(
        f"unknown revision {revision!r}",
        "name a commit, branch or tag that exists here; see `git log --oneline`",
    )


def first_parent(root: Path, revision: str) -> str:
    """The first parent of a commit (merges too), or the empty tree for an initial commit."""
    commit = resolve_revision(root, revision)
    ids = run(root, "rev-list", "--parents", "-n", "1", commit, "--").decode().split()
    if len(ids) > 1:
        return ids[1]
    if commit in _shallow_commits(root):
        raise GitError(
            f"the parent of {revision!r} is not in this shallow clone (its history was not "
            "fetched)",
            SHALLOW_HINT,
        )
    return empty_tree(root)


def merge_base(root: Path, one: str, other: str) -> str:
    """The best common ancestor of two revisions (PR mode)."""
    a, b = resolve_revision(root, one), resolve_revision(root, other)
    out = _ok(root, "merge-base", a, b)
    if out is None:
        hint = SHALLOW_HINT if is_shallow(root) else "the two revisions share no history"
        raise GitError(f"{one!r} and {other!r} have no merge base here", hint)
    return out.decode().strip()


def parse_range(spec: str) -> tuple[str, str, bool] | None:
    """`A..B` -> (A, B, False); `A...B` -> (A, B, True: diff against the merge base)."""
    for separator, use_merge_base in (("...", True), ("..", False)):
        if separator in spec:
            base, _, head = spec.partition(separator)
            return base or "HEAD", head or "HEAD", use_merge_base
    return None


def _split_z(out: bytes) -> list[str]:
    return [os.fsdecode(part) for part in out.split(b"\0") if part]


def list_revision(root: Path, revision: str) -> dict[str, str]:
    """Every regular file of a revision (commit or tree id) -> its blob id."""
    out = run(root, "ls-tree", "-r", "-z", "--full-tree", revision)
    files: dict[str, str] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        info, _, path = record.partition(b"\t")
        mode, kind, oid = info.split(b" ")
        if kind == b"blob" and mode in _REGULAR_MODES:
            files[os.fsdecode(path)] = oid.decode()
    return files


def list_index(root: Path) -> dict[str, str | None]:
    """Every regular file staged in the index -> its blob id; None for an unmerged path.

    `GIT_INDEX_FILE` from the environment decides which index is read.
    """
    out = run(root, "ls-files", "-s", "-z")
    files: dict[str, str | None] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        info, _, raw_path = record.partition(b"\t")
        mode, oid, stage = info.split(b" ")
        path = os.fsdecode(raw_path)
        if stage != b"0":
            files[path] = None
        elif mode in _REGULAR_MODES:
            files[path] = oid.decode()
    return files


def list_worktree(root: Path) -> dict[str, str | None]:
    """Files in the work tree that git tracks or would track (untracked, not ignored).

    A file identical to its staged version maps to the staged blob id; a modified or
    untracked file maps to None: its content is on disk only.
    """
    files = list_index(root)
    out = run(root, "diff", "--name-status", "-z", "--no-renames", "--ignore-submodules")
    parts = _split_z(out)
    for status, path in zip(parts[::2], parts[1::2], strict=True):
        if status == "D":
            files.pop(path, None)
        else:
            files[path] = None
    for path in _split_z(run(root, "ls-files", "-o", "--exclude-standard", "-z")):
        files[path] = None
    return {path: oid for path, oid in files.items() if oid is not None or (root / path).is_file()}


def object_format(root: Path) -> str:
    out = _ok(root, "rev-parse", "--show-object-format")
    return out.decode().strip() if out else "sha1"


def blob_id(data: bytes, algorithm: str = "sha1") -> str:
    """The id git would give these bytes as a blob (`git hash-object`, without filters)."""
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


_RANK = {INDEX: 1, WORKTREE: 2}


def changed_paths(
    root: Path, base: str, head: str, paths: Iterable[str] = (), *, renames: bool = True
) -> list[Change]:
    """Paths that differ between two states, with renames detected by content (`-M`).

    A state is a commit or tree id (resolve it first; use `first_parent` for what a merge or
    an initial commit changed), INDEX or WORKTREE. Untracked files are not seen.
    """
    reverse = _RANK.get(base, 0) > _RANK.get(head, 0)
    low, high = (head, base) if reverse else (base, head)
    if low == high and low in _RANK:
        return []
    if high == WORKTREE:
        states = [] if low == INDEX else [low]
    elif high == INDEX:
        states = ["--cached", low]
    else:
        states = [low, high]
    args = ["diff", "--name-status", "-z", "--no-ext-diff", "--ignore-submodules"]
    args += ["-M" if renames else "--no-renames"]
    if reverse:
        args.append("-R")
    out = run(root, *args, *states, "--", *paths)
    return _parse_name_status(out)


def _parse_name_status(out: bytes) -> list[Change]:
    parts = _split_z(out)
    changes: list[Change] = []
    index = 0
    while index < len(parts):
        status = parts[index][:1]
        if status in ("R", "C"):
            changes.append(Change(status, parts[index + 2], parts[index + 1]))
            index += 3
        else:
            changes.append(Change("M" if status in ("T", "U") else status, parts[index + 1]))
            index += 2
    return changes


class BlobReader:
    """Reads many blobs through ONE `git cat-file --batch` process, started on first use."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._process: subprocess.Popen[bytes] | None = None
        self.reads = 0

    def read(self, oid: str) -> bytes | None:
        """The blob's bytes, or None when the object is not in the repository."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(oid.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
        except BrokenPipeError:
            header = []
        if len(header) == 2 and header[1] == b"missing":
            return None
        if len(header) != 3:
            self.close()
            raise GitError(
                f"`git cat-file --batch` stopped answering while reading {oid}",
                "check the repository with `git fsck`",
            )
        data = process.stdout.read(int(header[2]))
        process.stdout.read(1)  # the newline after the content
        self.reads += 1
        return data if header[1] == b"blob" else None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            try:
                self._process = subprocess.Popen(
                    ["git", "--no-optional-locks", "cat-file", "--batch"],
                    cwd=self._root,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except FileNotFoundError:
                raise GitError("git is not installed or not on PATH", "install git") from None
        return self._process

    @property
    def started(self) -> bool:
        return self._process is not None

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        process.stdout.close()
        process.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def read_blobs(root: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """Many blobs in one process; ids that are not in the repository are left out."""
    found: dict[str, bytes] = {}
    with BlobReader(root) as reader:
        for oid in oids:
            data = reader.read(oid)
            if data is not None:
                found[oid] = data
    return found


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


def repo_path(root: Path, path: Path, cwd: Path | None = None) -> str:
    """A path the user typed (relative to `cwd`) -> the repository-relative POSIX path."""
    full = Path(os.path.realpath((cwd or Path.cwd()) / path))
    try:
        relative = full.relative_to(os.path.realpath(root))
    except ValueError:
        raise GitError(
            f"{path}: outside the repository {root}", "name a path inside the repository"
        ) from None
    text = relative.as_posix()
    return "" if text == "." else text

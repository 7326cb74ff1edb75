"""Every git command line of datatenet, as thin functions: one process each, output parsed.

Commands run with the repository root as their working directory and inherit the environment,
so `GIT_INDEX_FILE` (set by git for hooks during `commit -a` and `commit <paths>`) and `GIT_DIR`
are honoured; the commands about linked work trees are the exception (`sources/worktrees.py`).
Paths travel NUL-separated (`-z`) and are decoded with the file system encoding, so names with
spaces, quotes or non-ASCII letters arrive intact. Which query runs when, and only once, is
decided by the repository layer (`repo/repository.py`), not here.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from datatenet.errors import DatatenetError

INDEX = "INDEX"  # the staged state
WORKTREE = "WORKTREE"  # the files on disk
SHALLOW_HINT = (
    "fetch the history, e.g. `git fetch --unshallow` or actions/checkout with fetch-depth: 0"
)
_REGULAR_MODES = (b"100644", b"100755")

PathStatus = Literal["A", "D", "M", "R", "C"]


class GitError(DatatenetError):
    """A git command failed for a reason the user can act on."""


class NotARepository(GitError):
    """The command runs outside any git repository (the face words the hint for the command)."""


@dataclass(frozen=True)
class PathChange:
    """One path that differs between two states, as `git diff --name-status` reports it."""

    status: PathStatus  # A, D, M (also a type change), R (renamed, maybe edited), C (copied)
    path: str  # the path in the head state
    old_path: str | None = None  # the path in the base state, for R and C


@dataclass(frozen=True)
class Facts:
    """What one `git rev-parse` says about the repository a directory belongs to."""

    root: Path  # the top of the work tree
    git_dir: Path  # this work tree's git directory
    common_dir: Path  # the git directory shared by all work trees (`.git` of the main one)
    object_format: str  # "sha1" or "sha256"
    shallow: bool
    head: str | None  # HEAD's commit; None before the first commit


@dataclass(frozen=True)
class WorktreeListing:
    """The index and how the work tree differs from it, from one `git ls-files`."""

    index: dict[str, str | None]  # regular files staged -> blob id (None: unmerged)
    changed: frozenset[str]  # tracked paths whose file differs from the index
    deleted: frozenset[str]  # tracked paths whose file is gone
    untracked: tuple[str, ...]  # files git does not track and does not ignore


def run(
    root: Path | None,
    *args: str,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    own_group: bool = False,
) -> bytes:
    """Run `git ARGS` in `root`; a failure becomes a GitError carrying git's own words.
    `own_group`: in a process group of its own, so that Ctrl-C at the terminal reaches only
    datatenet, which lets git finish what must not be left half done (a work tree added)."""
    result = _run(root, args, input, env, own_group)
    if result.returncode != 0:
        said = os.fsdecode(result.stderr).strip().splitlines()
        raise GitError(
            f"`git {' '.join(args[:3])}` failed: {said[-1] if said else 'no message'}",
            "check that the repository is intact, e.g. with `git status`",
        )
    return result.stdout


def _run(
    root: Path | None,
    args: tuple[str, ...],
    input: bytes | None,
    env: Mapping[str, str] | None,
    own_group: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=root,
            input=input,
            capture_output=True,
            check=False,
            env=env,
            process_group=0 if own_group else None,
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed or not on PATH", "install git, then run the command again"
        ) from None


def _split_z(out: bytes) -> list[str]:
    return [os.fsdecode(part) for part in out.split(b"\0") if part]


# -- the repository ---------------------------------------------------------------------------


def facts(start: Path) -> Facts:
    """Root, git directories, hash, shallowness and HEAD of the repository around `start`."""
    result = _run(
        start,
        (
            "rev-parse", "--show-toplevel", "--path-format=absolute", "--git-dir",
            "--git-common-dir", "--show-object-format", "--is-shallow-repository",
            "--verify", "--quiet", "HEAD^{commit}",
        ),
        None,
        None,
    )  # fmt: skip
    lines = os.fsdecode(result.stdout).split("\n")
    # exit 1 with the first five answers: HEAD names no commit yet (an unborn branch)
    if result.returncode not in (0, 1) or len(lines) < 6 or not lines[0]:
        raise not_a_repository(start)
    head = lines[5] if result.returncode == 0 and lines[5] else None
    return Facts(Path(lines[0]), Path(lines[1]), Path(lines[2]), lines[3], lines[4] == "true", head)


def not_a_repository(start: Path, hint: str = "") -> NotARepository:
    return NotARepository(
        f"not inside a git repository: {start}",
        hint or "run it inside a git repository (`git init` creates one)",
    )


def shallow_commits(common: Path) -> set[str]:
    """The commits whose parents a shallow clone lacks (read from `shallow`, no process)."""
    try:
        return set((common / "shallow").read_text().split())
    except OSError:
        return set()


def hooks_path(root: Path) -> Path:
    """Where git runs hooks from: `core.hooksPath` if set, else `.git/hooks`."""
    out = run(root, "rev-parse", "--git-path", "hooks")
    path = Path(os.fsdecode(out.rstrip(b"\n")))
    return path if path.is_absolute() else root / path


def message_settings(root: Path | None) -> dict[str, str]:
    """What shapes a commit message as git writes it (`core.commentChar`,
    `core.commentString`, `commit.cleanup`), lower-cased keys, in one query."""
    result = _run(
        root,
        ("config", "-z", "--get-regexp", r"^(core\.comment(char|string)|commit\.cleanup)$"),
        None,
        None,
    )
    values: dict[str, str] = {}
    if result.returncode == 0:
        for item in _split_z(result.stdout):
            key, _, value = item.partition("\n")
            values[key.lower()] = value  # the last one wins, as for `git config --get`
    return values


def interpret_trailers(root: Path | None, message: str, comment: str = "#") -> list[str]:
    """`Key: value` lines of a message's trailers, as git reads them."""
    setting = ["-c", f"core.commentChar={comment}"] if len(comment) == 1 else []
    parsed = run(root, *setting, "interpret-trailers", "--parse", input=message.encode())
    return parsed.decode(errors="replace").splitlines()


# -- revisions --------------------------------------------------------------------------------


def lookup_revisions(root: Path, names: Iterable[str]) -> dict[str, str | None]:
    """Object ids of many names (`HEAD~1^{commit}`, `v1^{tree}`) in one process; None for a
    name that is no such object. Names go in on stdin: none is read as an option."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    text = "".join(name + "\n" for name in wanted)
    out = run(root, "cat-file", "--batch-check=%(objectname)", input=text.encode())
    found: dict[str, str | None] = {}
    for name, line in zip(wanted, out.decode(errors="replace").splitlines(), strict=False):
        answer = line.strip()
        is_id = answer and " " not in answer and all(c in "0123456789abcdef" for c in answer)
        found[name] = answer if is_id else None
    return found


def parents(root: Path, commit: str) -> list[str]:
    """The parents of a commit, first parent first."""
    return run(root, "rev-list", "--parents", "-n", "1", commit, "--").decode().split()[1:]


def merge_base(root: Path, one: str, other: str) -> str | None:
    """The best common ancestor of two commits, or None when they share no history here."""
    result = _run(root, ("merge-base", one, other), None, None)
    return result.stdout.decode().strip() if result.returncode == 0 else None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """Is `ancestor` reachable from `descendant` (or the same commit)?"""
    result = _run(root, ("merge-base", "--is-ancestor", ancestor, descendant), None, None)
    if result.returncode not in (0, 1):
        raise GitError(
            f"cannot tell whether {ancestor[:10]} is an ancestor of {descendant[:10]}",
            "check that both revisions exist here, e.g. with `git log --oneline`",
        )
    return result.returncode == 0


def in_history(root: Path, *pathspecs: str) -> bool:
    """Did any commit of any ref ever touch one of `pathspecs` (a deleted dataset counts)?"""
    return bool(run(root, "rev-list", "-1", "--all", "--", *pathspecs).strip())


def log(root: Path, revisions: Iterable[str], format: str) -> bytes:
    """`git log` of these revisions, newest first (topological order): `format` for each
    commit, then the paths it changed against its first parent (merges too)."""
    return run(
        root, "log", "-z", "--topo-order", "--name-only", "--no-renames",
        "--diff-merges=first-parent", f"--format={format}", *revisions, "--",
    )  # fmt: skip


# -- listings ---------------------------------------------------------------------------------


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
    files: dict[str, str | None] = {}
    for record in run(root, "ls-files", "-s", "-z").split(b"\0"):
        if record:
            _index_entry(record, files)
    return files


def _index_entry(record: bytes, files: dict[str, str | None]) -> str:
    info, _, raw_path = record.partition(b"\t")
    mode, oid, stage = info.split(b" ")
    path = os.fsdecode(raw_path)
    if stage != b"0":
        files[path] = None
    elif mode in _REGULAR_MODES:
        files[path] = oid.decode()
    return path


def list_worktree(root: Path) -> WorktreeListing:
    """The index, the tracked files changed or deleted on disk, and the untracked files that
    are not ignored: one `git ls-files` (the tags of `-t` say which is which)."""
    out = run(root, "ls-files", "-z", "-t", "-s", "-c", "-m", "-d", "-o", "--exclude-standard")
    index: dict[str, str | None] = {}
    changed: set[str] = set()
    deleted: set[str] = set()
    untracked: list[str] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        tag, rest = record[:1], record[2:]
        if tag == b"?":
            untracked.append(os.fsdecode(rest))
        elif tag == b"C":
            changed.add(os.fsdecode(rest.partition(b"\t")[2]))
        elif tag == b"R":
            deleted.add(os.fsdecode(rest.partition(b"\t")[2]))
        elif tag in (b"H", b"S", b"M"):  # tracked, skip-worktree, unmerged
            _index_entry(rest, index)
    return WorktreeListing(index, frozenset(changed), frozenset(deleted), tuple(untracked))


def staged_paths(root: Path, base: str) -> list[str]:
    """Paths whose staged version differs from `base` (a commit or tree id)."""
    out = run(
        root, "diff", "--cached", "--name-only", "-z", "--no-renames", "--ignore-submodules",
        base, "--",
    )  # fmt: skip
    return _split_z(out)


_RANK = {INDEX: 1, WORKTREE: 2}


def changed_paths(
    root: Path, base: str, head: str, paths: Iterable[str] = (), *, renames: bool = True
) -> list[PathChange]:
    """Paths that differ between two states, with renames detected by content (`-M`).

    A state is a commit or tree id, INDEX or WORKTREE. Untracked files are not seen.
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


def _parse_name_status(out: bytes) -> list[PathChange]:
    parts = _split_z(out)
    changes: list[PathChange] = []
    index = 0
    while index < len(parts):
        status = parts[index][:1]
        if status in ("R", "C"):
            changes.append(PathChange(status, parts[index + 2], parts[index + 1]))  # type: ignore[arg-type]
            index += 3
        else:
            kind: PathStatus = status if status in ("A", "D") else "M"  # type: ignore[assignment]
            changes.append(PathChange(kind, parts[index + 1]))
            index += 2
    return changes


# -- blobs ------------------------------------------------------------------------------------


class BlobReader:
    """Reads many blobs through ONE `git cat-file --batch` process, started on first use (and
    started again if it is used after `close`)."""

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

"""Diff the watched datasets of a repository between two states (like DVC's repo/diff.py).

A state is a revision, INDEX (what is about to be committed) or WORKTREE. Each state is
listed as {dataset path: content address}: git blob ids for files in git, md5s for DVC outputs
(a tracked directory is opened into its shards only where its manifest changed). Only paths
whose address differs are read; a version whose address was parsed before comes from the id
cache, so a second run parses nothing. Renames pair the old path with the new one (git's
rename detection, then equal content). What cannot be read is reported, not raised: DVC or
LFS content missing locally is `unavailable` with the command that fetches it, a file that
does not parse is a `failure` with the parser's message and hint.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from datatenet.config import Settings, glob_match, load_settings
from datatenet.diff import ChangeSet, diff_versions
from datatenet.errors import DatatenetError, InputError
from datatenet.formats.load import LoadOptions, parse_version
from datatenet.formats.schemas import BoundSchema
from datatenet.idcache import IdCache, options_key
from datatenet.samples import Sample
from datatenet.sources import dvc, git
from datatenet.sources.git import INDEX, WORKTREE
from datatenet.version import Version

DATASET_INFO = "dataset_info.json"
_RENAME_PATHSPEC_LIMIT = 500
_EMPTY_TREES = (
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
)


@dataclass(frozen=True)
class State:
    """One side of a diff."""

    spec: str  # as the user named it: "HEAD~1", "INDEX", "WORKTREE"
    kind: str  # "revision", "index" or "worktree"
    commit: str | None = None  # the resolved commit (or tree) id of a revision

    @property
    def ref(self) -> str:
        """What git commands take for this state."""
        return self.commit or (INDEX if self.kind == "index" else WORKTREE)

    @property
    def label(self) -> str:
        if self.kind == "index":
            return "the index (staged)"
        if self.kind == "worktree":
            return "the working tree"
        assert self.commit is not None
        if self.commit in _EMPTY_TREES:
            return f"{self.spec} (no commits yet)" if self.spec == "HEAD" else "the empty tree"
        short = self.commit[:10]
        return self.spec if self.spec == short else f"{self.spec} ({short})"


@dataclass(frozen=True)
class DatasetChange:
    path: str  # the path in head (in base for a deleted dataset)
    old_path: str | None  # the path in base, for a rename
    status: str  # "added", "deleted", "modified" or "renamed"
    storage: str  # "git", "git-lfs" or "dvc"
    changeset: ChangeSet


@dataclass(frozen=True)
class Unavailable:
    path: str
    side: str  # "base" or "head"
    reason: str
    fetch: str | None  # the command that would make it available


@dataclass(frozen=True)
class Failure:
    path: str
    side: str
    message: str
    hint: str

    def error(self) -> DatatenetError:
        return InputError(self.message, self.hint)


@dataclass(frozen=True)
class RepoDiff:
    root: Path
    base: State
    head: State
    changes: tuple[DatasetChange, ...]
    renames: tuple[tuple[str, str], ...]  # (old path, new path), edited or not
    unavailable: tuple[Unavailable, ...]
    failures: tuple[Failure, ...]
    unchanged: int  # datasets compared and found the same (not those behind unchanged pointers)
    parsed: int  # versions parsed in this run
    cached: int  # versions served by the id cache

    @property
    def changesets(self) -> list[ChangeSet]:
        return [change.changeset for change in self.changes]


@dataclass
class _Item:
    """One dataset (or a not yet opened DVC directory) in one state."""

    path: str
    storage: str  # "git" or "dvc"
    address: str | None = None  # None: on disk, hashed when needed
    oid: str | None = None  # git blob to read
    disk: bool = False  # read from the work tree
    out: dvc.DvcOut | None = None
    md5: str | None = None
    containers: tuple[str, ...] = ()
    info: tuple[str | None, str] | None = None  # dataset_info.json beside it: (oid, path)
    problem: Unavailable | Failure | None = None
    directory: bool = False  # a DVC directory, opened into shards only if it changed


def resolve_state(root: Path, spec: str) -> State:
    if spec in (INDEX, WORKTREE):
        return State(spec, spec.lower())
    if spec == "HEAD" and not git.has_commits(root):
        return State(spec, "revision", git.empty_tree(root))  # before the first commit
    return State(spec, "revision", git.resolve_revision(root, spec))


def diff_commit(root: Path, revision: str, paths: Sequence[str] = (), **kwargs: Any) -> RepoDiff:
    """What one commit changed: against its first parent (merges too), or the empty tree."""
    return diff_repository(root, git.first_parent(root, revision), revision, paths, **kwargs)


def diff_repository(
    root: Path,
    base: str,
    head: str,
    paths: Sequence[str] = (),
    *,
    settings: Settings | None = None,
    options: LoadOptions | None = None,
    cache: IdCache | None = None,
    use_cache: bool = True,
    remote: bool = True,
) -> RepoDiff:
    """Diff every watched dataset between `base` and `head` (revisions, INDEX or WORKTREE).

    `paths` (repository-relative, POSIX) restricts the diff to these files or directories,
    or to the datasets of these `.dvc` pointers. Command-line `options` win over the
    configuration's per-path mappings.
    """
    settings = settings if settings is not None else load_settings(root)
    if cache is None and use_cache:
        cache = IdCache.for_repository(root)
    base_state, head_state = resolve_state(root, base), resolve_state(root, head)
    with _Session(root, settings, options or LoadOptions(), cache, remote) as session:
        return session.run(base_state, head_state, tuple(p.strip("/") for p in paths))


@dataclass
class _Pair:
    base: _Item | None
    head: _Item | None
    status: str


@dataclass
class _Session:
    root: Path
    settings: Settings
    options: LoadOptions
    cache: IdCache | None
    remote: bool
    reader: git.BlobReader = field(init=False)
    parsed: int = 0
    cached: int = 0
    _algorithm: str | None = None
    _dvc_cache: Path | None = None
    _common: Path | None = None
    _lfs: set[str] = field(default_factory=set)
    _infos: dict[tuple[str | None, str], dict[str, Any] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reader = git.BlobReader(self.root)

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.close()

    # -- listing ---------------------------------------------------------------------------

    def run(self, base: State, head: State, paths: tuple[str, ...]) -> RepoDiff:
        base_files, head_files = self._files(base), self._files(head)
        unchanged = 0
        if base.kind != "worktree" and head.kind != "worktree":
            # a pointer staged or committed unchanged declares the same outputs: skip it
            for path in [p for p in base_files if dvc.is_pointer(p) or dvc.is_lock(p)]:
                oid = base_files[path]
                if oid is not None and head_files.get(path) == oid:
                    del base_files[path], head_files[path]
        base_items = self._list(base, base_files, paths)
        head_items = self._list(head, head_files, paths)
        unchanged += self._open_directories(base_items, head_items, paths)
        pairs: list[_Pair] = []
        for path in sorted(base_items.keys() | head_items.keys()):
            old, new = base_items.get(path), head_items.get(path)
            if old is not None and new is not None:
                if self._same(old, new):
                    unchanged += 1
                else:
                    pairs.append(_Pair(old, new, "modified"))
            elif old is not None:
                pairs.append(_Pair(old, None, "deleted"))
            elif new is not None:
                pairs.append(_Pair(None, new, "added"))
        pairs = self._pair_renames(base, head, pairs)
        return self._diff_pairs(base, head, pairs, unchanged)

    def _files(self, state: State) -> dict[str, str | None]:
        if state.kind == "revision":
            assert state.commit is not None
            return dict(git.list_revision(self.root, state.commit))
        if state.kind == "index":
            return git.list_index(self.root)
        return git.list_worktree(self.root)

    def _list(
        self, state: State, files: dict[str, str | None], paths: tuple[str, ...]
    ) -> dict[str, _Item]:
        items: dict[str, _Item] = {}
        for path, oid in files.items():
            if dvc.is_pointer(path) or dvc.is_lock(path):
                self._add_outs(state, path, oid, paths, items)
                continue
            name = posixpath.basename(path)
            if name == DATASET_INFO or not self.settings.is_dataset(path):
                continue
            if paths and not _selected(paths, path):
                continue
            item = _Item(path, "git", oid=oid, disk=oid is None and state.kind == "worktree")
            if oid is not None:
                item.address = "git:" + oid
            elif not item.disk:
                item.problem = Failure(
                    path,
                    "",
                    f"{path}: unmerged (a merge conflict is not resolved)",
                    f"resolve the conflict, then `git add {path}`",
                )
            info = posixpath.join(posixpath.dirname(path), DATASET_INFO)
            if info in files:
                item.info = (files[info], info)
            items[path] = item
        return items

    def _read_git(self, state: State, path: str, oid: str | None) -> bytes | None:
        if oid is None:
            if state.kind != "worktree":
                return None
            try:
                return (self.root / path).read_bytes()
            except OSError:
                return None
        return self.reader.read(oid)

    def _add_outs(
        self,
        state: State,
        pointer: str,
        oid: str | None,
        paths: tuple[str, ...],
        items: dict[str, _Item],
    ) -> None:
        data = self._read_git(state, pointer, oid)
        if data is None:
            return
        try:
            parse = dvc.parse_pointer if dvc.is_pointer(pointer) else dvc.parse_lock
            outs = parse(data, pointer)
        except DatatenetError as exc:
            items[pointer] = _Item(
                pointer, "dvc", problem=Failure(pointer, "", exc.message, exc.hint)
            )
            return
        for out in outs:
            if out.path.startswith(("/", "../")) or "://" in out.path:
                continue  # an external output, outside the repository
            if paths and not (
                _selected(paths, out.path, pointer) or any(_below(p, out.path) for p in paths)
            ):
                continue
            on_disk = self.root / out.path
            if out.is_dir:
                if state.kind == "worktree" and on_disk.is_dir():
                    self._walk(out, paths, items)
                else:
                    items[out.path] = _Item(
                        out.path,
                        "dvc",
                        address=_md5_address(out.md5, out.legacy, "dir") if out.md5 else None,
                        out=out,
                        md5=out.md5,
                        containers=(pointer,),
                        directory=True,
                    )
                continue
            if not self.settings.is_dataset(out.path, (pointer,)):
                continue
            item = _Item(out.path, "dvc", out=out, md5=out.md5, containers=(pointer,))
            if state.kind == "worktree" and on_disk.is_file():
                item.disk = True
            elif out.md5:
                item.address = _md5_address(out.md5, out.legacy)
            else:
                item.problem = Unavailable(
                    out.path, "", f"{pointer} records no hash for it", "dvc commit " + pointer
                )
            items[out.path] = item

    def _walk(self, out: dvc.DvcOut, paths: tuple[str, ...], items: dict[str, _Item]) -> None:
        top = self.root / out.path
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in (".git", ".dvc"))
            for name in sorted(names):
                relative = Path(directory, name).relative_to(top).as_posix()
                self._add_shard(out, relative, None, paths, items)

    def _add_shard(
        self,
        out: dvc.DvcOut,
        relpath: str,
        md5: str | None,
        paths: tuple[str, ...],
        items: dict[str, _Item],
    ) -> None:
        path = posixpath.join(out.path, relpath)
        containers = (out.pointer, out.path)
        if not self.settings.is_dataset(path, containers):
            return
        if paths and not _selected(paths, path, *containers):
            return
        item = _Item(path, "dvc", out=out, md5=md5, containers=containers, disk=md5 is None)
        if md5 is not None:
            item.address = _md5_address(md5, out.legacy)
        items[path] = item

    def _open_directories(
        self, base_items: dict[str, _Item], head_items: dict[str, _Item], paths: tuple[str, ...]
    ) -> int:
        """Replace each DVC directory by its shards, unless it is the same on both sides."""
        unchanged = 0
        for path in sorted({p for p, i in (base_items | head_items).items() if i.directory}):
            old, new = base_items.get(path), head_items.get(path)
            if (
                old
                and new
                and old.directory
                and new.directory
                and old.address is not None
                and old.address == new.address
            ):
                del base_items[path], head_items[path]
                unchanged += 1
                continue
            for items in (base_items, head_items):
                item = items.get(path)
                if item is not None and item.directory:
                    self._expand(items.pop(path), paths, items)
            # a side whose manifest cannot be had hides the other side's shards: they are
            # not deleted, their counterpart is unknown
            for items, other in ((base_items, head_items), (head_items, base_items)):
                if path in items and items[path].problem is not None:
                    for inner in [p for p in other if p.startswith(path + "/")]:
                        del other[inner]
        return unchanged

    def _expand(self, item: _Item, paths: tuple[str, ...], items: dict[str, _Item]) -> None:
        out = item.out
        assert out is not None
        manifest = None
        if out.md5:
            data = dvc.read_object(self._dvc_cache_dir(), out.md5, is_dir=True, legacy=out.legacy)
            if data is None and self.remote:
                data = dvc.read_remote(
                    self.root, out.path, None, out.md5, legacy=out.legacy, is_dir=True
                )
            if data is not None:
                try:
                    manifest = dvc.parse_manifest(data, out.path)
                except DatatenetError as exc:
                    item.problem = Failure(out.path, "", exc.message, exc.hint)
                    item.directory = False
                    items[out.path] = item
                    return
        if manifest is None:
            cache = self._dvc_cache_dir()
            reason = (
                f"{out.pointer} records no hash for it"
                if not out.md5
                else f"its directory manifest is not in the local DVC cache ({cache}) nor fetched "
                "from a remote"
            )
            item.problem = Unavailable(out.path, "", reason, out.fetch_command)
            item.directory = False
            items[out.path] = item
            return
        for entry in manifest:
            self._add_shard(out, entry.relpath, entry.md5, paths, items)

    # -- addresses and renames -------------------------------------------------------------

    def _address(self, item: _Item) -> str | None:
        """The content address, hashing a work-tree file when it was not known yet."""
        if item.address is None and item.disk and item.problem is None:
            try:
                data = (self.root / item.path).read_bytes()
            except OSError:
                return None
            if item.storage == "git":
                item.address = "git:" + git.blob_id(data, self._hash_algorithm())
            else:
                item.address = "md5:" + dvc.md5_hex(data)
        return item.address

    def _same(self, old: _Item, new: _Item) -> bool:
        a, b = self._address(old), self._address(new)
        if a is None or b is None:
            return False
        if a == b:
            return True
        # DVC 2 and DVC 3 spell the same md5 differently; equal digits mean equal content
        return a.startswith("md5") and b.startswith("md5") and _digits(a) == _digits(b)

    def _hash_algorithm(self) -> str:
        if self._algorithm is None:
            self._algorithm = git.object_format(self.root)
        return self._algorithm

    def _pair_renames(self, base: State, head: State, pairs: list[_Pair]) -> list[_Pair]:
        deleted = {p.base.path: p for p in pairs if p.status == "deleted" and p.base}
        added = {p.head.path: p for p in pairs if p.status == "added" and p.head}
        if not deleted or not added:
            return pairs
        renamed: list[tuple[str, str]] = []
        git_deleted = [path for path, pair in deleted.items() if _item(pair).storage == "git"]
        git_added = [path for path, pair in added.items() if _item(pair).storage == "git"]
        if git_deleted and git_added:
            specs = [f":(literal){p}" for p in (*git_deleted, *git_added)]
            if len(specs) > _RENAME_PATHSPEC_LIMIT:
                specs = []
            for change in git.changed_paths(self.root, base.ref, head.ref, specs):
                if change.status == "R" and change.old_path in deleted and change.path in added:
                    renamed.append((change.old_path, change.path))
        taken = {old for old, _ in renamed} | {new for _, new in renamed}
        by_address: dict[str, list[str]] = {}
        for path, pair in deleted.items():
            assert pair.base is not None
            address = self._address(pair.base)
            if path not in taken and address is not None:
                by_address.setdefault(_digits(address), []).append(path)
        for path, pair in added.items():
            assert pair.head is not None
            address = self._address(pair.head)
            if path in taken or address is None:
                continue
            candidates = by_address.get(_digits(address))
            if candidates:
                renamed.append((candidates.pop(0), path))
        if not renamed:
            return pairs
        gone = {old for old, _ in renamed} | {new for _, new in renamed}
        kept = [pair for pair in pairs if _item(pair).path not in gone]
        for old, new in renamed:
            kept.append(_Pair(deleted[old].base, added[new].head, "renamed"))
        return sorted(kept, key=_pair_path)

    # -- loading ---------------------------------------------------------------------------

    def _diff_pairs(self, base: State, head: State, pairs: list[_Pair], unchanged: int) -> RepoDiff:
        changes: list[DatasetChange] = []
        unavailable: list[Unavailable] = []
        failures: list[Failure] = []
        for pair in pairs:
            versions: list[Version] = []
            for side, state, item, other in (
                ("base", base, pair.base, pair.head),
                ("head", head, pair.head, pair.base),
            ):
                if item is None:
                    assert other is not None
                    versions.append(_empty(other.path))
                    continue
                loaded = self._version(state, item)
                if isinstance(loaded, Version):
                    versions.append(loaded)
                elif isinstance(loaded, Unavailable):
                    unavailable.append(Unavailable(loaded.path, side, loaded.reason, loaded.fetch))
                else:
                    failures.append(Failure(loaded.path, side, loaded.message, loaded.hint))
            if len(versions) != 2:
                continue
            current = pair.head or pair.base
            assert current is not None
            storage = "git-lfs" if current.path in self._lfs else current.storage
            old_path = pair.base.path if pair.status == "renamed" and pair.base else None
            changes.append(
                DatasetChange(
                    current.path, old_path, pair.status, storage, diff_versions(*versions)
                )
            )
        renames = tuple((c.old_path, c.path) for c in changes if c.old_path is not None)
        return RepoDiff(
            self.root,
            base,
            head,
            tuple(changes),
            renames,
            tuple(unavailable),
            tuple(failures),
            unchanged,
            self.parsed,
            self.cached,
        )

    def _version(self, state: State, item: _Item) -> Version | Unavailable | Failure:
        if item.problem is not None:
            return item.problem
        try:
            options, bound, extra = self._options(state, item)
        except DatatenetError as exc:
            return Failure(item.path, "", exc.message, exc.hint)
        key = options_key(options, extra)
        address = self._address(item)
        if address is not None:
            hit = self._cached(address, key, state, item, options, bound)
            if hit is not None:
                return hit
        fetched = self._fetch(state, item)
        if not isinstance(fetched, tuple):
            return fetched
        data, address = fetched
        if address != item.address:  # content found behind an LFS pointer
            hit = self._cached(address, key, state, item, options, bound)
            if hit is not None:
                return hit
        reread = self._refetch(state, item, address)
        try:
            version = parse_version(data, item.path, options, bound=bound, reread=reread)
        except DatatenetError as exc:
            return Failure(item.path, "", exc.message, exc.hint)
        self.parsed += 1
        if self.cache is not None:
            self.cache.put(address, key, version)
        return version

    def _cached(
        self,
        address: str,
        key: str,
        state: State,
        item: _Item,
        options: LoadOptions,
        bound: BoundSchema | None,
    ) -> Version | None:
        if self.cache is None:
            return None
        found = self.cache.get(address, key)
        if found is None:
            return None
        self.cached += 1
        fetch = self._refetch(state, item, address)
        loaded: list[Version] = []

        def load_samples(indices: list[int]) -> list[Sample]:
            """Re-reads and re-parses the content, once, when a report wants samples."""
            if not loaded:
                data = fetch()
                loaded.append(parse_version(data, item.path, options, bound=bound, reread=fetch))
            return loaded[0].samples(indices)

        return found.version(item.path, load_samples)

    def _refetch(self, state: State, item: _Item, address: str) -> Callable[[], bytes]:
        """Fetches the bytes again later (in a new git process), checking they did not change."""
        root, settings, options, remote = self.root, self.settings, self.options, self.remote
        again = replace(item, address=None if item.disk else item.address)

        def fetch() -> bytes:
            with _Session(root, settings, options, None, remote) as session:
                fetched = session._fetch(state, again)
            if not isinstance(fetched, tuple) or fetched[1] != address:
                raise InputError(
                    f"{item.path}: its content at {state.label} can no longer be read",
                    "run the command again",
                )
            return fetched[0]

        return fetch

    def _fetch(self, state: State, item: _Item) -> tuple[bytes, str] | Unavailable:
        if item.storage == "git":
            return self._fetch_git(state, item)
        return self._fetch_dvc(state, item)

    def _fetch_git(self, state: State, item: _Item) -> tuple[bytes, str] | Unavailable:
        data = self._read_git(state, item.path, None if item.disk else item.oid)
        if data is None:
            return Unavailable(
                item.path, "", f"blob {item.oid} is not in this repository", "git fetch"
            )
        address = item.address or "git:" + git.blob_id(data, self._hash_algorithm())
        pointer = git.parse_lfs_pointer(data)
        if pointer is None:
            return data, address
        lfs_address = "lfs:" + pointer.oid
        self._lfs.add(item.path)
        if state.kind == "worktree" and not item.disk:
            try:
                smudged = (self.root / item.path).read_bytes()
            except OSError:
                smudged = b""
            if smudged and git.parse_lfs_pointer(smudged) is None:
                return smudged, lfs_address
        if self._common is None:
            self._common = git.common_dir(self.root)
        stored = git.lfs_object(self._common, pointer)
        if stored is not None:
            try:
                return stored.read_bytes(), lfs_address
            except OSError:
                pass
        return Unavailable(
            item.path,
            "",
            "stored in Git LFS: the content is not in git, only a pointer to it",
            git.lfs_fetch_command(item.path),
        )

    def _fetch_dvc(self, state: State, item: _Item) -> tuple[bytes, str] | Unavailable:
        out = item.out
        assert out is not None
        if item.disk:
            try:
                data = (self.root / item.path).read_bytes()
            except OSError:
                data = None
            if data is not None:
                return data, item.address or "md5:" + dvc.md5_hex(data)
        md5 = item.md5
        if md5 is None:
            return Unavailable(item.path, "", f"{out.pointer} records no hash for it", None)
        address = item.address or _md5_address(md5, out.legacy)
        data = dvc.read_object(self._dvc_cache_dir(), md5, legacy=out.legacy)
        if data is None and self.remote:
            revision = state.commit if state.kind == "revision" else None
            data = dvc.read_remote(self.root, item.path, revision, md5, legacy=out.legacy)
        if data is None:
            return Unavailable(
                item.path,
                "",
                f"not in the local DVC cache ({self._dvc_cache_dir()}) nor fetched from a remote",
                out.fetch_command,
            )
        return data, address

    def _dvc_cache_dir(self) -> Path:
        if self._dvc_cache is None:
            self._dvc_cache = dvc.cache_dir(self.root)
        return self._dvc_cache

    def _options(
        self, state: State, item: _Item
    ) -> tuple[LoadOptions, BoundSchema | None, dict[str, Any] | None]:
        from datatenet.formats import dataset_info

        options = self.settings.load_options(item.path, self.options, item.containers)
        if options.schema is not None or options.mapping or item.info is None:
            return options, None, None
        entry = self._info_entry(state, item.info, posixpath.basename(item.path))
        if entry is None:
            return options, None, None
        return options, dataset_info.bound_schema(entry), entry

    def _info_entry(
        self, state: State, info: tuple[str | None, str], name: str
    ) -> dict[str, Any] | None:
        if info not in self._infos:
            oid, path = info
            data = self._read_git(state, path, oid)
            document: Any = None
            if data is not None:
                try:
                    document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
                except orjson.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}: unreadable dataset_info.json ({exc})",
                        "fix the file, or move it away so that schemas are detected from the data",
                    ) from None
            self._infos[info] = document if isinstance(document, dict) else None
        document = self._infos[info]
        for entry in (document or {}).values():
            if isinstance(entry, dict) and entry.get("file_name") == name:
                return entry
        return None


def _empty(label: str) -> Version:
    return Version(label, "none", "empty", "line")


def _md5_address(md5: str, legacy: bool, kind: str = "") -> str:
    return f"md5{'-d2u' if legacy else ''}{'-' + kind if kind else ''}:{md5}"


def _digits(address: str) -> str:
    """The hash of an address without its kind, for equal-content rename pairing."""
    kind, _, digits = address.partition(":")
    return digits if kind.startswith("md5") else address


def _item(pair: _Pair) -> _Item:
    item = pair.head or pair.base
    assert item is not None
    return item


def _pair_path(pair: _Pair) -> str:
    return _item(pair).path


def _selected(paths: Iterable[str], *candidates: str) -> bool:
    """Does a user-given path (a file, a directory or a glob) name one of the candidates?"""
    for given in paths:
        for candidate in candidates:
            if not given or candidate == given or candidate.startswith(given + "/"):
                return True
            if any(c in given for c in "*?[") and glob_match(given, candidate):
                return True
    return False


def _below(given: str, directory: str) -> bool:
    """Is the user-given path inside `directory` (so part of a DVC-tracked directory)?"""
    return given.startswith(directory + "/")

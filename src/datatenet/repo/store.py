"""The version store: any dataset path at any state, read and parsed once, through the id cache.

A dataset's content comes from a git blob (one `git cat-file --batch` process for the whole
command), a file in the work tree, the Git LFS store behind a pointer, or the DVC cache (then
the DVC remote). A version whose content address (blob id, md5, LFS oid) was parsed before comes
from the id cache (`idcache.py`): its sample ids without its bytes, the samples themselves read
again only when a report shows them. What cannot be read is reported, not raised: content
missing locally is `Unavailable` with the command that fetches it; a file that does not parse is
a `Failure` with the parser's message and hint.
"""

from __future__ import annotations

import posixpath
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from datatenet.errors import DatatenetError, InputError
from datatenet.formats.load import LoadOptions, parse_version
from datatenet.idcache import CachedVersion, IdCache, options_key
from datatenet.progress import STATUS_DELAY_S, shared
from datatenet.repo.tree import Failure, Item, Lister, Problem, Unavailable, md5_address
from datatenet.sources import dvc, git, lfs, objects

if TYPE_CHECKING:
    from datatenet.config import Settings
    from datatenet.formats.schemas import BoundSchema
    from datatenet.repo.revisions import State
    from datatenet.samples import Sample
    from datatenet.version import Version

# Versions kept in memory besides the id cache: neighbouring commits of a history share them
# (the head of one is the base of the next), so a handful is enough.
_RECENT = 16


class VersionStore:
    """Reads and parses the versions of one repository for one command."""

    def __init__(
        self,
        facts: git.Facts,
        settings: Settings,
        files: Callable[[State], Mapping[str, str | None]],
        cache: IdCache | None,
        remote: bool = True,
    ) -> None:
        self.root = facts.root
        self.settings = settings
        self.cache = cache
        self.remote = remote
        self.parsed = 0  # versions parsed
        self.cached = 0  # versions served by the id cache
        self.lfs: set[str] = set()  # paths whose content sat behind an LFS pointer
        self.lister = Lister(self.root, settings, self.read_file, self.manifest)
        self._facts = facts
        self._files = files
        self._reader = git.BlobReader(self.root)
        self._dvc_cache: Path | None = None
        self._infos: dict[tuple[str | None, str], dict[str, Any] | None] = {}
        self._recent: OrderedDict[tuple[str, str], CachedVersion] = OrderedDict()
        self._closed = False

    def close(self) -> None:
        """End the `git cat-file` process; samples read later come through a process of
        their own."""
        self._closed = True
        self._reader.close()

    # -- the public door -------------------------------------------------------------------

    def version(
        self, state: State, path: str, options: LoadOptions | None = None
    ) -> Version | Unavailable | Failure | None:
        """The version of the file at `path` (repository-relative) in `state`, dataset or not
        (an eval file, say); None when the state has no such file."""
        items = self.lister.items(state, self._files(state), (path,), any_file=True)
        self.lister.open_directories(items, {}, (path,), any_file=True)
        item = items.get(path)
        return None if item is None else self.load(state, item, options or LoadOptions())

    def datasets(self, state: State, paths: Sequence[str] = ()) -> dict[str, Item]:
        """The watched datasets of `state` (under `paths`, when given), DVC-tracked directories
        opened into their files; each with its content address, or the problem that hides it."""
        items = self.lister.items(state, self._files(state), paths)
        self.lister.open_directories(items, {}, paths)
        return items

    def content(self, state: State, item: Item) -> bytes | Unavailable | Failure:
        """The bytes of a dataset of `state` (one of `datasets`), wherever they are stored."""
        if item.problem is not None:
            return _at_state(item.problem, item, state)
        fetched = self._fetch(state, item)
        return fetched[0] if isinstance(fetched, tuple) else fetched

    # -- loading ---------------------------------------------------------------------------

    def load(self, state: State, item: Item, options: LoadOptions) -> Version | Problem:
        if item.problem is not None:
            return _at_state(item.problem, item, state)
        try:
            chosen, bound, extra = self._options(state, item, options)
        except DatatenetError as exc:
            return Failure(item.path, "", exc.message, exc.hint)
        key = options_key(chosen, extra)
        address = self.address(item)
        if address is not None:
            hit = self._cached(address, key, state, item, chosen, bound)
            if hit is not None:
                return hit
        fetched = self._fetch(state, item)
        if not isinstance(fetched, tuple):
            return fetched
        data, address = fetched
        if address != item.address:  # content found behind an LFS pointer
            hit = self._cached(address, key, state, item, chosen, bound)
            if hit is not None:
                return hit
        reread = self._refetch(state, item, address)
        try:
            with shared().status(f"parsing {item.path} at {state.label}", delay=STATUS_DELAY_S):
                version = parse_version(data, item.path, chosen, bound=bound, reread=reread)
        except DatatenetError as exc:
            return Failure(item.path, "", exc.message, exc.hint)
        self.parsed += 1
        self._remember(address, key, version)
        return version

    def address(self, item: Item) -> str | None:
        """The content address, hashing a work-tree file when it was not known yet."""
        if item.address is None and item.disk and item.problem is None:
            try:
                data = (self.root / item.path).read_bytes()
            except OSError:
                return None
            if item.storage == "git":
                item.address = "git:" + objects.blob_id(data, self._facts.object_format)
            else:
                item.address = "md5:" + dvc.md5_hex(data)
        return item.address

    def _remember(self, address: str, key: str, version: Version) -> None:
        self._recent[(address, key)] = CachedVersion(
            version.file_format,
            version.schema,
            version.position_kind,
            version.entries,
            version.invalid,
            version.unmapped,
        )
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)
        if self.cache is not None:
            self.cache.put(address, key, version)

    def _lookup(self, address: str, key: str) -> CachedVersion | None:
        found = self._recent.get((address, key))
        if found is not None:
            self._recent.move_to_end((address, key))
            return found
        if self.cache is None:
            return None
        found = self.cache.get(address, key)
        if found is not None:
            self._recent[(address, key)] = found
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return found

    def _cached(
        self,
        address: str,
        key: str,
        state: State,
        item: Item,
        options: LoadOptions,
        bound: BoundSchema | None,
    ) -> Version | None:
        found = self._lookup(address, key)
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

    def _refetch(self, state: State, item: Item, address: str) -> Callable[[], bytes]:
        """Fetches the bytes again later, checking they did not change."""
        again = replace(item, address=None if item.disk else item.address)

        def fetch() -> bytes:
            fetched = self._fetch(state, again)
            if not isinstance(fetched, tuple) or fetched[1] != address:
                raise InputError(
                    f"{item.path}: its content at {state.label} can no longer be read",
                    "run the command again",
                )
            return fetched[0]

        return fetch

    # -- fetching bytes --------------------------------------------------------------------

    def read_file(self, state: State, path: str, oid: str | None) -> bytes | None:
        """A file of a state: its blob, or (work tree, no blob id) the file on disk."""
        if oid is None:
            if state.kind != "worktree":
                return None
            try:
                return (self.root / path).read_bytes()
            except OSError:
                return None
        if self._closed:
            return git.read_blobs(self.root, [oid]).get(oid)
        return self._reader.read(oid)

    def _fetch(self, state: State, item: Item) -> tuple[bytes, str] | Unavailable:
        if item.storage == "git":
            return self._fetch_git(state, item)
        return self._fetch_dvc(state, item)

    def _fetch_git(self, state: State, item: Item) -> tuple[bytes, str] | Unavailable:
        data = self.read_file(state, item.path, None if item.disk else item.oid)
        if data is None:
            return Unavailable(
                item.path, "", f"blob {item.oid} is not in this repository", "git fetch"
            )
        address = item.address or "git:" + objects.blob_id(data, self._facts.object_format)
        pointer = lfs.parse_lfs_pointer(data)
        if pointer is None:
            return data, address
        lfs_address = "lfs:" + pointer.oid
        self.lfs.add(item.path)
        if state.kind == "worktree" and not item.disk:
            try:
                smudged = (self.root / item.path).read_bytes()
            except OSError:
                smudged = b""
            if smudged and lfs.parse_lfs_pointer(smudged) is None:
                return smudged, lfs_address
        stored = lfs.lfs_object(self._facts.common_dir, pointer)
        if stored is not None:
            try:
                return stored.read_bytes(), lfs_address
            except OSError:
                pass
        return Unavailable(
            item.path,
            "",
            "stored in Git LFS: the content is not in git, only a pointer to it",
            lfs.lfs_fetch_command(item.path),
        )

    def _fetch_dvc(self, state: State, item: Item) -> tuple[bytes, str] | Unavailable:
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
        address = item.address or md5_address(md5, out.legacy)
        data = dvc.read_object(self.dvc_cache(), md5, legacy=out.legacy)
        if data is None and self.remote:
            revision = state.commit if state.kind == "revision" else None
            data = dvc.read_remote(self.root, item.path, revision, md5, legacy=out.legacy)
        if data is None:
            return Unavailable(
                item.path,
                "",
                f"not in the local DVC cache ({self.dvc_cache()}) nor fetched from a remote",
                fetch_command(out, state),
            )
        return data, address

    def manifest(self, out: dvc.DvcOut) -> list[dvc.ManifestEntry] | Problem:
        """The files of a DVC-tracked directory (its `.dir` object), or why it cannot be had."""
        if out.md5:
            data = dvc.read_object(self.dvc_cache(), out.md5, is_dir=True, legacy=out.legacy)
            if data is None and self.remote:
                data = dvc.read_remote(
                    self.root, out.path, None, out.md5, legacy=out.legacy, is_dir=True
                )
            if data is not None:
                try:
                    return dvc.parse_manifest(data, out.path)
                except DatatenetError as exc:
                    return Failure(out.path, "", exc.message, exc.hint)
        reason = (
            f"{out.pointer} records no hash for it"
            if not out.md5
            else f"its directory manifest is not in the local DVC cache ({self.dvc_cache()}) "
            "nor fetched from a remote"
        )
        return Unavailable(out.path, "", reason, out.fetch_command)

    def dvc_cache(self) -> Path:
        if self._dvc_cache is None:
            self._dvc_cache = dvc.cache_dir(self.root)
        return self._dvc_cache

    # -- parse options ---------------------------------------------------------------------

    def _options(
        self, state: State, item: Item, options: LoadOptions
    ) -> tuple[LoadOptions, BoundSchema | None, dict[str, Any] | None]:
        from datatenet.formats import dataset_info

        chosen = self.settings.load_options(item.path, options, item.containers)
        if chosen.schema is not None or chosen.mapping or item.info is None:
            return chosen, None, None
        entry = self._info_entry(state, item.info, posixpath.basename(item.path))
        if entry is None:
            return chosen, None, None
        return chosen, dataset_info.bound_schema(entry), entry

    def _info_entry(
        self, state: State, info: tuple[str | None, str], name: str
    ) -> dict[str, Any] | None:
        if info not in self._infos:
            oid, path = info
            data = self.read_file(state, path, oid)
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


def fetch_command(out: dvc.DvcOut, state: State) -> str:
    """The command that makes an output's object of `state` available: a commit's through
    `dvc fetch`, the index's or the work tree's (the workspace pointer) through `dvc pull`."""
    return out.fetch_committed_command if state.kind == "revision" else out.fetch_command


def _at_state(problem: Problem, item: Item, state: State) -> Problem:
    """A problem found while listing, with the fetch command of the state it was found in."""
    if isinstance(problem, Unavailable) and item.out and problem.fetch == item.out.fetch_command:
        return replace(problem, fetch=fetch_command(item.out, state))
    return problem

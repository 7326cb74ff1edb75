"""DVC without DVC: pointer files and dvc.lock -> objects in the local cache.

`.dvc` pointers and `dvc.lock` are small YAML files that name each output by its md5; the
content sits in the DVC cache (DVC 3: `.dvc/cache/files/md5/ab/cdef…`, DVC 2:
`.dvc/cache/ab/cdef…`). A tracked directory is a `.dir` object: a JSON list of
{md5, relpath}, one per file, so a diff can pick the shards that changed. DVC itself is
imported only to fetch an object the local cache lacks, and only when a remote is configured.
"""

from __future__ import annotations

import hashlib
import posixpath
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datatenet.errors import DatatenetError

LOCK_FILE = "dvc.lock"
POINTER_SUFFIX = ".dvc"
DIR_SUFFIX = ".dir"


@dataclass(frozen=True)
class DvcOut:
    """One output a pointer or dvc.lock declares."""

    path: str  # repository-relative POSIX path of the data file or directory
    md5: str | None  # without the `.dir` suffix; None when DVC has not hashed it yet
    is_dir: bool
    legacy: bool  # hashed by DVC 2 (text files with CRLF hashed as LF; other cache layout)
    pointer: str  # the .dvc file or dvc.lock that declares it

    @property
    def target(self) -> str:
        """What DVC's commands take for this output: its pointer, or the output of dvc.lock."""
        return self.pointer if self.pointer.endswith(POINTER_SUFFIX) else self.path

    @property
    def fetch_command(self) -> str:
        """Fetches the object the workspace pointer names, and checks it out."""
        return f"dvc pull {shlex.quote(self.target)}"

    @property
    def fetch_committed_command(self) -> str:
        """Fetches the object a commit's pointer names. `dvc fetch` takes no revision (DVC
        3.x); `--all-commits` fetches the output at every commit, that one included."""
        return f"dvc fetch --all-commits {shlex.quote(self.target)}"


@dataclass(frozen=True)
class ManifestEntry:
    relpath: str
    md5: str


def is_pointer(path: str) -> bool:
    """A `.dvc` pointer file (not DVC's own `.dvc/` directory or what lies in it)."""
    name = posixpath.basename(path)
    return name.endswith(POINTER_SUFFIX) and name != POINTER_SUFFIX and not _in_dvc_dir(path)


def is_lock(path: str) -> bool:
    return posixpath.basename(path) == LOCK_FILE and not _in_dvc_dir(path)


def _in_dvc_dir(path: str) -> bool:
    return path.startswith(".dvc/") or "/.dvc/" in path


def _load_yaml(data: bytes, where: str) -> Any:
    import yaml  # only where a pointer is read: a hook with no data change never needs it

    try:
        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise DatatenetError(
            f"{where}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})",
            f"restore it with `git checkout -- {shlex.quote(where)}`, or re-create it with "
            "`dvc add`",
        ) from None


def _bad(where: str, what: str) -> DatatenetError:
    return DatatenetError(
        f"{where}: {what}", "re-create it with `dvc add` (or `dvc commit`), then stage it again"
    )


def parse_pointer(data: bytes, pointer: str) -> list[DvcOut]:
    """The outputs of a `.dvc` file; their paths are relative to the pointer's directory."""
    document = _load_yaml(data, pointer)
    if not isinstance(document, dict) or not isinstance(document.get("outs", []), list):
        raise _bad(pointer, "not a DVC pointer file (expected a mapping with an `outs` list)")
    base = posixpath.dirname(pointer)
    return [_out(item, base, pointer) for item in document.get("outs") or []]


def parse_lock(data: bytes, lock: str) -> list[DvcOut]:
    """The outputs recorded for every stage of a `dvc.lock` (paths relative to its directory)."""
    document = _load_yaml(data, lock)
    if not isinstance(document, dict):
        raise _bad(lock, "not a dvc.lock file (expected a mapping)")
    stages = document.get("stages", document)  # schema 1.0 had the stages at the top
    if not isinstance(stages, dict):
        raise _bad(lock, "`stages` is not a mapping")
    base = posixpath.dirname(lock)
    outs: list[DvcOut] = []
    for stage in stages.values():
        if isinstance(stage, dict) and isinstance(stage.get("outs"), list):
            outs.extend(_out(item, base, lock) for item in stage["outs"])
    return outs


def _out(item: Any, base: str, where: str) -> DvcOut:
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise _bad(where, "an entry of `outs` has no `path`")
    raw_path: str = item["path"]
    if raw_path.startswith("/") or "://" in raw_path:
        path = raw_path  # an external output: outside the repository, never read here
    else:
        path = posixpath.normpath(posixpath.join(base, raw_path))
    md5 = item.get("md5")
    if md5 is not None and not isinstance(md5, str):
        raise _bad(where, f"the md5 of {raw_path} is not a string")
    is_dir = bool(md5 and md5.endswith(DIR_SUFFIX))
    if md5 and is_dir:
        md5 = md5[: -len(DIR_SUFFIX)]
    legacy = item.get("hash") != "md5"
    return DvcOut(path, md5 or None, is_dir, legacy, where)


def read_config(root: Path) -> dict[str, dict[str, str]]:
    """`.dvc/config` overlaid with `.dvc/config.local`, as {section: {key: value}}.

    DVC writes these in configobj's INI dialect; this small reader understands what matters
    here (sections, `key = value`) and ignores the rest.
    """
    config: dict[str, dict[str, str]] = {}
    for name in ("config", "config.local"):
        try:
            text = (root / ".dvc" / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        section: dict[str, str] = config.setdefault("", {})
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                title = line[1:-1].strip().strip("'\"")
                section = config.setdefault(title, {})
            elif "=" in line:
                key, _, value = line.partition("=")
                section[key.strip()] = value.strip().strip("'\"")
    return config


def cache_dir(root: Path) -> Path:
    """The local DVC cache: `[cache] dir` of the config (relative to `.dvc/`), else `.dvc/cache`."""
    configured = read_config(root).get("cache", {}).get("dir")
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else (root / ".dvc" / path).resolve()
    return root / ".dvc" / "cache"


def has_remote(root: Path) -> bool:
    config = read_config(root)
    return bool(config.get("core", {}).get("remote")) or any(
        title.startswith("remote ") for title in config
    )


def object_path(
    cache: Path, md5: str, *, is_dir: bool = False, legacy: bool = False
) -> Path | None:
    """Where the object with this md5 sits in the cache (either layout), or None."""
    name = md5[2:] + (DIR_SUFFIX if is_dir else "")
    layouts = [cache / "files" / "md5" / md5[:2] / name, cache / md5[:2] / name]
    if legacy:
        layouts.reverse()
    for path in layouts:
        if path.is_file():
            return path
    return None


def read_object(
    cache: Path, md5: str, *, is_dir: bool = False, legacy: bool = False
) -> bytes | None:
    path = object_path(cache, md5, is_dir=is_dir, legacy=legacy)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def parse_manifest(data: bytes, where: str) -> list[ManifestEntry]:
    """A `.dir` object: the files of a tracked directory with their md5s."""
    import orjson

    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, list):
        raise DatatenetError(
            f"{where}: the directory manifest in the DVC cache is damaged",
            "re-create it with `dvc add`, or fetch it again with `dvc pull`",
        )
    entries: list[ManifestEntry] = []
    for item in document:
        if isinstance(item, dict) and isinstance(item.get("relpath"), str):
            md5 = item.get("md5")
            if isinstance(md5, str):
                entries.append(ManifestEntry(item["relpath"], md5))
    return entries


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def matches(data: bytes, md5: str, *, legacy: bool = False) -> bool:
    """True when `data` is the content DVC hashed to `md5` (DVC 2 hashed text as LF)."""
    if md5_hex(data) == md5:
        return True
    return legacy and md5_hex(data.replace(b"\r\n", b"\n")) == md5


def read_remote(
    root: Path,
    path: str,
    revision: str | None,
    md5: str,
    *,
    legacy: bool = False,
    is_dir: bool = False,
) -> bytes | None:
    """Fetch one object from the DVC remote; None when that is not possible (never raises).

    First by its md5 from the default remote of the workspace configuration (works for any
    state: a revision, the index, a shard of a directory), then through `dvc.api.open` at
    `revision` (a commit id, or None for the workspace pointer). The bytes are checked
    against the md5, so nothing but the expected content is ever returned.
    """
    if not has_remote(root):
        return None
    data = _read_remote_object(root, md5 + (DIR_SUFFIX if is_dir else ""), legacy)
    if data is None and not is_dir:
        data = _read_through_api(root, path, revision)
    return data if data is not None and matches(data, md5, legacy=legacy) else None


def _read_remote_object(root: Path, oid: str, legacy: bool) -> bytes | None:
    try:
        from dvc.repo import Repo

        with Repo(str(root)) as repo:
            odb = repo.cloud.get_remote_odb(None, hash_name="md5-dos2unix" if legacy else "md5")
            with odb.fs.open(odb.oid_to_path(oid), mode="rb") as handle:
                data: bytes = handle.read()
                return data
    except Exception:  # DVC raises many kinds; any of them means "not available"
        return None


def _read_through_api(root: Path, path: str, revision: str | None) -> bytes | None:
    try:
        import dvc.api

        with dvc.api.open(path, repo=str(root), rev=revision, mode="rb") as handle:
            data: bytes = handle.read()
            return data
    except Exception:  # as above
        return None


def checkout(worktree: Path, cache: Path, hidden: tuple[str, ...] = ()) -> None:
    """`dvc checkout` in a linked work tree from the user's cache, writing neither to the cache
    nor to any configuration file: files are copied (or reflinked), never hard- or symlinked,
    so nothing written in the work tree can reach the cache, and DVC's state database goes into
    the work tree. Outputs whose objects are missing are left out (the caller reports them).
    `hidden`: environment variables DVC's git must not see while it runs in this process."""
    if not (worktree / ".dvc").is_dir():
        return
    import os
    import warnings

    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    config = {
        "cache": {"dir": str(cache), "type": "reflink,copy"},
        "core": {"site_cache_dir": str(worktree / ".dvc" / "tmp" / "site"), "analytics": False},
    }
    saved = {name: os.environ.pop(name) for name in hidden if name in os.environ}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # DVC's own, not the user's
            with Repo(str(worktree), config=config) as repo:
                repo.checkout(allow_missing=True, force=True)
    except DvcException:
        pass
    finally:
        os.environ.update(saved)

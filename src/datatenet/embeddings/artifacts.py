"""Models derived once from the configured model (its ONNX export, its distilled static model),
kept under the user's cache directory and keyed by the model they come from.

A derived model lives in `~/.cache/datatenet/models/<kind>-<name>-<key>/`. The key hashes the
model's canonical name, the recipe (`settings`) and a fingerprint of the model's files (sizes,
small files in full, the head of large ones), so a changed or upgraded model gets a new artifact
and never a stale one. A directory is built under a temporary name and renamed into place when
complete: a build interrupted half-way leaves nothing a later run would trust, and two processes
building at once each finish and one of the two results is kept.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import xxhash

from datatenet.embeddings.cache import user_cache_directory
from datatenet.embeddings.st import canonical_model_name, hub_cache, resolve_model

MODELS_DIR = "models"
_SMALL_FILE = 1 << 20  # hashed in full below this size; larger files: size and first MiB
_SKIPPED = frozenset({".gitattributes", "README.md"})


def artifacts_directory() -> Path:
    return user_cache_directory() / MODELS_DIR


def model_files(model: str) -> Path | None:
    """The local directory holding the model's files: the packaged model, a local path, or the
    newest snapshot in the Hugging Face cache; None when none is found."""
    target = Path(resolve_model(model)).expanduser()
    if target.is_dir():
        return target
    name = canonical_model_name(model)
    snapshots = hub_cache() / f"models--{name.replace('/', '--')}" / "snapshots"
    if snapshots.is_dir():
        found = sorted(snapshots.iterdir(), key=lambda path: path.stat().st_mtime)
        if found:
            return found[-1]
    return None


def fingerprint(model: str) -> str:
    """A hash of the model's name and files: equal for the same weights, tokenizer and config."""
    digest = xxhash.xxh3_128()
    digest.update(canonical_model_name(model).encode())
    directory = model_files(model)
    if directory is not None:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            if path.name in _SKIPPED:
                continue
            size = path.stat().st_size
            digest.update(f"\0{path.relative_to(directory).as_posix()}\0{size}\0".encode())
            with path.open("rb") as handle:
                digest.update(handle.read(_SMALL_FILE))
    return digest.hexdigest()


def artifact_path(kind: str, model: str, settings: str, root: Path | None = None) -> Path:
    """Where the artifact `kind` (e.g. "onnx") of `model` made with `settings` is kept."""
    base = canonical_model_name(model).rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", base)[:60] or "model"
    key = xxhash.xxh3_64_hexdigest(f"{fingerprint(model)}|{settings}".encode())
    return (root if root is not None else artifacts_directory()) / f"{kind}-{slug}-{key}"


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A fresh directory to build `target` in; renamed to `target` when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield scratch
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # not a concurrent build that finished first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

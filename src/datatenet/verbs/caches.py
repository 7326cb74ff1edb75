"""`cache info` and `cache clear`: the caches under the git directory (outside a repository,
the user's cache, which `scan` fills). Safe to clear: everything is rebuilt as it is needed."""

from __future__ import annotations

from pathlib import Path

from datatenet.idcache import CacheStats, clear, stats

# Subdirectories of the cache root (<git common dir>/datatenet, or the user's), as the modules
# owning them name them.
CACHES = (
    ("ids", "sample ids"),
    ("minhash", "MinHash signatures"),
    ("embeddings", "embeddings"),
    ("findings", "findings of commits"),
)


def cache_info(root: Path) -> list[tuple[str, CacheStats]]:
    """What each cache under `root` holds: (what it is, its size)."""
    return [(what, stats(root / directory)) for directory, what in CACHES]


def cache_clear(root: Path) -> list[tuple[str, CacheStats]]:
    """Delete the caches under `root`; returns what each held."""
    return [(what, clear(root / directory)) for directory, what in CACHES]

"""`cache info` and `cache clear`: the caches under the git directory. Safe to clear: everything
is rebuilt as it is needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datatenet.idcache import CacheStats, clear, stats

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo

# Subdirectories of <git common dir>/datatenet, as the modules owning them name them.
CACHES = (
    ("ids", "sample ids"),
    ("minhash", "MinHash signatures"),
    ("embeddings", "embeddings"),
    ("findings", "findings of commits"),
)


def cache_info(repo: Repo) -> list[tuple[str, CacheStats]]:
    """What each cache holds: (what it is, its size)."""
    return [(what, stats(repo.cache_root / directory)) for directory, what in CACHES]


def cache_clear(repo: Repo) -> list[tuple[str, CacheStats]]:
    """Delete the caches; returns what each held."""
    return [(what, clear(repo.cache_root / directory)) for directory, what in CACHES]

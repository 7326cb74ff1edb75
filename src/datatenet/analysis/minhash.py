"""MinHash for the near tier: signatures of shingle sets, banded for locality-sensitive
hashing, and the candidate pairs that share a band (analysis/duplicates.py verifies them)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from datatenet.analysis.normalize import DEFAULT_SHINGLE_SIZE, ShingleSets, segment_ranks


@dataclass(frozen=True)
class NearSettings:
    """How the near tier shingles and hashes. The defaults are measured in
    bench/near_bench.py: 100 permutations in 20 bands of 5 rows make a pair of Jaccard 0.8 a
    candidate with probability 1 - (1 - 0.8**5)**20 = 0.9996 (0.99999 at 0.85), and a pair of
    unrelated samples sharing a long system prompt (Jaccard 0.36 in a real tool-calling
    dataset) one time in 80; 4 rows would make it one time in 3, and 8 rows would miss 5% of
    the pairs at 0.8. Every candidate is verified, so the score is never an estimate."""

    shingle_size: int = DEFAULT_SHINGLE_SIZE
    permutations: int = 100
    bands: int = 20
    seed: int = 1

    def __post_init__(self) -> None:
        if self.shingle_size < 1 or self.bands < 1 or self.permutations % self.bands:
            raise ValueError("shingle size >= 1, and permutations a multiple of bands")

    @property
    def rows(self) -> int:
        return self.permutations // self.bands

    def key(self) -> str:
        """Everything a cached signature depends on."""
        return f"shingle={self.shingle_size},perm={self.permutations},seed={self.seed},v=1"


DEFAULT_SETTINGS = NearSettings()


EMPTY = np.iinfo(np.uint32).max  # the signature of a text without a token: all ones


def permutations(settings: NearSettings) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the hash functions h(x) = (a * x + b) >> 32 mod 2**64 (a odd): the
    multiply-add-shift family, universal for the high bits, computed in wrapping uint64."""
    rng = np.random.default_rng(settings.seed)
    high = np.iinfo(np.uint64).max
    a = rng.integers(1, high, size=settings.permutations, dtype=np.uint64, endpoint=True)
    b = rng.integers(0, high, size=settings.permutations, dtype=np.uint64, endpoint=True)
    return a | np.uint64(1), b


_CHUNK = 1 << 22  # shingle x permutation values computed at once (32 MB)


def minhash(sets: ShingleSets, settings: NearSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """MinHash signatures (uint32, one row per set; all ones for an empty set).

    Computed as a (permutations x shingles) block per chunk of texts, reduced along the
    shingles with `np.minimum.reduceat`: this layout runs several times faster than the
    transposed one. The minimum is taken over the 64-bit values and shifted after, which gives
    the same result as shifting first (the shift is monotonic) at a fraction of the cost."""
    a, b = permutations(settings)
    sizes = sets.sizes()
    out = np.full((len(sets), settings.permutations), EMPTY, dtype=np.uint32)
    filled = np.flatnonzero(sizes > 0)
    per_chunk = max(1, _CHUNK // settings.permutations)
    ends = np.cumsum(sizes[filled])
    start = 0
    while start < len(filled):
        base = ends[start] - sizes[filled[start]]
        stop = max(start + 1, int(np.searchsorted(ends, base + per_chunk, side="right")))
        chosen = filled[start:stop]
        lo, hi = int(sets.offsets[chosen[0]]), int(sets.offsets[chosen[-1] + 1])
        block = a[:, None] * sets.hashes[None, lo:hi]
        block += b[:, None]
        least = np.minimum.reduceat(block, sets.offsets[chosen] - lo, axis=1)
        least >>= np.uint64(32)
        out[chosen] = least.T
        start = stop
    return out


_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def candidates(
    signatures: np.ndarray, usable: np.ndarray, existing_groups: int, settings: NearSettings
) -> np.ndarray:
    """Pairs (query, other) of rows of `signatures` that share a band, as an (n, 2) array of
    group numbers, the later group first (`usable` names the group of each row, ascending).

    A query row is a group first met among the new samples; it is paired with every row
    before it in its bucket (a stable sort keeps rows in order, existing ones first), so pairs
    of two existing samples, which nobody asked about, are never made."""
    rows = settings.rows
    count = len(usable)
    is_query = usable >= existing_groups
    found: list[np.ndarray] = []
    positions = np.arange(count, dtype=np.int64)
    for band in range(settings.bands):
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = block[:, 0].copy()
        for column in range(1, rows):
            key *= _BAND_MULTIPLIER
            key ^= block[:, column]
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        opens = np.ones(count, dtype=bool)
        opens[1:] = ordered[1:] != ordered[:-1]
        run_start = np.maximum.accumulate(np.where(opens, positions, 0))
        earlier = np.where(is_query[order], positions - run_start, 0)
        if not earlier.any():
            continue
        left = np.repeat(order, earlier)
        right = order[np.repeat(run_start, earlier) + segment_ranks(earlier)]
        found.append(left * count + right)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    pairs: np.ndarray = usable[np.stack((codes // count, codes % count), axis=1)]
    return pairs


def prefilter(
    pairs: np.ndarray, signatures: np.ndarray, threshold: float, settings: NearSettings
) -> np.ndarray:
    """Drop the candidates whose MinHash estimate is far below the threshold (more than five
    standard deviations of the estimate), so that a bucket shared by many samples that merely
    look alike (a common system prompt) costs a vector compare, not a set intersection each."""
    if len(pairs) == 0:
        return pairs
    margin = 5 * math.sqrt(0.25 / settings.permutations)
    kept: list[np.ndarray] = []
    step = max(1, (1 << 22) // settings.permutations)
    for start in range(0, len(pairs), step):
        chunk = pairs[start : start + step]
        agree = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(axis=1)
        kept.append(chunk[agree >= threshold - margin])
    return np.concatenate(kept)

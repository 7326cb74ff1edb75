"""The exact and near duplicate tiers: new samples against the existing ones and among themselves.

*Exact*: equal after `normalize` (NFKC, case, whitespace, punctuation) of the prompt, the answer
and, for preference data, the rejected answer; with the same label, for KTO data.

*Near*: MinHash signatures of the shingle sets (see `normalize.shingle_sets`), banded for
locality-sensitive hashing; every candidate pair is verified by the real Jaccard similarity of the
two shingle sets, so a finding's score is exact, never an estimate. Vectorised with numpy over
all texts at once: tokenising, hashing, MinHash and banding do no Python work per token.

No transitive chaining: every new sample gets at most one finding per tier, naming its best match,
an existing sample when there is one, otherwise an earlier new sample (in a scan, the later sample
of a pair is the `sample` and the earlier one the `matched`). A sample found to be an exact
duplicate gets no near finding as well: its exact twin carries its near relations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding, FindingKind
from datatenet.analysis.minhash_cache import SignatureCache
from datatenet.analysis.normalize import (
    DEFAULT_SHINGLE_SIZE,
    ShingleSets,
    normalize_many,
    segment_ranks,
    shingle_sets,
    system_token,
    unspaced_share,
)

EXACT_KIND: FindingKind = "exact-duplicate"
NEAR_KIND: FindingKind = "near-duplicate"


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


def exact_duplicates(corpus: Corpus, *, cache_dir: Path | None = None) -> list[Finding]:
    """New samples equal to an existing one (or to an earlier new one) after normalisation."""
    return _exact(_Texts.of(corpus, _cache(cache_dir, DEFAULT_SETTINGS)))


def near_duplicates(
    corpus: Corpus,
    threshold: float = 0.8,
    *,
    settings: NearSettings = DEFAULT_SETTINGS,
    cache_dir: Path | None = None,
) -> list[Finding]:
    """New samples whose shingle sets have Jaccard >= `threshold` with an existing sample (or an
    earlier new one), verified; samples that are exact duplicates are left to the exact tier.

    `cache_dir` (see `minhash_cache.cache_directory`) keeps text hashes and signatures across
    runs, so that the existing samples of a change cost a lookup."""
    cache = _cache(cache_dir, settings)
    return _near(_Texts.of(corpus, cache), threshold, settings, cache)


def duplicates(
    corpus: Corpus,
    threshold: float = 0.8,
    *,
    settings: NearSettings = DEFAULT_SETTINGS,
    cache_dir: Path | None = None,
) -> list[Finding]:
    """Both tiers, normalising every text once: exact findings, then near findings."""
    cache = _cache(cache_dir, settings)
    texts = _Texts.of(corpus, cache)
    return _exact(texts) + _near(texts, threshold, settings, cache)


def _cache(directory: Path | None, settings: NearSettings) -> SignatureCache | None:
    if directory is None:
        return None
    return SignatureCache(directory, settings.key(), settings.permutations)


# -- the corpus as normalised texts ------------------------------------------------------------


def _text_key(text: str, label: bool | None) -> bytes:
    """What the exact tier compares: the normalised text, and the label of a KTO sample (the
    same answer marked good and bad is a conflict, not a duplicate)."""
    if label is not None:
        text = f"{text}\x00{label}"
    return xxhash.xxh3_128_digest(text.encode("utf-8", "surrogatepass"))


@dataclass
class _Texts:
    """Existing then new items, and their distinct normalised texts ("groups").

    Groups are numbered in order of first appearance, existing items first, so every group
    below `existing_groups` holds an existing item and the others are first met among the new
    ones, in the order of the new items. A group is known by the 128-bit hash of its text; the
    text itself is computed only when needed (a cached sample needs none)."""

    items: tuple[Item, ...]  # existing, then new
    existing: int  # how many of items are existing
    keys: list[bytes]  # per group: hash of the normalised text
    group: list[int]  # per item
    existing_groups: int
    first: list[int]  # per group: its first item (an existing one when it has one)
    counts: list[int]  # per group: how many items hold it
    texts: dict[int, str]  # per group, where computed
    cached: dict[int, np.ndarray]  # per group: a cached signature
    missed: list[int]  # items the cache did not know

    @classmethod
    def of(cls, corpus: Corpus, cache: SignatureCache | None = None) -> _Texts:
        items = corpus.existing + corpus.new
        hits = [None if cache is None else cache.get(item.sample_id) for item in items]
        missed = [position for position, hit in enumerate(hits) if hit is None]
        computed = dict(zip(missed, _normalized(items[p] for p in missed), strict=True))
        index: dict[bytes, int] = {}
        keys: list[bytes] = []
        group: list[int] = []
        first: list[int] = []
        counts: list[int] = []
        texts: dict[int, str] = {}
        cached: dict[int, np.ndarray] = {}
        existing_groups = 0
        for position, hit in enumerate(hits):
            if position == len(corpus.existing):
                existing_groups = len(keys)
            text = computed.get(position)
            if text is not None:
                key = _text_key(text, items[position].label)
            else:
                key = hit[0] if hit is not None else b""
            number = index.get(key)
            if number is None:
                number = index[key] = len(keys)
                keys.append(key)
                first.append(position)
                counts.append(0)
            counts[number] += 1
            group.append(number)
            if text is not None:
                texts.setdefault(number, text)
            elif hit is not None and number not in cached:
                cached[number] = hit[1]
        if not corpus.new:
            existing_groups = len(keys)
        return cls(
            items,
            len(corpus.existing),
            keys,
            group,
            existing_groups,
            first,
            counts,
            texts,
            cached,
            missed,
        )

    @property
    def new(self) -> range:
        return range(self.existing, len(self.items))

    def text(self, number: int) -> str:
        found = self.texts.get(number)
        if found is None:
            found = self.texts[number] = _normalized([self.items[self.first[number]]])[0]
        return found


def _normalized(items: Iterable[Item]) -> list[str]:
    """The normalised text of every item (its parts joined by newlines), in one batch."""
    sizes: list[int] = []
    parts: list[str] = []
    for item in items:
        own = [system_token(item.system), item.prompt, item.response]
        if item.rejected is not None:
            own.append(item.rejected)
        parts += own
        sizes.append(len(own))
    done = normalize_many(parts)
    out, at = [], 0
    for size in sizes:
        out.append("\n".join(done[at : at + size]))
        at += size
    return out


def _exact(texts: _Texts) -> list[Finding]:
    findings = []
    for position in texts.new:
        number = texts.group[position]
        earlier = texts.first[number]
        if earlier == position:
            continue  # the first of its text: nothing to repeat
        item, matched = texts.items[position], texts.items[earlier]
        copies = texts.counts[number]
        if item.sample_id == matched.sample_id:
            how = f"identical to {_where(matched)}"
        else:
            how = (
                f"same text as {_where(matched)} after normalising case, whitespace and punctuation"
            )
        findings.append(
            Finding.pair(
                kind=EXACT_KIND,
                tier="exact",
                severity="error",
                score=1.0,
                sample=item.ref(),
                matched=matched.ref(),
                explanation=f"{how}: the signal is counted {_times(copies)}",
                copies=copies,
            )
        )
    return findings


def _times(copies: int) -> str:
    return "twice" if copies == 2 else f"{copies} times"


def _where(item: Item) -> str:
    return item.origin or f"sample {item.sample_id[:12]}"


# -- near tier ---------------------------------------------------------------------------------

_EMPTY = np.iinfo(np.uint32).max  # the signature of a text without a token: all ones


def _near(
    texts: _Texts, threshold: float, settings: NearSettings, cache: SignatureCache | None
) -> list[Finding]:
    if not 0 < threshold <= 1:
        raise ValueError("the near-duplicate threshold must be in (0, 1]")
    if texts.existing_groups == len(texts.keys):
        return []  # every new sample repeats an existing text: the exact tier has them all
    signatures, computed = _group_signatures(texts, settings)
    if cache is not None and texts.missed:
        _store(texts, signatures, cache)
    usable = np.flatnonzero(~np.all(signatures == _EMPTY, axis=1))  # no token, no near copy
    if not np.any(usable >= texts.existing_groups):
        return []
    pairs = _candidates(signatures[usable], usable, texts.existing_groups, settings)
    pairs = _prefilter(pairs, signatures, threshold, settings)
    return _best_matches(texts, pairs, threshold, settings, computed)


@dataclass(frozen=True)
class _Shingled:
    sets: ShingleSets
    rows: dict[int, int]  # group -> its row in sets


def _group_signatures(texts: _Texts, settings: NearSettings) -> tuple[np.ndarray, _Shingled]:
    """The signature of every group, from the cache or computed; and the shingles computed,
    so that verification need not shingle them again."""
    signatures = np.empty((len(texts.keys), settings.permutations), dtype=np.uint32)
    for number, row in texts.cached.items():
        signatures[number] = row
    todo = [number for number in range(len(texts.keys)) if number not in texts.cached]
    sets = shingle_sets([texts.text(n) for n in todo], settings.shingle_size)
    if todo:
        signatures[todo] = minhash(sets, settings)
    return signatures, _Shingled(sets, {number: row for row, number in enumerate(todo)})


def _store(texts: _Texts, signatures: np.ndarray, cache: SignatureCache) -> None:
    seen: set[str] = set()
    ids: list[str] = []
    rows: list[int] = []
    for position in texts.missed:
        sample_id = texts.items[position].sample_id
        if sample_id not in seen:
            seen.add(sample_id)
            ids.append(sample_id)
            rows.append(texts.group[position])
    cache.save(ids, [texts.keys[g] for g in rows], signatures[rows])


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
    out = np.full((len(sets), settings.permutations), _EMPTY, dtype=np.uint32)
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


def _candidates(
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


def _prefilter(
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


def _best_matches(
    texts: _Texts,
    pairs: np.ndarray,
    threshold: float,
    settings: NearSettings,
    computed: _Shingled,
) -> list[Finding]:
    involved = np.unique(pairs).tolist()
    members = {g: computed.sets.set_of(computed.rows[g]) for g in involved if g in computed.rows}
    missing = [g for g in involved if g not in members]
    sets = shingle_sets([texts.text(g) for g in missing], settings.shingle_size)
    members.update((group, sets.set_of(i)) for i, group in enumerate(missing))
    labels = {group: texts.items[texts.first[group]].label for group in involved}
    best: dict[int, tuple[bool, float, int]] = {}  # query -> (other existing, jaccard, -other)
    for query, other in pairs.tolist():
        if other > query:
            query, other = other, query  # of two new samples, the later one asks
        if labels[query] != labels[other]:
            continue  # the same answer marked good and bad: the conflicts check's business
        one, two = members[query], members[other]
        shared = len(one & two)
        jaccard = shared / (len(one) + len(two) - shared)
        if jaccard < threshold:
            continue
        rank = (other < texts.existing_groups, jaccard, -other)
        if query not in best or rank > best[query]:
            best[query] = rank
    findings = []
    for query in sorted(best, key=lambda g: texts.first[g]):
        _, jaccard, negative = best[query]
        item, matched = texts.items[texts.first[query]], texts.items[texts.first[-negative]]
        findings.append(
            Finding.pair(
                kind=NEAR_KIND,
                tier="near",
                severity="warning",
                score=jaccard,
                sample=item.ref(),
                matched=matched.ref(),
                explanation=(
                    f"near copy of {_where(matched)} (Jaccard {jaccard:.2f} of their"
                    f" {_shingle_name(texts.text(query), settings.shingle_size)}): the signal"
                    " is counted twice"
                ),
                scores={"jaccard": jaccard},
            )
        )
    return findings


def _shingle_name(text: str, size: int) -> str:
    """What a shingle is, for the explanation, by the scripts of the text."""
    share = unspaced_share(text)
    unit = "character" if share >= 0.5 else "word and character" if share > 0.05 else "word"
    if size == 1:
        return f"{unit}s"
    return f"{unit} pairs" if size == 2 else f"{unit} runs of {size}"

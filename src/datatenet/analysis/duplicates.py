"""The exact and near duplicate tiers: new samples against the existing ones and among themselves.

*Exact*: equal after `normalize` (NFKC, case, whitespace, punctuation, spacing around symbols)
of the prompt, the answer and, for preference data, the rejected answer; with the same label, for
KTO data.

*Near*: MinHash signatures of the shingle sets (see `normalize.shingle_sets`), banded for
locality-sensitive hashing (analysis/minhash.py); every candidate pair is verified by the real
Jaccard similarity of the two shingle sets, so a finding's score is exact, never an estimate.
Vectorised with numpy over all texts at once: tokenising, hashing, MinHash and banding do no
Python work per token.

No transitive chaining: every new sample gets at most one finding per tier, naming its best match,
an existing sample when there is one, otherwise an earlier new sample (in a scan, the later sample
of a pair is the `sample` and the earlier one the `matched`). A sample found to be an exact
duplicate gets no near finding as well: its exact twin carries its near relations.
(`lexical_tiers` gives the pair analysis every verified pair instead: analysis/pair_verdicts.py
judges each and keeps the best verdict.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding, FindingKind
from datatenet.analysis.minhash import (
    DEFAULT_SETTINGS,
    EMPTY,
    NearSettings,
    candidates,
    minhash,
    prefilter,
)
from datatenet.analysis.minhash_cache import SignatureCache
from datatenet.analysis.normalize import (
    ShingleSets,
    normalize_many,
    shingle_sets,
    system_token,
    unspaced_share,
)

EXACT_KIND: FindingKind = "exact-duplicate"
NEAR_KIND: FindingKind = "near-duplicate"


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


@dataclass(frozen=True)
class NearPair:
    """A verified near pair: positions in existing + new (`Corpus.everyone`), the later first."""

    position: int
    other: int
    jaccard: float
    finding: Finding


@dataclass(frozen=True)
class LexicalTiers:
    exact: list[tuple[int, Finding]]  # (position, finding) of each new sample repeating a text
    near: list[NearPair]  # every verified pair, not only each sample's best
    groups: list[int]  # per position in existing + new: equal numbers, equal normalised texts


def lexical_tiers(
    corpus: Corpus,
    threshold: float = 0.8,
    *,
    near: bool = True,
    settings: NearSettings = DEFAULT_SETTINGS,
    cache_dir: Path | None = None,
) -> LexicalTiers:
    """What the pair analysis needs of the lexical tiers, normalising every text once."""
    cache = _cache(cache_dir, settings)
    texts = _Texts.of(corpus, cache)
    pairs = _near_pairs(texts, threshold, settings, cache) if near else []
    found = [
        NearPair(texts.first[q], texts.first[o], j, _near_finding(texts, q, o, j, settings))
        for q, o, j in pairs
    ]
    return LexicalTiers(_exact_pairs(texts), found, texts.group)


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
    return [finding for _, finding in _exact_pairs(texts)]


def _exact_pairs(texts: _Texts) -> list[tuple[int, Finding]]:
    """Each new sample that repeats an earlier text, with its position in existing + new."""
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
        finding = Finding.pair(
            kind=EXACT_KIND,
            tier="exact",
            severity="error",
            score=1.0,
            sample=item.ref(),
            matched=matched.ref(),
            explanation=f"{how}: the signal is counted {_times(copies)}",
            copies=copies,
        )
        findings.append((position, finding))
    return findings


def _times(copies: int) -> str:
    return "twice" if copies == 2 else f"{copies} times"


def _where(item: Item) -> str:
    return item.origin or f"sample {item.sample_id[:12]}"


# -- near tier ---------------------------------------------------------------------------------


def _near(
    texts: _Texts, threshold: float, settings: NearSettings, cache: SignatureCache | None
) -> list[Finding]:
    """Each new sample's best near match: an existing sample first, then the closest."""
    best: dict[int, tuple[bool, float, int]] = {}  # query -> (other existing, jaccard, -other)
    for query, other, jaccard in _near_pairs(texts, threshold, settings, cache):
        rank = (other < texts.existing_groups, jaccard, -other)
        if query not in best or rank > best[query]:
            best[query] = rank
    return [
        _near_finding(texts, query, -best[query][2], best[query][1], settings)
        for query in sorted(best, key=lambda g: texts.first[g])
    ]


def _near_pairs(
    texts: _Texts, threshold: float, settings: NearSettings, cache: SignatureCache | None
) -> list[tuple[int, int, float]]:
    """Every (query group, other group, Jaccard) at or above the threshold, verified."""
    if not 0 < threshold <= 1:
        raise ValueError("the near-duplicate threshold must be in (0, 1]")
    if texts.existing_groups == len(texts.keys):
        return []  # every new sample repeats an existing text: the exact tier has them all
    signatures, computed = _group_signatures(texts, settings)
    if cache is not None and texts.missed:
        _store(texts, signatures, cache)
    usable = np.flatnonzero(~np.all(signatures == EMPTY, axis=1))  # no token, no near copy
    if not np.any(usable >= texts.existing_groups):
        return []
    pairs = candidates(signatures[usable], usable, texts.existing_groups, settings)
    pairs = prefilter(pairs, signatures, threshold, settings)
    return _verified(texts, pairs, threshold, settings, computed)


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


def _verified(
    texts: _Texts,
    pairs: np.ndarray,
    threshold: float,
    settings: NearSettings,
    computed: _Shingled,
) -> list[tuple[int, int, float]]:
    involved = np.unique(pairs).tolist()
    members = {g: computed.sets.set_of(computed.rows[g]) for g in involved if g in computed.rows}
    missing = [g for g in involved if g not in members]
    sets = shingle_sets([texts.text(g) for g in missing], settings.shingle_size)
    members.update((group, sets.set_of(i)) for i, group in enumerate(missing))
    labels = {group: texts.items[texts.first[group]].label for group in involved}
    found = []
    for query, other in pairs.tolist():
        if other > query:
            query, other = other, query  # of two new samples, the later one asks
        if labels[query] != labels[other]:
            continue  # the same answer marked good and bad: the conflicts check's business
        one, two = members[query], members[other]
        shared = len(one & two)
        jaccard = shared / (len(one) + len(two) - shared)
        if jaccard >= threshold:
            found.append((query, other, jaccard))
    return found


def _near_finding(
    texts: _Texts, query: int, other: int, jaccard: float, settings: NearSettings
) -> Finding:
    item, matched = texts.items[texts.first[query]], texts.items[texts.first[other]]
    return Finding.pair(
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


def _shingle_name(text: str, size: int) -> str:
    """What a shingle is, for the explanation, by the scripts of the text."""
    share = unspaced_share(text)
    unit = "character" if share >= 0.5 else "word and character" if share > 0.05 else "word"
    if size == 1:
        return f"{unit}s"
    return f"{unit} pairs" if size == 2 else f"{unit} runs of {size}"

"""[DUP] benchmark: the near-duplicate tier against datasketch `MinHashLSH`.

Same planted set as tests/test_duplicates.py (200 near copies of real samples, a few words
changed, among 1,000 distinct samples of the LLaMA-Factory Alpaca demos, 700 English and 300
Chinese, plus 200 distinct new samples that must not be flagged), same shingles (word and
character pairs of the normalised text, `normalize.shingles`), same threshold (Jaccard 0.8),
same verification (every candidate pair checked by the real Jaccard of the shingle sets) and the
same rule (each new sample is matched with the existing samples and the earlier new ones).
Timed:

  - datatenet: `near_duplicates` end to end, from the samples' text to verified pairs
    (normalising, shingling, numpy MinHash with 100 permutations, 20 bands of 5 rows, and
    verification are all inside its timer);
  - datasketch doing its own work only: `MinHash.bulk`, `MinHashLSH` insertion and queries,
    and the verification of its candidates by real Jaccard. The shingles it needs are made by
    this bench beforehand, outside its timer (the bench's Python shingling is timed apart and
    belongs to neither tool), so datasketch is timed on less work than datatenet. Three
    configurations: `MinHashLSH(threshold=0.8, num_perm=128)` (it picks 9 bands of 13 rows)
    with its default hash (SHA-1); the same with xxhash's xxh32; and xxh32 with our band layout
    (`num_perm=100, params=(20, 5)`), which isolates the speed of the implementation from the
    choice of bands.

Then a commit adding 200 samples (100 near copies, 100 distinct) to a 20,000-sample base built
from the same real texts (prompts and answers of different samples paired up): datatenet
without cache and with its signature cache warm, and datasketch indexing the base and querying
the 200. Last, the choice of the shingle size: recall at two edit densities and findings among
unrelated samples of templated real datasets, for shingles of 1 to 4 tokens.

Cross-checks (exit 1 when they fail): with the same band layout (20x5) datasketch finds exactly
the pairs datatenet finds, and at least 90 of them; with its own layout, a subset of them
(leaving out, as datatenet does, samples whose normalised text repeats another one: those are
exact duplicates, reported by the exact tier).
Every time is the median (min-max) of --repeat interleaved runs.

Usage: python bench/near_bench.py [--repeat 5] [--base 20000]
Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import xxhash
from datasketch import MinHash, MinHashLSH

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import plants  # noqa: E402

from datatenet.analysis.corpus import Corpus, Item  # noqa: E402
from datatenet.analysis.duplicates import NearSettings, exact_duplicates, near_duplicates  # noqa: E402
from datatenet.analysis.normalize import normalized_parts, shingles  # noqa: E402
from spread import cross_check, interleaved, ratio  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
LLAMA = SHARED / "llama_factory"
THRESHOLD = 0.8


def planted_set(seed: int = 1, count: int = 200) -> plants.Planted:
    english = plants.distinct_items(LLAMA / "alpaca_en_demo.json")
    chinese = plants.distinct_items(LLAMA / "alpaca_zh_demo.json")
    base = english[:700] + chinese[:300]
    extra = english[700:800] + chinese[300:400]
    return plants.plant_near(base, count, seed, scan=False, extra=extra)


def score(found: set[tuple[str, str]], planted: plants.Planted) -> tuple[float, float]:
    """(recall, precision) of (sample origin, matched origin) pairs against the plants."""
    correct = sum(1 for pair in found if pair in planted.pairs)
    recall = sum(1 for pair in planted.pairs if pair in found) / len(planted.pairs)
    return recall, correct / len(found) if found else 1.0


def findable(planted: plants.Planted) -> int:
    """How many plants really are near copies by the definition (brute-force Jaccard)."""
    by_origin = {i.origin: i for i in (*planted.corpus.existing, *planted.corpus.new)}
    count = 0
    for plant, source in planted.pairs:
        one, two = (by_origin[o] for o in (plant, source))
        a = set(shingles(normalized_parts(one.prompt, one.response, one.rejected)))
        b = set(shingles(normalized_parts(two.prompt, two.response, two.rejected)))
        count += len(a & b) / len(a | b) >= THRESHOLD
    return count


def ours(corpus: Corpus, cache_dir: Path | None = None) -> set[tuple[str, str]]:
    findings = near_duplicates(corpus, THRESHOLD, cache_dir=cache_dir)
    return {(f.sample.origin, f.matched.origin) for f in findings}


@dataclass(frozen=True)
class Shingled:
    """What datasketch is given: every item's shingles, as a set (for verification) and as
    bytes (for hashing). Made by the bench, outside datasketch's timer."""

    items: tuple[Item, ...]
    existing: int
    sets: tuple[set[str], ...]
    encoded: tuple[list[bytes], ...]


def shingled(corpus: Corpus) -> Shingled:
    items = (*corpus.existing, *corpus.new)
    texts = [normalized_parts(i.prompt, i.response, i.rejected, i.system) for i in items]
    sets = tuple(set(shingles(t)) for t in texts)
    return Shingled(items, len(corpus.existing), sets, tuple([x.encode() for x in s] for s in sets))


def with_datasketch(
    data: Shingled,
    hashfunc: Callable[[bytes], int] | None = None,
    bands: tuple[int, int] | None = None,
) -> set[tuple[str, str]]:
    """The same job with datasketch: index the existing samples, then for each new sample in
    order query, verify the candidates by real Jaccard, keep the best, and index it."""
    permutations = 128 if bands is None else bands[0] * bands[1]
    kwargs: dict[str, object] = {"num_perm": permutations}
    if hashfunc is not None:
        kwargs["hashfunc"] = hashfunc
    signatures = MinHash.bulk(data.encoded, **kwargs)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=permutations, params=bands)
    sets, existing = data.sets, data.existing
    with lsh.insertion_session() as session:
        for number in range(existing):
            if sets[number]:
                session.insert(number, signatures[number])
    found = set()
    for number in range(existing, len(data.items)):
        if not sets[number]:
            continue
        best: tuple[bool, float, int] | None = None
        for other in lsh.query(signatures[number]):
            shared = len(sets[number] & sets[other])
            jaccard = shared / (len(sets[number]) + len(sets[other]) - shared)
            rank = (other < existing, jaccard, -other)
            if jaccard >= THRESHOLD and (best is None or rank > best):
                best = rank
        if best is not None:
            found.add((data.items[number].origin, data.items[-best[2]].origin))
        lsh.insert(number, signatures[number])
    return found


SKETCHES: Sequence[tuple[str, Callable[[Shingled], set[tuple[str, str]]]]] = (
    ("datasketch (sha1, its 9x13 bands)", with_datasketch),
    ("datasketch (xxh32, its 9x13 bands)", lambda d: with_datasketch(d, xxhash.xxh32_intdigest)),
    (
        "datasketch (xxh32, our 20x5 bands)",
        lambda d: with_datasketch(d, xxhash.xxh32_intdigest, (20, 5)),
    ),
)
SAME_BANDS = SKETCHES[-1][0]


def compare(
    corpus: Corpus,
    planted: plants.Planted,
    rounds: int,
    ours_runs: dict[str, Callable[[], set[tuple[str, str]]]],
) -> None:
    """Time our runs and the datasketch configurations, interleaved; print each with its
    recall and precision and the speed-up of our first run; cross-check the pairs."""
    start = time.perf_counter()
    data = shingled(corpus)
    took = time.perf_counter() - start
    print(f"  the bench's Python shingling for datasketch (outside every timer): {took:.2f} s")
    actions = dict(ours_runs)
    actions.update({name: lambda run=run: run(data) for name, run in SKETCHES})
    times, found = interleaved(actions, rounds)
    # datatenet leaves a sample whose normalised text repeats another one to its exact tier
    exact = {f.sample.origin for f in exact_duplicates(corpus)}
    found = {name: {p for p in pairs if p[0] not in exact} for name, pairs in found.items()}
    plants_left = {pair for pair in planted.pairs if pair[0] not in exact}
    first = next(iter(ours_runs))
    print(f"  ({len(planted.pairs) - len(plants_left)} plants are exact copies: not counted)")
    for name in actions:
        recall = len(found[name] & plants_left) / len(plants_left)
        others = len(found[name] - plants_left)
        print(
            f"  {name:36s} {times[name].ms():>26s}  recall {recall:.3f}  "
            f"(+{others} other verified pairs)"
        )
        if name not in ours_runs:
            print(f"  {'':36s} speed-up of {first}: {ratio(times[name], times[first]).times()}")
    reference = found[first]
    cross_check(
        found[SAME_BANDS] == reference and len(reference) >= 90,
        f"datasketch with the same 20x5 bands finds the same {len(reference)} pairs",
        sorted(found[SAME_BANDS] ^ reference),
    )
    for name, _ in SKETCHES[:-1]:
        cross_check(
            found[name] <= reference,
            f"every pair {name} finds, datatenet finds ({len(found[name])}/{len(reference)})",
            sorted(found[name] - reference),
        )


def big_base(size: int, seed: int = 7) -> list[Item]:
    """`size` distinct samples of real text: the prompt of one real sample with the answer of
    another, from every English and Chinese demo file."""
    pool: list[Item] = []
    for name in (
        "alpaca_en_demo.json",
        "alpaca_zh_demo.json",
        "dpo_en_demo.json",
        "dpo_zh_demo.json",
        "kto_en_demo.json",
    ):
        pool.extend(plants.distinct_items(LLAMA / name))
    pool.extend(plants.distinct_items(SHARED / "medicalgpt" / "sharegpt_zh_1K_format.jsonl"))
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < size:
        first, second = rng.choice(pool), rng.choice(pool)
        if (first.origin, second.origin) in seen:
            continue
        seen.add((first.origin, second.origin))
        origin = f"base:{len(out)}"
        digest = xxhash.xxh3_128_hexdigest(f"{first.origin}\0{second.origin}".encode())
        out.append(
            replace(
                first,
                sample_id=digest,
                prompt_id=digest,
                origin=origin,
                response=second.response,
                rejected=None,
                label=None,  # a KTO label means nothing on a paired-up sample
            )
        )
    return out


def commit_on_big_base(size: int) -> plants.Planted:
    base = big_base(size + 100)
    return plants.plant_near(base[:size], 100, 3, scan=False, extra=base[size:])


def shingle_sizes() -> None:
    print(
        "\nshingle size (our tier, change mode, planted set of 200; recall / findings among "
        "unrelated samples):"
    )
    english = plants.distinct_items(LLAMA / "alpaca_en_demo.json")
    chinese = plants.distinct_items(LLAMA / "alpaca_zh_demo.json")
    base, extra = english[:700] + chinese[:300], english[700:800] + chinese[300:400]
    templated = {
        name: Corpus(tuple(plants.distinct_items(path)))
        for name, path in (
            ("glaive_toolcall_en", LLAMA / "glaive_toolcall_en_demo.json"),
            (
                "stock_toolcall",
                SHARED / "msft_foundry_samples" / "tool_calling" / "stock_toolcall_training.jsonl",
            ),
        )
    }
    densities = ((25, 50), (12, 25))
    for size in (1, 2, 3, 4):
        settings = NearSettings(shingle_size=size)
        cells = []
        for words, characters in densities:
            plants.WORDS_PER_EDIT, plants.CHARS_PER_EDIT = words, characters
            planted = plants.plant_near(base, 200, 1, scan=False, extra=extra)
            findings = near_duplicates(planted.corpus, THRESHOLD, settings=settings)
            recall, precision = score(
                {(f.sample.origin, f.matched.origin) for f in findings}, planted
            )
            cells.append(f"1 edit/{words} words: recall {recall:.3f} precision {precision:.3f}")
        plants.WORDS_PER_EDIT, plants.CHARS_PER_EDIT = 25, 50
        flagged = [
            f"{name} {len(near_duplicates(c, THRESHOLD, settings=settings))}/{len(c.new)}"
            for name, c in templated.items()
        ]
        print(
            f"  {size} token(s): " + "; ".join(cells) + "; flagged in a scan: " + ", ".join(flagged)
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", type=int, default=20_000)
    parser.add_argument("--no-shingle-sizes", action="store_true")
    args = parser.parse_args()

    planted = planted_set()
    print(
        f"planted set: {len(planted.corpus.existing)} existing, {len(planted.corpus.new)} new"
        f" ({len(planted.pairs)} near copies), threshold {THRESHOLD}"
    )
    print(f"  plants at Jaccard >= {THRESHOLD} (findable at all): {findable(planted)}")
    compare(
        planted.corpus,
        planted,
        args.repeat,
        {"datatenet near_duplicates": lambda: ours(planted.corpus)},
    )

    print(f"\na commit adding 200 samples (100 near copies) to {args.base:,} existing samples:")
    commit = commit_on_big_base(args.base)
    print(f"  plants at Jaccard >= {THRESHOLD}: {findable(commit)} of {len(commit.pairs)}")
    with tempfile.TemporaryDirectory() as directory:
        cache = Path(directory)
        start = time.perf_counter()
        ours(commit.corpus, cache)
        print(f"  datatenet, signature cache cold (writes it): {time.perf_counter() - start:.2f} s")
        size = sum(p.stat().st_size for p in cache.iterdir()) / 1e6
        print(f"  (cache file {size:.1f} MB)")
        compare(
            commit.corpus,
            commit,
            args.repeat,
            {
                "datatenet, no cache": lambda: ours(commit.corpus),
                "datatenet, signature cache warm": lambda: ours(commit.corpus, cache),
            },
        )
    if not args.no_shingle_sizes:
        shingle_sizes()


if __name__ == "__main__":
    main()

"""Planted duplicates in real data, for tests/test_duplicates.py and bench/near_bench.py.

A *near copy* changes a few words of a real sample: 1 to 3 edits (a word replaced by another
word of the corpus, deleted, or inserted), and at most one edit per 25 words, since a near
duplicate at Jaccard 0.8 is a matter of the share of the text that changed: one word changed in
ten is a different sample whatever the shingles. In Chinese, an edit changes a two-character
word, at most one per 50 characters. The edits fall anywhere in the prompt or the answer.

An *exact copy* changes case and whitespace (and sometimes final punctuation) only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import xxhash

from datatenet.analysis.corpus import Corpus, Item, corpus_of_version
from datatenet.analysis.normalize import normalize, unspaced_share
from datatenet.formats.load import LoadOptions, load_file

WORDS_PER_EDIT = 25
CHARS_PER_EDIT = 50
_WORD = re.compile(r"[A-Za-z]+")  # a word to edit: letters, so the edit is no mere punctuation
_HAN = re.compile(r"[\u4e00-\u9fff]")


def distinct_items(path: Path, limit: int | None = None) -> list[Item]:
    """The samples of a real file, without repeats after normalisation, in file order."""
    seen: set[str] = set()
    out = []
    for item in corpus_of_version(load_file(path, LoadOptions())).new:
        key = normalize(f"{item.prompt}\n{item.response}\n{item.rejected}")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:limit]


def _with_text(item: Item, prompt: str, response: str, origin: str) -> Item:
    digest = xxhash.xxh3_128_hexdigest(f"{prompt}\0{response}".encode())
    return replace(
        item, sample_id=digest, prompt_id=digest, origin=origin, prompt=prompt, response=response
    )


def _is_chinese(item: Item) -> bool:
    return unspaced_share(item.text) >= 0.3


def can_plant(item: Item) -> bool:
    if _is_chinese(item):
        return len(_HAN.findall(item.text)) >= CHARS_PER_EDIT
    return len(item.text.split()) >= WORDS_PER_EDIT


def near_copy(item: Item, rng: random.Random, vocabulary: Sequence[str], origin: str) -> Item:
    """A few words of `item` changed (see the module's docstring)."""
    if _is_chinese(item):
        capacity = len(_HAN.findall(item.text)) // CHARS_PER_EDIT
    else:
        capacity = len(item.text.split()) // WORDS_PER_EDIT
    edits = rng.randint(1, min(3, capacity))
    fields = [item.prompt, item.response]
    for _ in range(edits):
        which = rng.choices((0, 1), weights=[max(1, len(f)) for f in fields])[0]
        fields[which] = (_edit_chinese if _is_chinese(item) else _edit_words)(
            fields[which], rng, vocabulary
        )
    return _with_text(item, fields[0], fields[1], origin)


def _edit_words(text: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return f"{text} {rng.choice(vocabulary)}"
    start, end = rng.choice(spans)
    operation = rng.choice(("replace", "delete", "insert"))
    if operation == "replace":
        return text[:start] + rng.choice(vocabulary) + text[end:]
    if operation == "delete":
        return text[:start] + text[end:].lstrip(" ")
    return text[:start] + rng.choice(vocabulary) + " " + text[start:]


def _edit_chinese(text: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    places = [m.start() for m in _HAN.finditer(text)]
    if not places:
        return text + rng.choice(vocabulary)
    at = rng.choice(places)
    word = "".join(rng.choice(vocabulary) for _ in range(2))
    operation = rng.choice(("replace", "delete", "insert"))
    if operation == "replace":
        return text[:at] + word + text[at + 2 :]
    if operation == "delete":
        return text[:at] + text[at + 2 :]
    return text[:at] + word + text[at:]


def exact_copy(item: Item, rng: random.Random, origin: str) -> Item:
    """The same text with case and whitespace changed, and maybe the final punctuation."""

    def disguise(text: str) -> str:
        words = text.split()
        out = []
        for word in words:
            kind = rng.random() if word.isascii() else 1.0  # Turkish ı upper-cases to I
            word = word.upper() if kind < 0.2 else word.lower() if kind < 0.4 else word
            out.append(word)
            out.append(rng.choice((" ", "  ", "\n", " \t ")))
        changed = "".join(out).strip()
        if changed and changed[-1] in ".!?" and rng.random() < 0.5:
            changed = changed[:-1]
        return "  " + changed + "\n"

    return _with_text(item, disguise(item.prompt), disguise(item.response), origin)


@dataclass(frozen=True)
class Planted:
    corpus: Corpus
    pairs: frozenset[tuple[str, str]]  # (plant origin, source origin)


def vocabulary_of(items: Sequence[Item]) -> tuple[list[str], list[str]]:
    words = sorted({w for i in items if not _is_chinese(i) for w in _WORD.findall(i.text)})
    characters = sorted({c for i in items if _is_chinese(i) for c in _HAN.findall(i.text)})
    return words, characters


def plant_near(
    base: Sequence[Item], count: int, seed: int, *, scan: bool, extra: Sequence[Item] = ()
) -> Planted:
    """`count` near copies of random plantable samples of `base`. For a scan, the copies are
    shuffled in among the base; otherwise the base is the existing data and the copies (with
    `extra`, distinct new samples that must not be flagged) the new data."""
    rng = random.Random(seed)
    words, characters = vocabulary_of(base)
    sources = rng.sample([i for i in base if can_plant(i)], count)
    copies = [
        near_copy(s, rng, characters if _is_chinese(s) else words, f"plant:{n}")
        for n, s in enumerate(sources)
    ]
    pairs = frozenset((c.origin, s.origin) for c, s in zip(copies, sources, strict=True))
    if scan:
        everything = [*base, *copies, *extra]
        rng.shuffle(everything)
        return Planted(Corpus(tuple(everything)), pairs)
    new = [*copies, *extra]
    rng.shuffle(new)
    return Planted(Corpus(tuple(new), tuple(base)), pairs)

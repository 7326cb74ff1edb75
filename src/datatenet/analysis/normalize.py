"""Normalisation for the exact-duplicate tier and shingling for the near-duplicate tier.

Exact tier: two samples are the same when their texts are equal after `normalize`: Unicode NFKC,
case folded, punctuation and invisible format characters (zero-width spaces, soft hyphens)
removed, symbols set apart by spaces ("x=105" is "x = 105"), whitespace collapsed.

Near tier: a text is a set of *shingles*, runs of `size` consecutive tokens of its normalised
form, hashed to 64 bits. A token is a word, except in scripts written without spaces (Chinese,
Japanese, Thai, Lao, Khmer, Myanmar), where every character is a token: a Chinese text is thus
shingled by characters and an English one by words, and a text mixing both (a Chinese answer
quoting code or English names) gets character shingles for its Chinese and word shingles for the
rest, with no cliff at some share of characters where the whole text would switch from one kind
of shingle to the other (`unspaced_share` still tells how much of a text is in such scripts).

The default size is 2 (word pairs, character pairs). At Jaccard 0.8 a near copy can differ in
about one word in 20 with pairs, one in 30 with 3-word shingles. Measured by bench/near_bench.py
on 200 near copies planted among 1,000 real Alpaca samples (700 English, 300 Chinese): with one
edit per 25 words, pairs and triples both find all 200 (4-word shingles 90%); with one edit per
12 words, pairs find 94%, triples 74%. Unrelated samples never reach Jaccard 0.5 with pairs in
the Alpaca, DPO, KTO and GSM8K demo data; in templated tool-calling data (glaive), pairs flag 7
of 262 samples, copies of a template with a name or a phrase changed, which is what a near copy
is (triples flag 2).

numpy is imported here, and only by the analysis modules: `datatenet --help` never loads it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Scripts written without spaces between words: every character is a token of its own.
UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana (NFKC folds them, kept for raw text)
    (0x20000, 0x3134F),  # CJK extensions B to G
)
_UNSPACED_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSPACED_RANGES)
_UNSPACED = re.compile(f"[{_UNSPACED_CLASS}]")
_TOKEN = re.compile(f"[{_UNSPACED_CLASS}]|[^\\s{_UNSPACED_CLASS}]+")

DEFAULT_SHINGLE_SIZE = 2

_MULTIPLIER = np.uint64(0xFF51AFD7ED558CCD)
_MIX = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)


_WHITESPACE = tuple(c for c in range(0x3001) if chr(c).isspace())  # str.split()'s whitespace
_TABLE_SIZE = 0x40000  # code points above this are none of punctuation, format, unspaced
_CHUNK_CHARACTERS = 1 << 21  # characters handled at once (memory: ~60 bytes each)
_DROP = 0xFFFFFFFF  # what a format character maps to: removed
_SPACE, _UNSPACED_CLASS_ID, _OTHER = 0, 1, 2


@functools.cache
def _tables() -> tuple[dict[int, str | None], bytes, np.ndarray, np.ndarray]:
    """From this Python's Unicode database (planes 0 and 1 hold every punctuation mark):
    - a str.translate table: punctuation to a space, format characters removed;
    - the same for ASCII as a bytes table (much faster on ASCII text);
    - the same as a code point map for numpy (format characters map to _DROP);
    - the class of every code point for tokenising: space, unspaced script, other."""
    table: dict[int, str | None] = {}
    for code in [*range(0x20000), *range(0xE0000, 0xE0080)]:
        category = unicodedata.category(chr(code))
        if category[0] == "P":
            table[code] = " "
        elif category == "Cf":
            table[code] = None
    ascii_table = bytes(ord(" ") if table.get(code) == " " else code for code in range(256))
    code_map = np.arange(_TABLE_SIZE, dtype=np.uint32)
    for code, to in table.items():
        if code < _TABLE_SIZE:
            code_map[code] = ord(" ") if to == " " else _DROP
    classes = np.full(_TABLE_SIZE, _OTHER, dtype=np.uint8)
    for lo, hi in UNSPACED_RANGES:
        classes[lo : hi + 1] = _UNSPACED_CLASS_ID
    classes[list(_WHITESPACE)] = _SPACE
    return table, ascii_table, code_map, classes


_ASCII_SYMBOLS = tuple(c for c in range(128) if unicodedata.category(chr(c))[0] == "S")


@functools.cache
def _symbols() -> tuple[np.ndarray, re.Pattern[str]]:
    """The symbols (+, =, ×, $, °, emoji: Unicode category S) of planes 0 and 1, as a mask over
    code points and as a pattern."""
    mask = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    codes = [c for c in range(0x20000) if unicodedata.category(chr(c))[0] == "S"]
    mask[codes] = True
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    spans = "".join(
        re.escape(chr(lo)) + ("" if hi - 1 == lo else f"-{re.escape(chr(hi - 1))}")
        for lo, hi in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)
    )
    return mask, re.compile(f"[{spans}]")


def normalize(text: str) -> str:
    """NFKC, case folded, punctuation and format characters removed, whitespace collapsed.

    Punctuation becomes a space (so "end.Next" and "end. Next" agree); symbols (+, =, $, ...)
    are kept, set apart by spaces: "x=105" and "x = 105" agree, "2+2" and "2-2" stay different.
    """
    return normalize_many([text])[0]


def normalize_many(texts: Sequence[str]) -> list[str]:
    """`normalize` of many texts, at a fraction of the cost of one call each.

    The punctuation and format characters go first, in one numpy pass over all the text: what
    is left of most text then passes NFKC's quick check, which spares the full normalisation
    (the few punctuation marks whose NFKC form holds a letter are the exception that does not
    matter). What NFKC changes is stripped again."""
    if sum(map(len, texts)) > _CHUNK_CHARACTERS and len(texts) > 1:
        half = len(texts) // 2
        return normalize_many(texts[:half]) + normalize_many(texts[half:])
    table, ascii_table, code_map, _ = _tables()
    joined = "\x00".join(texts)
    if len(texts) > 1 and joined.count("\x00") != len(texts) - 1:
        return [normalize_many([text])[0] for text in texts]  # a text holding NUL: one by one
    if joined.isascii():  # NFKC changes no ASCII character
        data = joined.casefold().encode("ascii").translate(ascii_table)
        for code in _ASCII_SYMBOLS:
            symbol = bytes((code,))
            if symbol in data:
                data = data.replace(symbol, b" " + symbol + b" ")
        return [" ".join(part.split()) for part in data.decode("ascii").split("\x00")]
    _, symbols = _symbols()
    out = []
    for part in _strip(joined, code_map).split("\x00"):
        if not part.isascii() and not unicodedata.is_normalized("NFKC", part):
            part = symbols.sub(r" \g<0> ", unicodedata.normalize("NFKC", part).translate(table))
        out.append(" ".join(part.casefold().split()))
    return out


def _strip(text: str, code_map: np.ndarray) -> str:
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    mapped = np.where(codes < _TABLE_SIZE, code_map[np.minimum(codes, _TABLE_SIZE - 1)], codes)
    keep = (mapped != _DROP) & ((codes < 0xE0000) | (codes >= 0xE0080))
    if not keep.all():
        mapped = mapped[keep]
    symbol = np.flatnonzero(_symbols()[0][np.minimum(mapped, _TABLE_SIZE - 1)])
    if len(symbol):  # a space before and after every symbol
        mapped = np.insert(mapped, np.concatenate((symbol, symbol + 1)), ord(" "))
    return mapped.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def normalized_parts(
    prompt: str, response: str, rejected: str | None = None, system: str = ""
) -> str:
    """The normalised text of a sample: its parts normalised, joined by a separator that no
    normalised text contains (so a word moved from the prompt to the answer is a change)."""
    parts = [system_token(system), prompt, response]
    if rejected is not None:
        parts.append(rejected)
    return "\n".join(normalize_many(parts))


def system_token(system: str) -> str:
    """A system prompt as one token: samples that differ only in it are not exact copies, and
    a long system prompt shared by a whole dataset does not make every sample look alike."""
    if not system:
        return ""
    return "system" + hashlib.blake2b(normalize(system).encode(), digest_size=8).hexdigest()


def tokens(normalized: str) -> list[str]:
    """Words, and single characters of scripts written without spaces."""
    if normalized.isascii():
        return normalized.split()
    return _TOKEN.findall(normalized)


def unspaced_share(text: str) -> float:
    """The share of the non-space characters of `text` in scripts written without spaces."""
    letters = "".join(text.split())
    if not letters:
        return 0.0
    return (len(letters) - len(_UNSPACED.sub("", letters))) / len(letters)


def shingles(normalized: str, size: int = DEFAULT_SHINGLE_SIZE) -> list[str]:
    """The shingles of a normalised text, readable (for tests and explanations)."""
    found = tokens(normalized)
    if not found:
        return []
    if len(found) <= size:
        return [" ".join(found)]
    return [" ".join(found[i : i + size]) for i in range(len(found) - size + 1)]


@dataclass(frozen=True)
class ShingleSets:
    """The shingles of many texts, hashed: text i holds hashes[offsets[i]:offsets[i + 1]], in
    the order of the text, repeats included (`set_of` gives the set). A text without a token
    has none."""

    hashes: np.ndarray  # uint64
    offsets: np.ndarray  # int64, len(texts) + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def get(self, index: int) -> np.ndarray:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]

    def set_of(self, index: int) -> set[int]:
        return set(self.get(index).tolist())


_PAD = np.uint64(0x9E3779B97F4A7C15)  # stands for the missing tokens of a short text


def shingle_sets(normalized: Sequence[str], size: int = DEFAULT_SHINGLE_SIZE) -> ShingleSets:
    """Hash the shingles of many normalised texts at once, vectorised over all their characters.

    A token's hash mixes the hash of each of its code points with its position in the token; a
    shingle's hash mixes its tokens' hashes in order. Tokens are those of `tokens`; a text
    shorter than `size` tokens is one shingle. The hashes depend on the text and `size` only,
    so they may be cached on disk."""
    if size < 1:
        raise ValueError("shingle size must be at least 1")
    token_hashes: list[np.ndarray] = []
    counts = np.zeros(len(normalized), dtype=np.int64)
    start = 0
    while start < len(normalized):
        stop, length = start, 0
        while stop < len(normalized) and (stop == start or length < _CHUNK_CHARACTERS):
            length += len(normalized[stop]) + 1
            stop += 1
        hashes, per_text = _token_hashes(normalized[start:stop])
        token_hashes.append(hashes)
        counts[start:stop] = per_text
        start = stop
    values = np.concatenate(token_hashes) if token_hashes else np.zeros(0, dtype=np.uint64)
    short = np.flatnonzero((counts > 0) & (counts < size))
    if len(short):  # pad the texts shorter than a shingle with stand-in tokens
        ends = np.cumsum(counts)[short]
        missing = size - counts[short]
        values = np.insert(values, np.repeat(ends, missing), _PAD)
        counts[short] = size
    shingle_counts = np.maximum(counts - (size - 1), 0)
    offsets = np.zeros(len(normalized) + 1, dtype=np.int64)
    np.cumsum(shingle_counts, out=offsets[1:])
    if len(values) < size:
        return ShingleSets(np.zeros(0, dtype=np.uint64), offsets)
    windows = len(values) - size + 1
    combined = values[:windows].copy()
    for step in range(1, size):
        combined = _fmix(combined * _MULTIPLIER) ^ values[step : step + windows]
    combined = _fmix(combined ^ np.uint64(size))
    token_starts = np.cumsum(counts) - counts
    keep = np.repeat(token_starts, shingle_counts) + segment_ranks(shingle_counts)
    return ShingleSets(combined[keep], offsets)


def _token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the tokens of `texts`, concatenated, and how many each text has."""
    _, _, _, classes = _tables()
    joined = " ".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    kind = np.where(codes < _TABLE_SIZE, classes[np.minimum(codes, _TABLE_SIZE - 1)], _OTHER)
    in_token = kind != _SPACE
    unspaced = kind == _UNSPACED_CLASS_ID
    starts = in_token.copy()  # a token starts after a space, and at every unspaced character
    starts[1:] &= ~in_token[:-1] | unspaced[:-1] | unspaced[1:]
    positions = np.flatnonzero(in_token)
    first = np.flatnonzero(starts)
    # the index of each token character's token, and its offset inside that token
    token_of = np.cumsum(starts[positions]) - 1
    offset = (positions - first[token_of]).astype(np.uint64)
    mixed = _fmix(codes[positions].astype(np.uint64) ^ (offset << np.uint64(32)))
    sums = np.add.reduceat(mixed, np.flatnonzero(starts[positions])) if len(first) else mixed
    lengths = np.diff(np.append(np.flatnonzero(starts[positions]), len(positions)))
    hashes = _fmix(sums ^ (lengths.astype(np.uint64) * _MULTIPLIER))
    # which text each token belongs to: texts are separated by one space in `joined`
    text_starts = np.cumsum([0, *(len(t) + 1 for t in texts[:-1])])
    owner = np.searchsorted(text_starts, first, side="right") - 1
    return hashes, np.bincount(owner, minlength=len(texts))


def segment_ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., c - 1 for every count c, concatenated."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    ranks: np.ndarray = np.arange(len(starts), dtype=np.int64) - starts
    return ranks


def _fmix(values: np.ndarray) -> np.ndarray:
    """The 64-bit finaliser of MurmurHash3: every input bit reaches every output bit."""
    values = values ^ (values >> _SHIFT)
    values *= _MULTIPLIER
    values ^= values >> _SHIFT
    values *= _MIX
    values ^= values >> _SHIFT
    return values

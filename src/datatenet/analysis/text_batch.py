"""Many texts as one string and one array of character classes, for counting at numpy speed.

The texts are joined as "\\n" + text_0 + "\\n" + text_1 + ... + "\\n": every text starts after a
newline and ends on one, which it owns (so its last line ends like the others). Character-level
counts are one pass over the code points; a regex scans the whole batch once and its matches are
given to their texts by position.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from datatenet.analysis.normalize import UNSPACED_RANGES

Counts = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Bit flags of a code point's class.
ALNUM, CJK, SPACE, NEWLINE, TERMINAL = 1, 2, 4, 8, 16
EXCLAIM, QUESTION, EMOJI, LATIN, OTHER_LETTER, CLOSER = 32, 64, 128, 256, 512, 1024
APOSTROPHE, FULLWIDTH_TERMINAL = 2048, 4096
TABLE_SIZE = 0x30000
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF))
_MARKS = (
    (TERMINAL, ".!?…。！？"),
    (FULLWIDTH_TERMINAL, "。！？"),
    (EXCLAIM, "!！"),
    (QUESTION, "?？"),
    (CLOSER, "\"')]}»”’」』》】）"),
    (APOSTROPHE, "'’"),
)


@functools.cache
def classes() -> npt.NDArray[np.uint16]:
    """The class flags of every code point below TABLE_SIZE (built once, a fraction of a
    second); code points above it are letters of no known script."""
    table = np.zeros(TABLE_SIZE, dtype=np.uint16)
    unspaced = np.zeros(TABLE_SIZE, dtype=bool)
    for lo, hi in UNSPACED_RANGES:
        unspaced[lo : min(hi, TABLE_SIZE - 1) + 1] = True
    for code in range(TABLE_SIZE):
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] == "L" and unspaced[code]:
            table[code] = CJK
        elif category[0] in "LN":
            table[code] = ALNUM
            if category[0] == "L":
                latin = code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A
                table[code] |= LATIN if latin else OTHER_LETTER
        elif char.isspace():
            table[code] = SPACE
    for lo, hi in _EMOJI_RANGES:
        table[lo : hi + 1] |= EMOJI
    table[ord("\n")] |= NEWLINE
    for flag, chars in _MARKS:
        for char in chars:
            table[ord(char)] |= flag
    table[-1] = ALNUM | OTHER_LETTER  # stands for every code point from TABLE_SIZE - 1 up
    return table


def is_cjk(char: str) -> bool:
    code = ord(char)
    return code < TABLE_SIZE and bool(classes()[code] & CJK)


@dataclass(frozen=True)
class TextBatch:
    joined: str
    starts: npt.NDArray[np.int64]  # where each text starts in `joined`
    lengths: npt.NDArray[np.int64]
    _cache: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextBatch:
        n = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        starts = np.ones(n, dtype=np.int64)
        if n > 1:
            starts[1:] += np.cumsum(lengths[:-1] + 1)
        return cls("\n" + "\n".join(texts) + "\n", starts, lengths)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def codes(self) -> npt.NDArray[np.uint32]:
        if "codes" not in self._cache:
            encoded = self.joined.encode("utf-32-le", "surrogatepass")
            self._cache["codes"] = np.frombuffer(encoded, dtype="<u4")
        return self._cache["codes"]  # type: ignore[return-value]

    @property
    def flags(self) -> npt.NDArray[np.uint16]:
        if "flags" not in self._cache:
            # code points above the table clip to its last entry, a letter of no known script
            self._cache["flags"] = np.take(classes(), self.codes, mode="clip")
        return self._cache["flags"]  # type: ignore[return-value]

    def has(self, flag: int) -> Bools:
        selected: Bools = (self.flags & flag) != 0
        return selected

    @property
    def word_chars(self) -> Bools:
        """Letters and digits outside CJK, and an apostrophe between two of them ("don't")."""
        if "word_chars" not in self._cache:
            alnum = self.has(ALNUM)
            inner = np.zeros_like(alnum)
            inner[1:-1] = self.has(APOSTROPHE)[1:-1] & alnum[:-2] & alnum[2:]
            self._cache["word_chars"] = alnum | inner
        return self._cache["word_chars"]  # type: ignore[return-value]

    def per_text(self, *selected: Bools) -> list[Counts]:
        """How many selected characters each text has, for each selection: the positions of
        the selected characters, given to their texts by binary search over the text starts
        (cheaper than summing 9 million flags per text, which needs them as integers)."""
        return [self.count_at(np.flatnonzero(chosen)) for chosen in selected]

    def owners(self, positions: Iterable[int] | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The text of each position of `joined` (-1 for the leading newline)."""
        where = np.asarray(list(positions) if not isinstance(positions, np.ndarray) else positions)
        return np.searchsorted(self.starts, where.astype(np.int64), side="right") - 1

    def count_at(self, positions: Iterable[int] | npt.NDArray[np.int64]) -> Counts:
        """How many of `positions` fall in each text."""
        owners = self.owners(positions)
        owners = owners[owners >= 0]
        return np.bincount(owners, minlength=len(self)).astype(np.float64)

    def count_matches(self, pattern: re.Pattern[str]) -> Counts:
        return self.count_at([match.start() for match in pattern.finditer(self.joined)])

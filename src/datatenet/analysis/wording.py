"""The words of a text as analysis/decisive.py compares them: tokens, numbers, names, and the
few tokens two nearly equal texts differ in."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

from datatenet.analysis.normalize import UNSPACED_RANGES

_UNSPACED = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSPACED_RANGES)
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A character of an unspaced script; a number not glued to a letter before it ("3.5" of
# "3.5kg", not the "2" of "H2O"); a word, digits and apostrophes included ("H2O", "Earth's").
_TOKEN = re.compile(
    rf"[{_UNSPACED}]|(?<![A-Za-z]){_NUMBER}|[^\W_{_UNSPACED}]+(?:['’][^\W_{_UNSPACED}]+)*"
)
_NUMBER_TOKEN = re.compile(rf"{_NUMBER}$")

# fmt: off
_NUMBER_WORDS = {
    word: float(value) for value, word in enumerate((
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty",
    ))
    if word not in ("zero", "one")  # "no one", "the one I like": too often not a number
} | {
    word: 10.0 * (value + 3) for value, word in enumerate(
        ("thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
    )
}
# Capitalised words that are no names: sentence openers and function words.
NOT_NAMES = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "i", "you", "he", "she",
    "we", "they", "my", "your", "our", "their", "his", "her", "what", "which", "who", "whom",
    "whose", "when", "where", "why", "how", "is", "are", "was", "were", "be", "been", "do",
    "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might", "must",
    "in", "on", "at", "to", "of", "for", "from", "by", "with", "about", "as", "and", "or",
    "but", "if", "then", "so", "because", "after", "before", "while", "yes", "no", "not",
    "there", "here", "all", "some", "any", "each", "every", "one", "let", "please", "note",
    "answer", "solution", "question", "first", "second", "third", "finally", "also",
    "however", "therefore", "thus", "hence", "since", "although", "though", "step", "sure",
    "okay", "ok", "hello", "hi", "thanks", "thank", "dear",
))
# fmt: on
_SENTENCE_END = frozenset(".!?:;\n\"'“”‘’([（【《「。！？：；")
_SUBJECT_OF = frozenset({"is", "was", "are", "were", "has", "had"})
CONTRACTION = re.compile(r"['’](s|m|d|ll|re|ve)$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(unicodedata.normalize("NFKC", text)))


def tokens(text: str) -> list[str]:
    """Words (case kept), numbers, and the single characters of scripts written without spaces.
    (Memoised: the pair analysis compares one text with several others.)"""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)
def number_value(token: str) -> float | None:
    """The value of a number token ("1,440", "16.00", "seven"), None for another token."""
    word = _NUMBER_WORDS.get(token.lower())
    if word is not None:
        return word
    if not _NUMBER_TOKEN.match(token):
        return None
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def changes(
    first: list[str],
    second: list[str],
    most: int,
    share: float,
) -> list[tuple[tuple[str, ...], tuple[str, ...]]] | None:
    """The changed spans (removed, added) when two token lists differ by a small edit: at
    most `most` tokens changed, and at most `share` of the longer list."""
    longest = max(len(first), len(second))
    if not first or not second or abs(len(first) - len(second)) > min(most, share * longest):
        return None
    one, two = [w.casefold() for w in first], [w.casefold() for w in second]
    if (Counter(one) - Counter(two)).total() > most or (Counter(two) - Counter(one)).total() > most:
        return None  # more tokens differ than an edit may change: no need to align them
    start = 0  # the common head and tail need no aligning (a long text with one edit)
    while start < min(len(one), len(two)) and one[start] == two[start]:
        start += 1
    end = 0
    while end < min(len(one), len(two)) - start and one[-1 - end] == two[-1 - end]:
        end += 1
    matcher = SequenceMatcher(
        None, one[start : len(one) - end], two[start : len(two) - end], autojunk=False
    )
    spans = []
    changed = 0
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            continue
        changed += max(i2 - i1, j2 - j1)
        spans.append(
            (tuple(first[start + i1 : start + i2]), tuple(second[start + j1 : start + j2]))
        )
    if not spans or changed > most or changed > share * longest:
        return None
    return spans


def is_name(word: str) -> bool:
    """A capitalised word that is not a sentence opener or a function word (a named entity),
    or an acronym."""
    if len(word) > 1 and word.isupper() and word.isalpha():
        return True
    return word[:1].isupper() and CONTRACTION.sub("", word).casefold() not in NOT_NAMES


def name_sets(first: str, second: str) -> tuple[dict[str, None], dict[str, None]]:
    """The names of two texts. A capitalised word opening a sentence ("Place the egg…") is
    taken for a name only when either text also writes it capitalised inside a sentence."""
    found: list[list[tuple[str, bool]]] = []
    for text in (first, second):
        text = unicodedata.normalize("NFKC", text)
        words = []
        for match in _TOKEN.finditer(text):
            word = CONTRACTION.sub("", match.group(0))
            if not is_name(word):
                continue
            before = text[: match.start()].rstrip(" \t")
            opening = not before or before[-1] in _SENTENCE_END
            # "Ottawa is the capital", "Canada's capital": a subject or an owner, not a verb
            after = text[match.end() :].split(None, 1)[:1]
            if opening and (word != match.group(0) or (after[:1] and after[0] in _SUBJECT_OF)):
                opening = False
            words.append((word, opening))
        found.append(words)
    inside = {word for words in found for word, opening in words if not opening}
    one, two = (
        dict.fromkeys(w for w, opening in words if not opening or w in inside) for words in found
    )
    return one, two  # ordered sets: the names in the order of the text


def only(names: dict[str, None], other: dict[str, None]) -> str:
    """The names of one text the other lacks, in order, as text ("" when none)."""
    return " ".join(name for name in names if name not in other)

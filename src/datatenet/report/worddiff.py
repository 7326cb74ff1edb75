"""Word-level differences between two texts, as segments a renderer marks up.

The texts are untrusted: a segment is plain text plus a flag, and the renderer escapes it (the
HTML templates through autoescaping). Chinese, Japanese and Korean characters are compared one
by one, as they carry no spaces between words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\s+|\w+|[^\w\s]"
)
# Beyond this many tokens a side, the difference is not worth its cost in a report.
MAX_TOKENS = 2000


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The two texts cut into segments; `changed` marks the words one side has and the other
    has not (whitespace only between two changed words)."""
    a, b = tokens(left)[:MAX_TOKENS], tokens(right)[:MAX_TOKENS]
    changed_a = [True] * len(a)
    changed_b = [True] * len(b)
    lower_a, lower_b = [t.lower() for t in a], [t.lower() for t in b]  # "No, two" ~ "Two"
    for block in SequenceMatcher(None, lower_a, lower_b, autojunk=False).get_matching_blocks():
        changed_a[block.a : block.a + block.size] = [False] * block.size
        changed_b[block.b : block.b + block.size] = [False] * block.size
    return _segments(a, changed_a), _segments(b, changed_b)


def _segments(words: list[str], changed: list[bool]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for index, (word, flag) in enumerate(zip(words, changed, strict=True)):
        if word.isspace():
            # marked only inside a run of changed words, so the run reads as one mark
            before = index > 0 and changed[index - 1]
            after = index + 1 < len(words) and changed[index + 1]
            flag = before and after
        if out and out[-1].changed == flag:
            out[-1] = Segment(out[-1].text + word, flag)
        else:
            out.append(Segment(word, flag))
    return tuple(out)

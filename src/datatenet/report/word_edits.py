"""What changed between two texts, word by word, as one sequence of edits: the words both
share, those only the old text has, those only the new one has (in reading order).

`word_edits` is the model; `word_diff` cuts both texts into marked segments for the report
(case ignored: "No, two" against "Two"); `git_word_diff` renders the edits as `git diff
--word-diff=plain` does (`[-removed-]{+added+}`), with a few words of unchanged context around
each change and `…` where unchanged text is left out, so that an edit late in a long answer
shows. The texts are untrusted: the caller escapes what it prints (`terminal.inert`, the HTML
templates' autoescaping). Chinese, Japanese and Korean characters are compared one by one, as
they carry no spaces between words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\s+|\w+|[^\w\s]"
)
# Beyond this many tokens a side the texts are compared as two whole blocks.
MAX_TOKENS = 5000
SEGMENT_MAX_TOKENS = 2000  # beyond this, the report's segments are not worth their cost
CONTEXT_WORDS = 8  # unchanged words kept on each side of a change
CHANGE_CHARS = 300  # a removed or added run longer than this is shown by its two ends

EditKind = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class Edit:
    kind: EditKind
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_edits(old: str, new: str) -> tuple[Edit, ...]:
    """The edits that turn `old` into `new`, word by word; a replaced run is its removed words
    then its added words."""
    a, b = tokens(old), tokens(new)
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return _merged([Edit("removed", old), Edit("added", new)] if old != new else [])
    edits: list[Edit] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            edits.append(Edit("same", "".join(a[a0:a1])))
            continue
        if a1 > a0:
            edits.append(Edit("removed", "".join(a[a0:a1])))
        if b1 > b0:
            edits.append(Edit("added", "".join(b[b0:b1])))
    return _merged(edits)


def _merged(edits: Sequence[Edit]) -> tuple[Edit, ...]:
    out: list[Edit] = []
    for edit in edits:
        if not edit.text:
            continue
        if out and out[-1].kind == edit.kind:
            out[-1] = Edit(edit.kind, out[-1].text + edit.text)
        else:
            out.append(edit)
    return tuple(out)


def git_word_diff(
    old: str, new: str, context: int = CONTEXT_WORDS, change_chars: int = CHANGE_CHARS
) -> str:
    """`[-removed-]{+added+}` between the unchanged words, as `git diff --word-diff=plain`;
    unchanged runs keep `context` words next to each change, `…` stands for the rest."""
    edits = word_edits(old, new)
    parts: list[str] = []
    for index, edit in enumerate(edits):
        if edit.kind == "removed":
            parts.append(f"[-{_shortened(edit.text, change_chars)}-]")
        elif edit.kind == "added":
            parts.append(f"{{+{_shortened(edit.text, change_chars)}+}}")
        else:
            before = index > 0  # a change precedes this run
            after = index + 1 < len(edits)  # a change follows it
            parts.append(_context(edit.text, context, keep_head=before, keep_tail=after))
    return "".join(parts)


def _context(text: str, words: int, *, keep_head: bool, keep_tail: bool) -> str:
    """An unchanged run, cut to `words` words after the change before it and before the
    change after it."""
    pieces = tokens(text)
    counted = [i for i, piece in enumerate(pieces) if not piece.isspace()]
    if len(counted) <= words * (keep_head + keep_tail) or not (keep_head or keep_tail):
        return text  # short enough, or the texts are the same
    head = "".join(pieces[: counted[words - 1] + 1]) if keep_head else ""
    tail = "".join(pieces[counted[-words] :]) if keep_tail else ""
    if keep_head and keep_tail:
        return f"{head} … {tail}"
    return f"{head} …" if keep_head else f"… {tail}"


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]} … {text[-half:]}"


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


def word_diff(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The two texts cut into segments; `changed` marks the words one side has and the other
    has not (whitespace only between two changed words)."""
    a, b = tokens(left)[:SEGMENT_MAX_TOKENS], tokens(right)[:SEGMENT_MAX_TOKENS]
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

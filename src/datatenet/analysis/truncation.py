"""Is an answer cut off mid-sentence? A few rules, each naming what it saw.

- a code block opened and never closed;
- the answer ends on a comma, a semicolon or a colon (English or Chinese forms);
- it ends on a word that cannot end a sentence: an article, a preposition, a conjunction
  ("the", "of", "and"), or in Chinese 的, 和, 与, 在 and the like;
- its last line is a long stretch of prose (at least PROSE_WORDS words, in an answer of at
  least ANSWER_WORDS) ending on a letter or digit, with no final punctuation (a hashtag, a
  handle or a link may end a post).

List items, headings, table rows and code may end without punctuation, so the last rule only
reads prose lines. Measured in bench/noise_calibration.py.
"""

from __future__ import annotations

import re

PROSE_WORDS = 6
ANSWER_WORDS = 20
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)", re.MULTILINE)
_STRUCTURED = re.compile(r"^\s*(?:[-*+•#>|]|\d{1,3}[.)、]|[a-zA-Z][.)]\s|```|~~~)")
_EN_WORDS = (
    "the a an and or of to with for in on at by from as that which who whose is are was "
    "were be been but because if when than such their its this these those your my our "
    "his her into onto about between while whereas although"
)
_DANGLING_EN = frozenset(_EN_WORDS.split())
_ZH_WORDS = "的 和 与 及 或 在 把 被 但 而 因为 所以 如果 将 从 向 以及 并且 或者 例如 比如"
_DANGLING_ZH = tuple(_ZH_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def truncation(answer: str) -> str:
    """Why `answer` looks cut off ("" when it does not)."""
    text = answer.rstrip()
    if not text:
        return ""
    if len(_FENCE.findall(text)) % 2:
        return "a code block is never closed"
    last = text[-1]
    if last in ",，、;；:：" and len(text) > 1:
        return f"it ends on {last!r}"
    line = text.rsplit("\n", 1)[-1].strip()
    words = line.split()
    tail = _WORD.search(text)
    dangling = tail is not None and tail.group().lower() in _DANGLING_EN
    if tail and dangling and len(text.split()) >= 4:
        return f"it ends on {tail.group()!r}, mid-sentence"
    if _CJK.match(last):
        for word in _DANGLING_ZH:
            if text.endswith(word) and len(text) >= 10:
                return f"it ends on {word!r}, mid-sentence"
    if _STRUCTURED.match(line) or not (last.isalnum() or _CJK.match(last)):
        return ""
    if words and words[-1].startswith(("#", "@", "http")):
        return ""  # a hashtag, a handle or a link closes a post
    prose_words = len(words) + len(_CJK.findall(line))
    answer_words = len(text.split()) + len(_CJK.findall(text))
    if prose_words >= PROSE_WORDS and answer_words >= ANSWER_WORDS:
        return f"its last sentence has no end: …{line[-40:]!r}"
    return ""

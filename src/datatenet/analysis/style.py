"""Style descriptors: what an answer (or a prompt) looks like, as numbers and categories.

Numbers (one per text): length in characters and words (a CJK character counts as a word),
sentences, paragraphs, markdown structure (headings, bullet and numbered list items, code
blocks, table rows, bold spans), emoji, exclamation marks, apology / refusal / hedging /
first-person / hostile phrases (`style_phrases`), unresolved template placeholders, the share of
CJK among words, and turns per sample when the caller gives them.
Categories: the layout (prose, list, table, code), the dominant script, the opening word, and
whether the text ends by asking the user a question.

Fast by construction (bench/drift_bench.py): all texts are joined into one string with a newline
after each; character-level counts come from one numpy pass over its code points, and each
pattern (line-start markdown, bold, placeholders, phrases) is one regex scan of the whole batch,
its matches assigned to their texts by position.

Sentences: a run of terminal punctuation (. ! ? … and the full-width 。！？) followed by a space,
a closing quote or bracket, or the end of a line; and a line of text that ends without one (a
list item, a heading). Paragraphs: runs of non-blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from datatenet.analysis.style_phrases import CATEGORIES as CATEGORY_NAMES
from datatenet.analysis.style_phrases import DEFAULT_PHRASES, PhraseLists
from datatenet.analysis.text_batch import (
    CJK,
    CLOSER,
    EMOJI,
    EXCLAIM,
    FULLWIDTH_TERMINAL,
    LATIN,
    NEWLINE,
    OTHER_LETTER,
    SPACE,
    TERMINAL,
    Counts,
    TextBatch,
    is_cjk,
)

NUMBERS: dict[str, str] = {
    "chars": "length in characters",
    "words": "length in words (a CJK character counts as one)",
    "sentences": "sentences (or lines of text)",
    "paragraphs": "paragraphs (runs of non-blank lines)",
    "headings": "markdown headings",
    "bullets": "bullet list items",
    "numbered": "numbered list items",
    "code_blocks": "fenced code blocks",
    "table_rows": "markdown table rows",
    "bold": "bold spans",
    "emoji": "emoji",
    "exclamations": "exclamation marks",
    "apology": "apology phrases",
    "refusal": "refusal phrases",
    "hedging": "hedging phrases",
    "first_person": "first-person words",
    "hostile": "hostile words",
    "placeholders": "unresolved template placeholders",
    "cjk_share": "share of CJK characters among words",
    "turns": "conversation turns in the sample",
}
CATEGORICAL: dict[str, str] = {
    "layout": "layout: prose, list, table or code",
    "script": "dominant script: latin, cjk, other, mixed or none",
    "opening": "opening word",
    "asks_back": "ends by asking the user a question (yes/no)",
}

_LINE_START = re.compile(
    r"\n[ \t]{0,3}(?:(?P<heading>#{1,6}[ \t])|(?P<bullet>[-*+•·][ \t])"
    r"|(?P<numbered>\d{1,3}[.)、．](?!\d)|[a-zA-Z][.)][ \t]|[一二三四五六七八九十]{1,3}、)"
    r"|(?P<fence>```|~~~)|(?P<table>\|))"
)
_LINE_KINDS = {
    "headings": "heading",
    "bullets": "bullet",
    "numbered": "numbered",
    "fences": "fence",
    "table_rows": "table",
}
_BOLD = re.compile(r"\*\*(?=\S)[^*\n]{1,200}?\*\*|__(?=\S)[^_\n]{1,200}?__")
_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{1,40}\}\}|\{[A-Za-z_][A-Za-z0-9_]{1,40}\}|\[[^\[\]\n]{2,40}\](?!\()"
    r"|【[^【】\n]{2,12}】|<[^<>\n]{3,40}>|XX+"
)
_CAPS_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:[ _][A-Z0-9]+)*")
_FILL_IN = re.compile(
    r"(?i:your|insert|enter|add|recipient'?s?|customer'?s?|company|name|date|address|phone"
    r"|email)\b"
)
_ZH_FILL_IN = re.compile(
    r"(?:你的|您的|贵)?(?:姓名|名字|名称|公司名称|公司|日期|地址|电话|邮箱|产品名称)"
)
_OPENING = re.compile(r"[\W\d_]*?([^\W\d_][^\W_]*(?:['’][a-z]+)?)")


@dataclass(frozen=True)
class Descriptors:
    """The descriptors of n texts, column by column (row i describes text i)."""

    numbers: dict[str, Counts]
    categories: dict[str, list[str]]

    def __len__(self) -> int:
        return len(next(iter(self.numbers.values()))) if self.numbers else 0

    def take(self, indices: Sequence[int] | npt.NDArray[np.intp]) -> Descriptors:
        picked = np.asarray(indices, dtype=np.intp)
        return Descriptors(
            {name: values[picked] for name, values in self.numbers.items()},
            {name: [labels[i] for i in picked] for name, labels in self.categories.items()},
        )

    @classmethod
    def concat(cls, parts: Sequence[Descriptors]) -> Descriptors:
        """The rows of several descriptor sets, in order (the columns of the first)."""
        first = parts[0]
        return cls(
            {k: np.concatenate([p.numbers[k] for p in parts]) for k in first.numbers},
            {k: [label for p in parts for label in p.categories[k]] for k in first.categories},
        )

    def matrix(self) -> Counts:
        """The numbers as an (n, descriptors) array, in `NUMBERS` order, log-scaled counts
        (a classifier should not weigh a 4,000-character answer 100x a 40-character one)."""
        columns = [np.log1p(np.maximum(self.numbers[name], 0.0)) for name in self.numbers]
        if not columns:
            return np.zeros((0, 0))
        return np.column_stack(columns)

    def row(self, index: int) -> dict[str, float | str]:
        out: dict[str, float | str] = {k: float(v[index]) for k, v in self.numbers.items()}
        out.update({k: v[index] for k, v in self.categories.items()})
        return out


def describe(
    texts: Sequence[str],
    *,
    turns: Sequence[int] | None = None,
    phrases: PhraseLists = DEFAULT_PHRASES,
) -> Descriptors:
    """The descriptors of every text. `turns`: the number of turns of each text's sample."""
    batch = TextBatch.of(texts)
    n = len(texts)
    numbers: dict[str, Counts] = {"chars": batch.lengths.astype(np.float64)}
    chars = _character_counts(batch)
    numbers.update(chars)
    fences, line_counts = _line_structure(batch)
    numbers.update(line_counts)
    numbers["bold"] = batch.count_matches(_BOLD)
    numbers.update(_phrase_counts(texts, batch, phrases))
    numbers["placeholders"] = batch.count_at(
        start for start, _ in _placeholder_spans(batch, fences)
    )
    worded = chars["latin"] + chars["cjk"] + chars["other_letters"]  # words starting with a letter
    numbers["cjk_share"] = np.divide(chars["cjk"], worded, out=np.zeros(n), where=worded > 0)
    if turns is not None:
        numbers["turns"] = np.asarray(turns, dtype=np.float64)
    categories = {
        "layout": _layouts(numbers),
        "script": _scripts(chars["latin"], chars["cjk"], chars["other_letters"]),
        "opening": [opening_word(text) for text in texts],
        "asks_back": ["yes" if asks_back(text) else "no" for text in texts],
    }
    ordered = {name: numbers[name] for name in NUMBERS if name in numbers}
    return Descriptors(ordered, categories)


def opening_word(text: str) -> str:
    """The first word, lower-cased (the first two characters of CJK text); "" for none."""
    found = _OPENING.match(text, 0, 80)
    if found is None:
        return ""
    word = found.group(1)
    if is_cjk(word[0]):
        cjk = "".join(c for c in word[:2] if is_cjk(c))
        return cjk
    return word.lower()


def asks_back(text: str) -> bool:
    """Whether the last sentence of the text is a question."""
    tail = text.rstrip()[-300:]
    question = max(tail.rfind("?"), tail.rfind("？"))
    if question < 0:
        return False
    other_end = max(tail.rfind(mark) for mark in (".", "!", "。", "！", "\n"))
    return question > other_end


def placeholders_in(text: str) -> list[str]:
    """The unresolved template placeholders of one text, as written ({{name}}, [NAME], ...)."""
    batch = TextBatch.of([text])
    fences, _ = _line_structure(batch)
    return [batch.joined[a:b] for a, b in _placeholder_spans(batch, fences)]


def _character_counts(batch: TextBatch) -> dict[str, Counts]:
    words = batch.word_chars
    word_start = words.copy()
    word_start[1:] &= ~words[:-1]
    cjk = batch.has(CJK)
    flags = batch.flags
    # a sentence ends where a run of terminal marks is followed by a space or a closing mark
    # (the last character of the batch is a newline, so [1:] and [:-1] cover every pair)
    sentence_end = np.zeros(len(flags), dtype=bool)
    following = flags[1:]
    sentence_end[:-1] = (
        batch.has(TERMINAL)[:-1]
        & ((following & TERMINAL) == 0)
        & (((following & (SPACE | CLOSER)) != 0) | batch.has(FULLWIDTH_TERMINAL)[:-1])
    )
    # a line of text that ends without a terminal mark ends a sentence too: its last visible
    # character (spaces before the line break do not count) is no terminal or closing mark
    newlines = np.flatnonzero(batch.has(NEWLINE))
    visible = np.where(batch.has(SPACE), -1, np.arange(len(flags), dtype=np.int32))
    last_visible = np.maximum.accumulate(visible)[np.maximum(newlines - 1, 0)]
    line_start = np.concatenate([[0], newlines[:-1]])
    has_text = last_visible > line_start
    open_end = (flags[np.maximum(last_visible, 0)] & (TERMINAL | CLOSER)) == 0
    sentence_end[newlines[has_text & open_end]] = True
    names = ("words", "sentences", "emoji", "exclamations", "latin", "cjk", "other_letters")
    counts = batch.per_text(
        word_start | cjk,
        sentence_end,
        batch.has(EMOJI),
        batch.has(EXCLAIM),
        word_start & batch.has(LATIN),
        cjk,
        word_start & batch.has(OTHER_LETTER),
    )
    return dict(zip(names, counts, strict=True))


def _line_structure(batch: TextBatch) -> tuple[npt.NDArray[np.int64], dict[str, Counts]]:
    """Where code fences are, and per text: paragraphs and the markdown that starts a line."""
    n = len(batch)
    newline = batch.has(NEWLINE)
    breaks = np.flatnonzero(newline)  # line j runs from after breaks[j] to breaks[j + 1]
    content = ~batch.has(SPACE)
    line_of = np.cumsum(newline, dtype=np.int32)[content] - 1
    has_content = np.bincount(line_of, minlength=len(breaks))[: len(breaks) - 1] > 0
    line_owner = batch.owners(breaks[1:] - 1)  # the last character of the line, or its start
    first = np.insert(line_owner[1:] != line_owner[:-1], 0, True)
    after_blank = np.insert(~has_content[:-1], 0, True)
    starts_paragraph = has_content & (first | after_blank)
    paragraphs = np.bincount(line_owner[starts_paragraph], minlength=n).astype(np.float64)
    found: dict[str, list[int]] = {kind: [] for kind in _LINE_KINDS.values()}
    for match in _LINE_START.finditer(batch.joined):
        found[match.lastgroup or ""].append(match.start() + 1)
    out = {name: batch.count_at(found[kind]) for name, kind in _LINE_KINDS.items()}
    out["code_blocks"] = np.ceil(out.pop("fences") / 2)
    out["paragraphs"] = paragraphs
    return np.asarray(found["fence"], dtype=np.int64), out


def _phrase_counts(
    texts: Sequence[str], batch: TextBatch, phrases: PhraseLists
) -> dict[str, Counts]:
    lowered = batch.joined.lower()
    if len(lowered) != len(batch.joined):  # "İ" lower-cases to two characters
        lowered = batch.joined.replace("İ", "I").lower()
    if len(lowered) != len(batch.joined):  # another such letter: lower each text apart
        batch = TextBatch.of([text.lower() for text in texts])
        lowered = batch.joined
    patterns, category_of = phrases.patterns()
    found: dict[str, list[int]] = {name: [] for name in CATEGORY_NAMES}
    for match in (m for pattern in patterns for m in pattern.finditer(lowered)):
        start = match.start()
        before = lowered[start - 1]
        if (
            lowered[start].isascii()
            and lowered[start].isalnum()
            and (before.isalnum() or before in "_'")
        ):
            continue  # inside a word: "sorry" in "unsorry"
        found[category_of[match.group()]].append(start)
    return {name: batch.count_at(positions) for name, positions in found.items()}


def _placeholder_spans(batch: TextBatch, fences: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Where placeholders sit in the joined text; none inside a fenced code block (a template
    shown as code is an example, not a leftover)."""
    joined = batch.joined
    spans = [
        (match.start(), match.end())
        for match in _PLACEHOLDER.finditer(joined)
        if _is_placeholder(match.group(), joined, match.start(), match.end())
    ]
    if not spans or not len(fences):
        return spans
    positions = np.array([start for start, _ in spans], dtype=np.int64)
    text_start = batch.starts[np.maximum(batch.owners(positions), 0)]
    before = np.searchsorted(fences, positions) - np.searchsorted(fences, text_start)
    return [span for span, inside in zip(spans, before % 2 == 1, strict=True) if not inside]


def _is_placeholder(found: str, joined: str, start: int, end: int) -> bool:
    opener = found[0]
    if found.startswith("{{"):
        return True
    if opener == "{":  # not ${x} (a shell or JS template) nor \begin{array} or x^{2} (LaTeX)
        before = joined[start - 1]
        return not (before.isalnum() or before in "$\\^_}") and not found[1:-1].isdigit()
    inner = found[1:-1].strip()
    if opener == "[":
        if _CAPS_NAME.fullmatch(inner) and len(inner) >= 4:
            return True
        return bool(_FILL_IN.match(inner)) or bool(_ZH_FILL_IN.fullmatch(inner))
    if opener == "【":
        return bool(_ZH_FILL_IN.fullmatch(inner))
    if opener == "<":
        return bool(_CAPS_NAME.fullmatch(inner) and len(inner) >= 4) or inner.lower().startswith(
            ("your ", "insert ")
        )
    # XX...: a blank in Chinese text ("XX公司"), not a Roman numeral or a word
    before, after = joined[start - 1], joined[end] if end < len(joined) else " "
    return (is_cjk(before) or is_cjk(after)) and not (before.isalpha() and not is_cjk(before))


def _layouts(numbers: dict[str, Counts]) -> list[str]:
    code = numbers["code_blocks"] > 0
    table = numbers["table_rows"] >= 2
    listed = numbers["bullets"] + numbers["numbered"] >= 2
    out = np.where(code, "code", np.where(table, "table", np.where(listed, "list", "prose")))
    return [str(v) for v in out]


def _scripts(latin: Counts, cjk: Counts, other: Counts) -> list[str]:
    total = latin + cjk + other
    stacked = np.column_stack([latin, cjk, other])
    top = stacked.argmax(axis=1)
    share = np.divide(stacked.max(axis=1), total, out=np.zeros(len(total)), where=total > 0)
    names = np.array(["latin", "cjk", "other"])[top]
    out = np.where(total == 0, "none", np.where(share >= 0.8, names, "mixed"))
    return [str(v) for v in out]

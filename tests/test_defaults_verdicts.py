"""The published cosine thresholds of the pair judgement (README, "Checks": one verdict per pair,
analysis/pair_judge.py), pinned: real GSM8K samples changed as a user would change them (an
answer restyled with the same result, a question reworded, an answer that commits to no result,
another result), each given embedding vectors whose cosines with its original sit 0.005 from a
default, one case on each side, and judged by the pair analysis with the thresholds the command
line sets up in a repository without a config. Moving any default by 0.01 changes a verdict.

The vectors are designed rather than the model's (every text its own direction, a changed text
leaning towards its original by the chosen cosine), so that each default is met at a known
distance without the model; tests/test_defaults_model.py judges rewordings the real model
measured.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import Corpus, corpus_of_change
from datatenet.analysis.findings import Finding
from datatenet.analysis.pair_verdicts import pair_findings
from datatenet.analysis.semantic import CorpusVectors
from datatenet.analysis.thresholds import Thresholds
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from datatenet.repo.analyses import repo_analysis_config
from datatenet.repo.repository import Repo as Repository
from tests import rewordings
from tests.repos import Repo

README = Path(__file__).resolve().parent.parent / "README.md"
CHECKS = frozenset({"exact", "near", "semantic", "conflicts"})
# Written for these tests: an answer that commits to no result (longer than a short answer,
# no number), so that the answers' cosine decides.
NONCOMMITTAL = (
    "It depends on details the question leaves open, so rather than give one figure I would ask"
    " which reading is meant, work through each of them with you step by step, and check the"
    " result against the facts stated before settling on any of them."
)
REWORDED = "Here is a word problem for you to solve. "  # a prefix: another prompt id


@dataclass(frozen=True)
class Case:
    answer: str  # "same result", "other result" or "noncommittal"
    reworded: bool  # the question in other words (another prompt id), else the same prompt
    prompt_cosine: float
    answer_cosine: float
    expect: str | None  # the verdict at the published defaults
    default: str  # the Thresholds field the case sits beside


# One case per row of the 30 GSM8K samples, each beside one default.
CASES = [
    Case("noncommittal", False, 1.0, 0.855, "semantic-duplicate", "semantic_duplicate"),
    Case("noncommittal", False, 1.0, 0.845, "possible-duplicate", "semantic_duplicate"),
    Case("same result", False, 1.0, 0.855, "semantic-duplicate", "semantic_duplicate"),
    Case("same result", False, 1.0, 0.845, None, "semantic_duplicate"),  # a restyle
    Case("noncommittal", False, 1.0, 0.805, "possible-duplicate", "possible_duplicate"),
    Case("noncommittal", False, 1.0, 0.795, None, "possible_duplicate"),
    Case("same result", True, 0.9, 0.755, "semantic-duplicate", "semantic_same_result"),
    Case("same result", True, 0.9, 0.745, None, "semantic_same_result"),
    Case("other result", True, 0.855, 0.5, "contradiction", "conflict_prompt"),
    Case("other result", True, 0.845, 0.5, None, "conflict_prompt"),
    Case("noncommittal", False, 1.0, 0.705, None, "conflict_answer"),
    Case("noncommittal", False, 1.0, 0.695, "contradiction", "conflict_answer"),
]


@pytest.fixture
def thresholds(tmp_path: Path) -> Thresholds:
    """The thresholds the command line sets up in a repository without a config file."""
    repo = Repo(tmp_path / "repo")
    with Repository.open(repo.path) as opened:
        config: AnalysisConfig = repo_analysis_config(opened, "all")
    return config.thresholds


def _result(answer: str) -> int:
    found = re.search(r"####\s*(\d+)", answer)
    assert found, answer
    return int(found.group(1))


def _changed(row: dict[str, Any], case: Case) -> dict[str, Any]:
    system, user, assistant = (dict(m) for m in row["messages"])
    result = _result(assistant["content"])
    if case.reworded:
        user["content"] = REWORDED + user["content"]
    worked = "Worked out again in other words, the total"
    assistant["content"] = {
        "same result": f"{worked} stays as it was.\n#### {result}",
        "other result": f"{worked} changes.\n#### {result + 7}",
        "noncommittal": NONCOMMITTAL,
    }[case.answer]
    return {"messages": [system, user, assistant]}


def _change(directory: Path) -> Corpus:
    rows = [json.loads(line) for line in rewordings.GSM8K.read_text("utf-8").splitlines()]
    added = [_changed(rows[number], case) for number, case in enumerate(CASES)]
    old, new = directory / "old.jsonl", directory / "new.jsonl"
    for path, written in ((old, rows), (new, rows + added)):
        path.write_text("".join(json.dumps(r) + "\n" for r in written), encoding="utf-8")
    return corpus_of_change(
        diff_versions(load_file(old, LoadOptions()), load_file(new, LoadOptions()))
    )


def _designed_vectors(corpus: Corpus) -> CorpusVectors:
    """Every prompt and answer its own direction; case k's prompt and answer lean towards those
    of GSM8K row k by the case's cosines (a cosine of 1 is the original's vector)."""
    existing, new = len(corpus.existing), len(corpus.new)
    assert (existing, new) == (30, len(CASES))
    assert all(item.question is None for item in corpus.everyone)  # single turns: no last-turn
    basis = np.eye(2 * (existing + new), dtype=np.float32)
    existing_prompts, existing_answers = basis[:existing], basis[existing : 2 * existing]
    own = basis[2 * existing :]
    origins = {Path(item.origin).name: n for n, item in enumerate(corpus.existing)}
    new_prompts, new_answers = [], []
    for index, item in enumerate(corpus.new):
        number = int(Path(item.origin).name.split(":")[1]) - 31
        source = origins[f"new.jsonl:{number + 1}"]
        case = CASES[number]
        for cosine, base, out, mine in (
            (case.prompt_cosine, existing_prompts, new_prompts, own[2 * index]),
            (case.answer_cosine, existing_answers, new_answers, own[2 * index + 1]),
        ):
            out.append(cosine * base[source] + np.sqrt(1 - cosine**2) * mine)
    return CorpusVectors(
        np.array(new_prompts, dtype=np.float32),
        np.array(new_answers, dtype=np.float32),
        existing_prompts,
        existing_answers,
    )


def _verdicts(findings: list[Finding]) -> dict[int, str]:
    """case number -> the kind of its one finding; every finding names the case's original."""
    out: dict[int, str] = {}
    for finding in findings:
        number = int(Path(finding.sample.origin).name.split(":")[1]) - 31
        assert Path(finding.matched.origin).name == f"new.jsonl:{number + 1}", finding
        assert number not in out, finding
        out[number] = finding.kind
    return out


def test_every_cosine_default_decides_a_verdict_a_hair_either_side(
    tmp_path: Path, thresholds: Thresholds
) -> None:
    corpus = _change(tmp_path)
    model = AnalysisConfig().model
    findings = pair_findings(corpus, CHECKS, thresholds, _designed_vectors(corpus), model)
    expected = {n: c.expect for n, c in enumerate(CASES) if c.expect is not None}
    assert _verdicts(findings) == expected
    for finding in findings:
        case = CASES[int(Path(finding.sample.origin).name.split(":")[1]) - 31]
        if finding.kind == "contradiction" and case.answer == "other result":
            assert finding.tier == "semantic" and "final answer" in finding.explanation
        elif finding.kind == "contradiction":
            assert finding.tier == "prompt-id" and "answer cosine 0.69" in finding.explanation
        else:
            assert finding.score == pytest.approx(min(case.prompt_cosine, case.answer_cosine))


def test_every_cosine_default_has_a_case_on_each_side(thresholds: Thresholds) -> None:
    """The cases above straddle every cosine threshold of `Thresholds` (the lexical ones are
    pinned in tests/test_defaults.py), 0.005 away."""
    lexical = {"near_duplicate", "near_answer", "conflict_answer_lexical"}
    lexical |= {"paraphrase_prompt_characters", "paraphrase_answer_characters"}
    cosine = {f.name for f in fields(Thresholds)} - lexical
    assert {c.default for c in CASES} == cosine
    for name in cosine:
        value = getattr(thresholds, name)
        beside = [c.answer_cosine if name != "conflict_prompt" else c.prompt_cosine for c in CASES]
        sides = [b - value for c, b in zip(CASES, beside, strict=True) if c.default == name]
        assert {round(s, 6) for s in sides} == {-0.005, 0.005}, name


def test_the_readme_publishes_every_default() -> None:
    """README's table of checks gives `name = value` for every threshold: the values of
    `Thresholds()`."""
    text = README.read_text(encoding="utf-8")
    for field in fields(Thresholds):
        published = re.findall(rf"`{field.name} = ([0-9.]+)`", text)
        assert published, f"README.md does not publish {field.name}"
        assert {float(v) for v in published} == {getattr(Thresholds(), field.name)}, field.name

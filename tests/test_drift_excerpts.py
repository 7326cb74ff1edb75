"""The drift checks on the small excerpts of tests/data (no ../shared needed), and through the
real `datatenet diff --json`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from datatenet.analysis.base import AnalysisConfig
from datatenet.analysis.corpus import Corpus, Item, corpus_of_version
from datatenet.analysis.registry import analyse, parse_checks
from datatenet.formats.load import LoadOptions, load_file
from tests.conftest import TEST_DATA, run_cli

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"
ORCA = TEST_DATA / "orca_dpo_validation_head30.jsonl"


def excerpt(path: Path) -> list[Item]:
    return list(corpus_of_version(load_file(path, LoadOptions())).new)


def test_contamination_and_noise_on_excerpts() -> None:
    evals = excerpt(GSM8K)
    training = excerpt(ORCA)
    copies = [
        replace(
            evals[i],
            prompt=evals[i].prompt.replace(" ", "  ", 3) + " Please answer.",
            sample_id=f"copy{i}",
            prompt_id=f"copy{i}",
            origin=f"train.jsonl:{i + 1}",
        )
        for i in (0, 9, 21)
    ]
    noisy = replace(
        training[20], response="Dear [Your Name], the answer is", origin="train.jsonl:99"
    )
    corpus = Corpus((*copies, noisy, *training[21:25]), tuple(training[:20]), tuple(evals))
    found = analyse(corpus, AnalysisConfig(parse_checks("contamination,noise")))
    contaminated = sorted(f.sample.origin for f in found.findings if f.kind == "contamination")
    assert contaminated == ["train.jsonl:1", "train.jsonl:10", "train.jsonl:22"]
    noise = {(f.sample.origin, f.tier) for f in found.findings if f.kind == "noise"}
    assert noise == {("train.jsonl:99", "placeholder"), ("train.jsonl:99", "truncated")}


def test_diff_json_carries_the_measures(tmp_path: Path) -> None:
    base_rows = [json.loads(line) for line in GSM8K.read_text("utf-8").splitlines()]
    head_rows = [*base_rows]
    for row in base_rows[:20]:  # twenty new samples answered as a chatty list
        messages = [dict(m) for m in row["messages"]]
        answer = messages[-1]["content"]
        steps = "\n".join(
            f"- **Step {n + 1}:** {line}" for n, line in enumerate(answer.split("\n"))
        )
        messages[-1]["content"] = f"Sure! 😊 Here you go:\n\n{steps}\n\nHope this helps!"
        messages[1]["content"] += " (new)"
        head_rows.append({"messages": messages})
    base, head = tmp_path / "base.jsonl", tmp_path / "head.jsonl"
    base.write_text("".join(json.dumps(r) + "\n" for r in base_rows), "utf-8")
    head.write_text("".join(json.dumps(r) + "\n" for r in head_rows), "utf-8")
    done = run_cli("diff", base, head, "--json", "--checks", "style,noise,coverage,focus")
    assert done.returncode == 0, done.stderr
    dataset = json.loads(done.stdout)["datasets"][0]
    measures = {m["name"]: m for m in dataset["measures"]}
    expected = {"noise_share", "style_drift_auc", "style_drift_descriptors", "coverage_shift"}
    assert expected | {"focus_entropy"} <= set(measures)
    assert measures["style_drift_descriptors"]["value"] >= 1
    assert measures["style_drift_auc"]["combine"] == "max"
    assert measures["style_drift_auc"]["details"]["descriptors"][0]["significant"] is True
    assert measures["coverage_shift"]["details"]["vectors"] == "lexical"
    assert any("TF-IDF" in note for note in dataset["notes"])

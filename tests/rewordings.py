"""The rewordings of tests/data/gsm8k_rewordings.jsonl as a change to real GSM8K samples, for
the tests that pin the embedding thresholds (tests/test_defaults.py with a stand-in embedder,
tests/test_defaults_model.py with the real model).

Each line rewords sample `of` of tests/data/gsm8k_chat_train_head30.jsonl: its prompt (`prompt`,
null for the same prompt) and its answer, with the cosines all-MiniLM-L6-v2 gives them against
the original (`prompt_cosine`, `answer_cosine`) and what the published defaults make of it
(`expect`: semantic-duplicate, contradiction, or null for nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from datatenet.analysis.corpus import Corpus, corpus_of_change
from datatenet.analysis.findings import Finding
from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file
from tests.conftest import TEST_DATA

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"
REWORDINGS = TEST_DATA / "gsm8k_rewordings.jsonl"


@dataclass(frozen=True)
class Case:
    of: int  # index of the reworded sample in GSM8K
    prompt: str | None
    answer: str
    prompt_cosine: float
    answer_cosine: float
    expect: str | None
    number: int  # its line in the file, from 0

    @property
    def origin(self) -> str:
        return f"new.jsonl:{31 + self.number}"  # appended after the 30 originals

    @property
    def source(self) -> str:
        return f"new.jsonl:{self.of + 1}"


def cases() -> list[Case]:
    lines = REWORDINGS.read_text(encoding="utf-8").splitlines()
    return [Case(**json.loads(line), number=n) for n, line in enumerate(lines)]


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GSM8K.read_text(encoding="utf-8").splitlines()]


def change(directory: Path) -> Corpus:
    """The 30 real samples, then the same file with the rewordings appended: a real diff."""
    rows = _rows()
    added = []
    for case in cases():
        system, user, assistant = (dict(m) for m in rows[case.of]["messages"])
        if case.prompt is not None:
            user["content"] = case.prompt
        assistant["content"] = case.answer
        added.append({"messages": [system, user, assistant]})
    old, new = directory / "old.jsonl", directory / "new.jsonl"
    for path, written in ((old, rows), (new, rows + added)):
        path.write_text("".join(json.dumps(r) + "\n" for r in written), encoding="utf-8")
    return corpus_of_change(
        diff_versions(load_file(old, LoadOptions()), load_file(new, LoadOptions()))
    )


def outcomes(findings: Sequence[Finding]) -> dict[str, tuple[str, str]]:
    """new sample origin -> (kind, matched origin), one finding per sample."""
    out: dict[str, tuple[str, str]] = {}
    for finding in findings:
        sample, matched = Path(finding.sample.origin).name, Path(finding.matched.origin).name
        assert sample not in out, finding
        out[sample] = (finding.kind, matched)
    return out


def expected() -> dict[str, tuple[str, str]]:
    return {c.origin: (c.expect, c.source) for c in cases() if c.expect is not None}


class Designed:
    """A stand-in embedder whose vectors have exactly the recorded cosines: every text of the
    corpus gets its own direction, and a reworded text leans towards its original by the
    cosine the real model measured. Unknown texts are an error, not a vector."""

    name = "designed-cosines"

    def __init__(self, corpus: Corpus) -> None:
        texts: list[str] = []
        for item in (*corpus.existing, *corpus.new):
            texts += [item.prompt, item.response]
        distinct = list(dict.fromkeys(texts))
        basis = np.eye(len(distinct), dtype=np.float64)
        self.vectors: dict[str, npt.NDArray[np.float64]] = {
            text: basis[i] for i, text in enumerate(distinct)
        }
        originals = {Path(item.origin).name: item for item in corpus.existing}
        reworded = {Path(item.origin).name: item for item in corpus.new}
        for case in cases():
            source, new = originals[case.source], reworded[case.origin]
            for old_text, new_text, cosine in (
                (source.prompt, new.prompt, case.prompt_cosine),
                (source.response, new.response, case.answer_cosine),
            ):
                if old_text != new_text:
                    own = self.vectors[new_text]
                    leaning = cosine * self.vectors[old_text] + np.sqrt(1 - cosine**2) * own
                    self.vectors[new_text] = leaning

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)

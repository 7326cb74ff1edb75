"""The rewordings of tests/data/gsm8k_rewordings.jsonl as a change to real GSM8K samples, judged
with the real model by tests/test_defaults_model.py (tests/test_defaults_verdicts.py pins each
embedding threshold with designed cosines).

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

"""Acceptance on the real datasets of ../shared/data (skipped where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from datatenet.diff import diff_versions
from datatenet.formats.load import LoadOptions, load_file

MEDICALGPT_MAP = {
    "prompt": "question",
    "chosen": "response_chosen",
    "rejected": "response_rejected",
}


def _versions(shared_data: Path) -> dict[str, Path]:
    root = shared_data / "medicalgpt" / "dpo_zh_versions"
    return {
        "v1": root / "v1_0195115" / "dpo_zh.jsonl",
        "v2": root / "v2_2cd86ef" / "dpo_zh_500.jsonl",
        "v3": root / "v3_d5f7a1a" / "dpo_zh_500.jsonl",
        "v4": root / "v4_9200708" / "dpo_zh_500.jsonl",
    }


def test_field_rename_is_no_change(shared_data: Path) -> None:
    files = _versions(shared_data)
    base = load_file(files["v2"], LoadOptions(mapping=MEDICALGPT_MAP))
    head = load_file(files["v3"], LoadOptions())
    summary = diff_versions(base, head).summary
    assert (summary.added, summary.removed, summary.modified) == (0, 0, 0)
    assert summary.unchanged == 500


def test_restructuring_into_sharegpt_is_no_change(shared_data: Path) -> None:
    files = _versions(shared_data)
    base, head = load_file(files["v3"], LoadOptions()), load_file(files["v4"], LoadOptions())
    assert (base.schema, head.schema) == ("preference", "sharegpt-ranking")
    summary = diff_versions(base, head).summary
    assert (summary.added, summary.removed, summary.modified, summary.unchanged) == (0, 0, 0, 500)


def test_appended_rows_are_added(shared_data: Path) -> None:
    files = _versions(shared_data)
    options = LoadOptions(mapping=MEDICALGPT_MAP)
    changeset = diff_versions(load_file(files["v1"], options), load_file(files["v2"], options))
    summary = changeset.summary
    assert (summary.added, summary.removed, summary.modified, summary.unchanged) == (71, 0, 0, 429)
    assert [changeset.head.entries[i].position for i in changeset.added] == list(range(430, 501))


@pytest.mark.parametrize(
    ("relative", "schema", "count"),
    [
        ("llama_factory/alpaca_en_demo.json", "alpaca", 999),
        ("llama_factory/alpaca_zh_demo.json", "alpaca", 1000),
        ("llama_factory/identity.json", "alpaca", 91),
        ("llama_factory/dpo_en_demo.json", "sharegpt-ranking", 300),
        ("llama_factory/glaive_toolcall_en_demo.json", "sharegpt", 300),
        ("llama_factory/kto_en_demo.json", "kto", 300),
        ("medicalgpt/sharegpt_zh_1K_format.jsonl", "sharegpt", 1000),
        ("msft_foundry_samples/orca_dpo_pairs/validation.jsonl", "openai-dpo", 284),
        ("msft_foundry_samples/text_gsm8k/chat_train.jsonl", "messages", 449),
        ("msft_foundry_samples/tool_calling/stock_toolcall_training.jsonl", "messages", 86),
    ],
)
def test_real_files_load_with_their_schema(
    shared_data: Path, relative: str, schema: str, count: int
) -> None:
    version = load_file(shared_data / relative, LoadOptions())
    assert version.schema == schema
    assert len(version.entries) == count
    assert not version.invalid

"""Real data for the drift tests: answers and prompts of ../shared/data, and the rewrites the
tests plant in them (a verbose, list-heavy restyle; truncation; placeholders)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from datatenet.analysis.corpus import Item, corpus_of_version
from datatenet.formats.load import LoadOptions, load_file

ALPACA_EN = "llama_factory/alpaca_en_demo.json"
ALPACA_ZH = "llama_factory/alpaca_zh_demo.json"
GSM8K = "msft_foundry_samples/text_gsm8k/chat_train.jsonl"
GSM8K_EVAL = "msft_foundry_samples/text_gsm8k/chat_validation.jsonl"
TOOLCALL = "llama_factory/glaive_toolcall_en_demo.json"
IDENTITY = "llama_factory/identity.json"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_CLAUSE_END = re.compile(r"(?<=[.!?。！？,，;；])\s*")


def items(root: Path, name: str) -> list[Item]:
    return list(corpus_of_version(load_file(root / name, LoadOptions())).new)


def split(values: list[Item], share: float, seed: int) -> tuple[list[Item], list[Item]]:
    order = list(range(len(values)))
    random.Random(seed).shuffle(order)
    cut = int(len(values) * share)
    return [values[i] for i in order[:cut]], [values[i] for i in order[cut:]]


def verbose_list(answer: str, chinese: bool = False, clauses: bool = False) -> str:
    """The answer rewritten much longer and list-heavy: an opening line, every sentence (or
    clause) a bold bullet with an elaboration, a closing offer."""
    pattern = _CLAUSE_END if clauses else _SENTENCE_END
    sentences = [s.strip() for s in pattern.split(answer) if s.strip()]
    if chinese:
        bullets = [
            f"- **要点{i + 1}：** {s} 这一点非常重要，值得详细说明。"
            for i, s in enumerate(sentences)
        ]
        return "当然！下面是详细的分步解答：\n\n" + "\n".join(bullets) + "\n\n希望这对您有帮助！"
    bullets = [
        f"- **Point {i + 1}:** {s} This is worth explaining in more detail."
        for i, s in enumerate(sentences)
    ]
    return (
        "Certainly! Here is a detailed, step-by-step answer:\n\n"
        + "\n".join(bullets)
        + "\n\nI hope this helps! Let me know if you would like more details."
    )

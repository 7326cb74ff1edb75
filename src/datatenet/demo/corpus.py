"""The demo's datasets, assembled deterministically from the hand-written material of
demo/intents.py and demo/batches.py: the support dataset the story starts from, and the batch
each later commit adds.

The files in `datatenet/demo/data/` are this module's output (`python -m datatenet.demo.corpus`
writes them again; a test checks that they match).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datatenet.demo import batches
from datatenet.demo.intents import INTENTS
from datatenet.demo.platforms import CLOSERS, OPENERS, PLATFORMS
from datatenet.demo.questions import MORE_QUESTIONS

SYSTEM = (
    "You are Quillnote's support assistant. Answer the user's question about the Quillnote "
    "note-taking app for their platform."
)
DATA_DIR = Path(__file__).parent / "data"
SEED = 20240611
NAMES = (
    "support.jsonl",
    "lost_notes.jsonl",
    "duplicates.jsonl",
    "logs.jsonl",
    "friendly.jsonl",
    "misc.jsonl",
    "eval.jsonl",
)
Record = dict[str, Any]


def sample(question: str, answer: str, source: str) -> Record:
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ],
        "source": source,
    }


def _fill(template: str, platform: str) -> str:
    return template.format(**PLATFORMS[platform]) if "{" in template else template


def _ask(rng: random.Random, question: str) -> str:
    closer = rng.choice(CLOSERS) if "{context}" not in question else ""
    text = rng.choice(OPENERS) + question + closer
    return text[0].upper() + text[1:] if rng.random() < 0.7 else text


def _platform_samples(
    rng: random.Random,
    pairs: Sequence[tuple[str, str]],
    source: str,
    per_question: int,
    start: int = 0,
) -> list[Record]:
    names = list(PLATFORMS)
    out = []
    for index, (question, answer) in enumerate(pairs):
        # One sample per platform whose steps differ: an answer that names no platform is
        # the same answer everywhere, and a second copy would only repeat it.
        slots = answer.count("{") - answer.count("{{") * 2
        count = min(per_question, slots) if slots > 0 else 1
        for k in range(count):
            platform = names[(start + index + 2 * k) % len(names)]
            asked = question if "{on}" in question or k == 0 else f"{question} {{context}}"
            out.append(sample(_fill(_ask(rng, asked), platform), _fill(answer, platform), source))
    return out


def support(rng: random.Random) -> list[Record]:
    """The handbook answers: every intent, every phrasing, on a few platforms. The last of
    each intent's further phrasings is kept back for the restyled batch (`friendly`)."""
    pairs = [
        (question, intent.answer)
        for intent in INTENTS
        for question in (*intent.questions, *MORE_QUESTIONS[intent.key][:-1])
    ]
    return _platform_samples(rng, pairs, "handbook", per_question=3)


CHEERS = (
    "Great question! 🎉",
    "Oh, I love this one! 😊",
    "Absolutely, happy to help! 🙌",
    "Ooh, good one! ✨",
    "No worries at all, I've got you! 💪",
)
HEADINGS = ("Here's how 🚀", "Step by step ✨", "Let's do it! 🛠️", "Easy peasy 🍋")
SIGN_OFFS = (
    "Hope that helps, and have a wonderful day! 🌟",
    "Happy note-taking! 😄",
    "Let me know if there's anything else I can do for you! 💙",
    "You've got this! 🎉",
)
STEP_WORDS = ("First", "Next", "Then", "Finally")


def restyled(rng: random.Random, answer: str) -> str:
    """A handbook answer rewritten in a chatty voice: cheers, headings, emoji, bullets."""
    lead, _, rest = answer.partition("\n\n")
    steps = [line.split(". ", 1)[1] for line in rest.splitlines() if line[:1].isdigit()]
    tail = rest.split("\n\n", 1)[1] if "\n\n" in rest else ""
    bullets = [
        f"- **{STEP_WORDS[min(i, 3) if i < len(steps) - 1 else 3]}**, {step[0].lower()}{step[1:]}"
        for i, step in enumerate(steps)
    ]
    parts = [
        f"{rng.choice(CHEERS)} {lead} Here's everything you need!",
        f"## {rng.choice(HEADINGS)}",
    ]
    parts.append("\n".join(bullets))
    if tail:
        parts += ["## Good to know 💡", f"- {tail}"]
    parts.append(rng.choice(SIGN_OFFS))
    return "\n\n".join(parts)


def friendly(rng: random.Random) -> list[Record]:
    """The kept-back phrasings answered in the chatty voice, and a few written that way."""
    pairs = [(MORE_QUESTIONS[i.key][-1], restyled(rng, i.answer)) for i in INTENTS]
    return _platform_samples(rng, [*pairs, *batches.FRIENDLY], "rewrite", per_question=1)


def duplicates(rng: random.Random, base: Sequence[Record]) -> list[Record]:
    """Handbook samples copied again: some exactly, some with a word or two changed."""
    picked = rng.sample(list(base), 16)
    out = [dict(record, source="handbook-copy") for record in picked[:10]]
    for record in picked[10:]:
        messages = [dict(m) for m in record["messages"]]
        messages[1]["content"] = messages[1]["content"].rstrip("?!. ") + "? Thanks a lot!"
        messages[2]["content"] = messages[2]["content"].replace("1. ", "1. First, ", 1)
        out.append({"messages": messages, "source": "handbook-copy"})
    return out


def logs(rng: random.Random, base: Sequence[Record]) -> list[Record]:
    """Raw support logs: noise, and answers that contradict the handbook for its own
    questions (the same prompt, word for word)."""
    out = _platform_samples(rng, batches.RAW_LOGS, "logs", per_question=1, start=1)
    for question, answer in batches.CONTRADICTING:
        stem = question.split("{on}")[0].strip().lower()
        for record in base:
            asked = record["messages"][1]["content"]
            if asked.lower().startswith(stem) or asked.lower().endswith(stem):
                platform = next(
                    (p for p, words in PLATFORMS.items() if words["on"] in asked), "web"
                )
                messages = [dict(m) for m in record["messages"]]
                messages[2]["content"] = _fill(answer, platform)
                out.append({"messages": messages, "source": "logs"})
                break
    rng.shuffle(out)
    return out


def held_out(logged: Sequence[Record]) -> list[Record]:
    """The eval set: held-out questions, and the raw-log samples that copy two of them."""
    out = [sample(q, a, "eval") for q, a in batches.HELD_OUT]
    for start in batches.EVAL_COPIED:
        found = next(r for r in logged if start.lower() in r["messages"][1]["content"].lower())
        out.append(dict(found, source="eval"))
    return out


def build() -> dict[str, list[Record]]:
    rng = random.Random(SEED)
    base = support(rng)
    built = {
        "support.jsonl": base,
        "lost_notes.jsonl": _platform_samples(rng, batches.LOST_NOTES, "handbook", 2),
        "duplicates.jsonl": duplicates(rng, base),
        "logs.jsonl": logs(rng, base),
        "friendly.jsonl": friendly(rng),
        "misc.jsonl": [sample(q, a, "misc") for q, a in batches.SCATTERED],
    }
    built["eval.jsonl"] = held_out(built["logs.jsonl"])
    return built


def jsonl(records: Sequence[Record]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def write(directory: Path = DATA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, records in build().items():
        (directory / name).write_text(jsonl(records), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR)

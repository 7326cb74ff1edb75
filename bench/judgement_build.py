"""Build bench/judgement/derived.jsonl: the pairs of the judgement set made from ../shared/data.

Every pair is a real sample and a planted counterpart, chosen and edited with a fixed seed, so
the file is the same on every run. Text under MIT (GSM8K chats and Orca DPO pairs of
microsoft-foundry/fine-tuning) is written into the file; the LLaMA-Factory demo data and
MedicalGPT are quoted by reference with the edits to apply (bench/judgement_set.py resolves
them), since their licences do not let this repository hold a copy.

Kinds made here (the hand-written ones are in bench/judgement/handwritten.jsonl):
- exact: case, whitespace, fullwidth forms, spacing around "=" and "+" changed;
- near: one to three words changed, at most one per 25 words (one two-character edit per 50
  characters of Chinese), never a number, a negation or yes/no (that would change the answer);
- minimal-contradiction: a GSM8K final result (`#### N` and the line before) changed, or the
  last number of a short Chinese answer;
- reversed-preference: chosen and rejected exchanged; a KTO label flipped;
- restyle: a GSM8K solution against a short answer stating the same result;
- different-last-turn: a conversation and its continuation by one more exchange;
- unrelated: two samples of one file, the pair of most similar prompts among random candidates.

Run: python bench/judgement_build.py  (rewrites bench/judgement/derived.jsonl)
"""

from __future__ import annotations

import copy
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from judgement_set import SET_DIR, SHARED, Record, apply_edit, get, read_records, write_pairs

SEED = 9
NEGATIONS = frozenset(
    {
        *("no", "not", "nor", "never", "none", "nobody", "nothing", "neither", "without"),
        *("yes", "true", "false", "cannot", "can't", "don't", "doesn't", "isn't", "aren't"),
        *("wasn't", "weren't", "won't", "shouldn't", "couldn't", "wouldn't"),
    }
)
NEGATION_CHARACTERS = frozenset("不没无非未否别勿莫")
_WORD = re.compile(r"[a-z]+")  # lower-case words only: an edit never makes a name
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Source:
    name: str
    path: str
    lang: str
    data: str
    texts: tuple[tuple[Any, ...], ...]  # paths of the prompt, the answer (and the rejected answer)
    inline: bool  # licence allows copying the text into this repository
    max_chars: int = 2500

    @property
    def prompt(self) -> list[Any]:
        return list(self.texts[0])

    @property
    def answer(self) -> list[Any]:
        return list(self.texts[1])


GSM8K = Source(
    "gsm8k",
    "msft_foundry_samples/text_gsm8k/chat_train.jsonl",
    "en",
    "sft",
    (("messages", 1, "content"), ("messages", 2, "content")),
    True,
)
ORCA = Source(
    "orca",
    "msft_foundry_samples/orca_dpo_pairs/validation.jsonl",
    "en",
    "preference",
    (
        ("input", "messages", -1, "content"),
        ("preferred_output", 0, "content"),
        ("non_preferred_output", 0, "content"),
    ),
    True,
)
ALPACA_EN = Source(
    "alpaca_en",
    "llama_factory/alpaca_en_demo.json",
    "en",
    "sft",
    (("instruction",), ("output",)),
    False,
)
ALPACA_ZH = Source(
    "alpaca_zh",
    "llama_factory/alpaca_zh_demo.json",
    "zh",
    "sft",
    (("instruction",), ("output",)),
    False,
)
DPO_EN = Source(
    "dpo_en",
    "llama_factory/dpo_en_demo.json",
    "en",
    "preference",
    (("conversations", -1, "value"), ("chosen", "value"), ("rejected", "value")),
    False,
)
DPO_ZH = Source(
    "dpo_zh",
    "llama_factory/dpo_zh_demo.json",
    "zh",
    "preference",
    (("conversations", -1, "value"), ("chosen", "value"), ("rejected", "value")),
    False,
)
KTO = Source(
    "kto",
    "llama_factory/kto_en_demo.json",
    "en",
    "kto",
    (("messages", -2, "content"), ("messages", -1, "content")),
    False,
)
HH = Source("hh", ORCA.path, "en", "preference", ORCA.texts, True)
SHAREGPT_ZH = Source(
    "sharegpt_zh",
    "medicalgpt/sharegpt_zh_1K_format.jsonl",
    "zh",
    "sft",
    (("conversations", 0, "value"), ("conversations", 1, "value")),
    False,
)


class Builder:
    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.rng = random.Random(SEED)
        self.records: dict[str, list[Record]] = {}
        self.used: dict[str, set[int]] = {}
        self.pairs: list[Record] = []

    # -- records ------------------------------------------------------------------------------

    def rows(self, source: Source) -> list[Record]:
        if source.name not in self.records:
            self.records[source.name] = read_records(self.shared / source.path)
        return self.records[source.name]

    def candidates(
        self, source: Source, accept: Callable[[Record], bool] = lambda r: True
    ) -> list[int]:
        """Indices of records fit to plant on: distinct texts, not too long, not used yet."""
        seen: set[str] = set()
        out = []
        for index, record in enumerate(self.rows(source)):
            try:
                texts = [get(record, list(path)) for path in source.texts]
            except (IndexError, KeyError):
                continue
            key = "\x00".join(" ".join(t.lower().split()) for t in texts)
            if key in seen:
                continue
            seen.add(key)
            if sum(map(len, texts)) > source.max_chars or not all(t.strip() for t in texts):
                continue
            if index in self.used.get(source.name, set()) or not accept(record):
                continue
            out.append(index)
        return out

    def pick(
        self, source: Source, count: int, accept: Callable[[Record], bool] = lambda r: True
    ) -> list[int]:
        chosen = self.rng.sample(self.candidates(source, accept), count)
        self.used.setdefault(source.name, set()).update(chosen)
        return chosen

    def sample(self, source: Source, index: int, edits: list[list[Any]]) -> Record:
        """The record with the edits, inline or as a reference by the source's licence."""
        if not source.inline:
            return {"$ref": source.path, "index": index, "edits": edits}
        record = copy.deepcopy(self.rows(source)[index])
        for edit in edits:
            apply_edit(record, edit)
        return record

    def add(
        self,
        kind: str,
        expect: str,
        source: Source,
        existing: Record,
        new: Record,
        origin: str,
        *,
        data: str | None = None,
        note: str = "",
    ) -> None:
        number = sum(1 for p in self.pairs if p["kind"] == kind and p["id"].startswith(source.name))
        pair = {
            "id": f"{source.name}-{kind}-{number + 1:02d}",
            "kind": kind,
            "expect": expect,
            "lang": source.lang,
            "data": data or source.data,
            "existing": existing,
            "new": new,
            "source": origin,
        }
        if note:
            pair["note"] = note
        self.pairs.append(pair)

    def where(self, source: Source, *indices: int) -> str:
        rows = ", ".join(str(i) for i in indices)
        return f"{source.path} item {rows} (0-based)"

    # -- kinds --------------------------------------------------------------------------------

    def exact(self, source: Source, count: int, hows: tuple[str, ...]) -> None:
        for index in self.pick(source, count):
            how = self.rng.choice(hows)
            edits = [["transform", list(path), how] for path in source.texts]
            existing = self.sample(source, index, [])
            self.add(
                "exact",
                "exact-duplicate",
                source,
                existing,
                self.sample(source, index, edits),
                self.where(source, index),
                note=f"transform: {how}",
            )

    def near(self, source: Source, count: int) -> None:
        chinese = source.lang == "zh"
        words = self.vocabulary(source)
        for index in self.pick(source, count, lambda r: self.plantable(source, r)):
            record = copy.deepcopy(self.rows(source)[index])
            texts = [get(record, list(path)) for path in source.texts]
            size = (
                len("".join(_HAN.findall("".join(texts)))) // 50
                if chinese
                else len(" ".join(texts).split()) // 25
            )
            edits: list[list[Any]] = []
            for _ in range(self.rng.randint(1, min(3, size))):
                which = self.rng.choices(range(len(texts)), [len(t) for t in texts])[0]
                path = list(source.texts[which])
                edit = self.edit(get(record, path), path, words, chinese)
                apply_edit(record, edit)
                edits.append(edit)
            self.add(
                "near",
                "near-duplicate",
                source,
                self.sample(source, index, []),
                self.sample(source, index, edits),
                self.where(source, index),
            )

    def plantable(self, source: Source, record: Record) -> bool:
        text = "".join(get(record, list(p)) for p in source.texts)
        if source.lang == "zh":
            return len(_HAN.findall(text)) >= 50
        return len(text.split()) >= 25

    def vocabulary(self, source: Source) -> list[str]:
        text = " ".join(get(r, list(p)) for r in self.rows(source)[:300] for p in source.texts)
        if source.lang == "zh":
            return sorted({c for c in _HAN.findall(text) if c not in NEGATION_CHARACTERS})
        return sorted({w for w in _WORD.findall(text) if w not in NEGATIONS and len(w) > 2})

    def edit(self, text: str, path: list[Any], words: list[str], chinese: bool) -> list[Any]:
        if chinese:
            places = [
                m.start()
                for m in _HAN.finditer(text)
                if not NEGATION_CHARACTERS & set(text[m.start() : m.start() + 2])
            ]
            at = self.rng.choice(places)
            word = "".join(self.rng.choice(words) for _ in range(2))
            operation = self.rng.choice(("replace", "delete", "insert"))
            end = at + (2 if operation != "insert" else 0)
            return ["splice", path, at, end, "" if operation == "delete" else word]
        spans = [m.span() for m in _WORD.finditer(text) if m.group(0) not in NEGATIONS]
        start, end = self.rng.choice(spans)
        operation = self.rng.choice(("replace", "delete", "insert"))
        word = self.rng.choice(words)
        if operation == "replace":
            return ["splice", path, start, end, word]
        if operation == "delete":
            stop = end + 1 if text[end : end + 1] == " " else end
            return ["splice", path, start, stop, ""]
        return ["splice", path, start, start, word + " "]

    def gsm8k_minimal(self, count: int) -> None:
        for index in self.pick(GSM8K, count, lambda r: "####" in r["messages"][2]["content"]):
            answer = self.rows(GSM8K)[index]["messages"][2]["content"]
            result = re.search(r"####\s*([\d,.]+)", answer)
            assert result is not None
            value = result.group(1).rstrip(".")
            number = float(value.replace(",", ""))
            changed = self.rng.choice((number + self.rng.choice((1, 2, 3, 5, 10)), number * 2))
            new_value = f"{changed:g}" if "." in value else str(int(changed))
            lines = answer.split("\n")
            final = next(i for i, line in enumerate(lines) if "####" in line)
            pattern = re.compile(rf"(?<![\d.,]){re.escape(value)}(?![\d,]|\.\d)")
            lines[final] = pattern.sub(new_value, lines[final])
            if final:
                lines[final - 1] = pattern.sub(new_value, lines[final - 1])
            edits = [["set", ["messages", 2, "content"], "\n".join(lines)]]
            self.add(
                "minimal-contradiction",
                "contradiction",
                GSM8K,
                self.sample(GSM8K, index, []),
                self.sample(GSM8K, index, edits),
                self.where(GSM8K, index),
                note=f"final answer {value} -> {new_value}",
            )

    def chinese_minimal(self) -> None:
        # (item, the number as written at the end of the answer, the planted number)
        changes = (
            (28, "16.00", "17.50"),
            (31, "1440", "1400"),
            (71, "3120", "3210"),
            (100, "7", "6"),
            (290, "150", "15"),
            (476, "15", "16"),
            (477, "100", "120"),
        )
        for index, old, new in changes:
            self.used.setdefault(ALPACA_ZH.name, set()).add(index)
            edits = [["replace-last", ["output"], old, new]]
            self.add(
                "minimal-contradiction",
                "contradiction",
                ALPACA_ZH,
                self.sample(ALPACA_ZH, index, []),
                self.sample(ALPACA_ZH, index, edits),
                self.where(ALPACA_ZH, index),
                note=f"last number {old} -> {new}",
            )

    def reversed_pairs(self, source: Source, count: int) -> None:
        for index in self.pick(source, count):
            edits = [["swap", list(source.texts[1]), list(source.texts[2])]]
            self.add(
                "reversed-preference",
                "contradiction",
                source,
                self.sample(source, index, []),
                self.sample(source, index, edits),
                self.where(source, index),
            )

    def kto_flipped(self, count: int) -> None:
        for index in self.pick(KTO, count):
            label = self.rows(KTO)[index]["label"]
            edits = [["set", ["label"], not label]]
            self.add(
                "reversed-preference",
                "contradiction",
                KTO,
                self.sample(KTO, index, []),
                self.sample(KTO, index, edits),
                self.where(KTO, index),
                note="label flipped",
            )

    def restyles(self, count: int) -> None:
        templates = ("The answer is {n}.", "{n}", "Answer: {n}", "In total: {n}.")
        for number, index in enumerate(
            self.pick(GSM8K, count, lambda r: "####" in r["messages"][2]["content"])
        ):
            answer = self.rows(GSM8K)[index]["messages"][2]["content"]
            found = re.search(r"####\s*([\d,.]*\d)", answer)
            assert found is not None
            short = templates[number % len(templates)].format(n=found.group(1))
            edits = [["set", ["messages", 2, "content"], short]]
            self.add(
                "restyle",
                "none",
                GSM8K,
                self.sample(GSM8K, index, []),
                self.sample(GSM8K, index, edits),
                self.where(GSM8K, index),
                note="a short answer with the same result (written for this set)",
            )

    def continued(self, source: Source, key: str, count: int) -> None:
        """A conversation cut after exchange k, and after exchange k + 1: the second shares the
        first's context and asks another last question."""

        def fits(record: Record) -> bool:
            turns = record[key]
            return len(turns) >= 4 and all(
                len(str(t.get("content", t.get("value")))) < 700 for t in turns[:4]
            )

        for index in self.pick(source, count, fits):
            drop = [["drop", "label"]] if source is KTO else []
            self.add(
                "different-last-turn",
                "none",
                source,
                self.sample(source, index, [*drop, ["truncate", [key], 2]]),
                self.sample(source, index, [*drop, ["truncate", [key], 4]]),
                self.where(source, index),
                data="sft",
                note="the first exchange, and the first two",
            )

    def unrelated(self, source: Source, count: int) -> None:
        pool = self.candidates(source)
        for _ in range(count):
            first = self.rng.choice(pool)
            others = self.rng.sample([i for i in pool if i != first], 30)
            second = max(others, key=lambda other: self.overlap(source, first, other))
            pool = [i for i in pool if i not in (first, second)]
            self.add(
                "unrelated",
                "none",
                source,
                self.sample(source, first, []),
                self.sample(source, second, []),
                self.where(source, first, second),
                note="the most similar prompt of 30 random candidates",
            )

    def overlap(self, source: Source, one: int, two: int) -> float:
        """Jaccard of the prompt words of two records."""
        words = [set(get(self.rows(source)[i], source.prompt).lower().split()) for i in (one, two)]
        return len(words[0] & words[1]) / max(1, len(words[0] | words[1]))

    # -- HH transcripts (from the MIT Orca pairs) -----------------------------------------------

    def hh(self, index: int, chosen: str | None = None, rejected: str | None = None) -> Record:
        record = self.rows(ORCA)[index]
        user = record["input"]["messages"][-1]["content"]
        good = chosen if chosen is not None else record["preferred_output"][0]["content"]
        bad = rejected if rejected is not None else record["non_preferred_output"][0]["content"]
        return {
            "chosen": f"\n\nHuman: {user}\n\nAssistant: {good}",
            "rejected": f"\n\nHuman: {user}\n\nAssistant: {bad}",
        }

    def hh_pairs(self) -> None:
        short = lambda r: len(r["preferred_output"][0]["content"]) < 900  # noqa: E731
        note = "Orca pair written as an Anthropic HH transcript"
        for index in self.pick(ORCA, 3, short):
            record = self.hh(index)
            self.add(
                "reversed-preference",
                "contradiction",
                HH,
                record,
                {"chosen": record["rejected"], "rejected": record["chosen"]},
                self.where(ORCA, index),
                note=note,
            )
        for index in self.pick(ORCA, 2, short):
            record = self.hh(index)
            changed = {key: hh_disguise(value) for key, value in record.items()}
            self.add(
                "exact", "exact-duplicate", HH, record, changed, self.where(ORCA, index), note=note
            )
        words = self.vocabulary(ORCA)
        for index in self.pick(
            ORCA, 2, lambda r: short(r) and len(r["preferred_output"][0]["content"].split()) > 60
        ):
            original = self.rows(ORCA)[index]["preferred_output"][0]["content"]
            edit = self.edit(original, ["text"], words, False)
            holder = {"text": original}
            apply_edit(holder, edit)
            self.add(
                "near",
                "near-duplicate",
                HH,
                self.hh(index),
                self.hh(index, chosen=holder["text"]),
                self.where(ORCA, index),
                note=note,
            )
        pool = self.candidates(ORCA, short)
        first, second = self.rng.sample(pool, 2)
        self.add(
            "unrelated",
            "none",
            HH,
            self.hh(first),
            self.hh(second),
            self.where(ORCA, first, second),
            note=note,
        )


def hh_disguise(text: str) -> str:
    """Case and spacing of an HH transcript changed, its "Human:"/"Assistant:" markers kept."""
    parts = re.split(r"(\n\nHuman: |\n\nAssistant: )", text)
    return "".join(p if p.startswith("\n\n") else re.sub(r" +", "  ", p.upper()) for p in parts)


def build(shared: Path) -> list[Record]:
    b = Builder(shared)
    b.exact(GSM8K, 8, ("symbols", "spaces", "lower", "upper"))
    b.exact(ALPACA_EN, 3, ("lower", "upper", "spaces"))
    b.exact(ALPACA_ZH, 3, ("fullwidth", "spaces"))
    b.exact(DPO_EN, 2, ("lower", "spaces"))
    b.exact(DPO_ZH, 2, ("fullwidth", "spaces"))
    b.exact(ORCA, 2, ("upper", "spaces"))
    b.exact(KTO, 2, ("lower", "spaces"))
    b.near(GSM8K, 6)
    b.near(ALPACA_EN, 4)
    b.near(ALPACA_ZH, 4)
    b.near(DPO_EN, 2)
    b.near(DPO_ZH, 2)
    b.near(ORCA, 2)
    b.near(KTO, 2)
    b.gsm8k_minimal(16)
    b.chinese_minimal()
    b.reversed_pairs(DPO_EN, 3)
    b.reversed_pairs(DPO_ZH, 3)
    b.reversed_pairs(ORCA, 3)
    b.kto_flipped(3)
    b.restyles(8)
    b.continued(KTO, "messages", 4)
    b.continued(SHAREGPT_ZH, "conversations", 4)
    b.unrelated(GSM8K, 4)
    b.unrelated(ALPACA_EN, 3)
    b.unrelated(ALPACA_ZH, 3)
    b.unrelated(DPO_EN, 2)
    b.unrelated(DPO_ZH, 2)
    b.unrelated(ORCA, 2)
    b.unrelated(KTO, 2)
    b.hh_pairs()
    return b.pairs


def main() -> None:
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} is not there: the derived pairs are made from it")
    pairs = build(SHARED)
    count = write_pairs(SET_DIR / "derived.jsonl", pairs)
    print(f"{count} pairs -> {SET_DIR / 'derived.jsonl'}")


if __name__ == "__main__":
    main()

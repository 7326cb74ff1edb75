"""The phrases style descriptors count: apology, refusal, hedging, first person, hostility.

English and Chinese lists ship here; a repository extends them (`PhraseLists.extended`, fed from
the config) with phrases of its own language or domain. Matching is on lower-cased text: a phrase
in a script written with spaces matches whole words ("sorry" does not match "sorrowful"), a
Chinese phrase wherever its characters stand together. The phrases are compiled into one regex
shaped as a trie (`pattern`): the engine then follows one branch per character instead of trying
every phrase at every position.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

CATEGORIES = ("apology", "refusal", "hedging", "first_person", "hostile")

APOLOGY = (
    "sorry",
    "i apologize",
    "i apologise",
    "apologies",
    "my apologies",
    "抱歉",
    "对不起",
    "不好意思",
    "很遗憾",
    "请原谅",
)
REFUSAL = (
    "i can't help with",
    "i cannot help with",
    "i can't assist",
    "i cannot assist",
    "i can't provide",
    "i cannot provide",
    "i can't do that",
    "i cannot do that",
    "i'm unable to",
    "i am unable to",
    "i'm not able to",
    "i am not able to",
    "i won't be able to",
    "i must decline",
    "i can't comply",
    "i cannot comply",
    "as an ai",
    "as a language model",
    "as an artificial intelligence",
    "我无法",
    "我不能",
    "无法提供",
    "不能提供",
    "无法回答",
    "不能回答",
    "无法协助",
    "作为一个ai",
    "作为ai",
    "作为人工智能",
    "作为一个人工智能",
    "作为一个语言模型",
    "作为语言模型",
)
HEDGING = (
    "might",
    "perhaps",
    "possibly",
    "probably",
    "maybe",
    "it depends",
    "i think",
    "i believe",
    "it seems",
    "not sure",
    "it's possible",
    "it is possible",
    "in some cases",
    "generally",
    "typically",
    "可能",
    "也许",
    "或许",
    "大概",
    "一般来说",
    "通常",
    "我认为",
    "似乎",
    "不确定",
    "取决于",
)
FIRST_PERSON = (
    "i",
    "i'm",
    "i've",
    "i'd",
    "i'll",
    "me",
    "my",
    "mine",
    "myself",
    "我",
)
HOSTILE = (
    "stupid",
    "idiot",
    "idiotic",
    "moron",
    "dumb",
    "shut up",
    "i hate you",
    "hate you",
    "screw you",
    "fuck",
    "fucking",
    "damn you",
    "loser",
    "pathetic",
    "how dare you",
    "傻逼",
    "白痴",
    "蠢货",
    "笨蛋",
    "闭嘴",
    "去死",
    "混蛋",
    "他妈的",
    "滚开",
)


@dataclass(frozen=True)
class PhraseLists:
    """Lower-case phrases per category; `extended` adds a config's own."""

    apology: tuple[str, ...] = APOLOGY
    refusal: tuple[str, ...] = REFUSAL
    hedging: tuple[str, ...] = HEDGING
    first_person: tuple[str, ...] = FIRST_PERSON
    hostile: tuple[str, ...] = HOSTILE

    def extended(self, extra: Mapping[str, Iterable[str]]) -> PhraseLists:
        """These lists plus `extra` (category -> phrases); an unknown category is a ValueError
        naming the known ones (the config loader turns it into a user error)."""
        unknown = sorted(set(extra) - set(CATEGORIES))
        if unknown:
            raise ValueError(
                f"unknown phrase categor{'ies' if len(unknown) > 1 else 'y'} "
                f"{', '.join(unknown)}; known: {', '.join(CATEGORIES)}"
            )
        changes = {
            name: tuple(dict.fromkeys((*getattr(self, name), *(p.lower() for p in phrases))))
            for name, phrases in extra.items()
        }
        return replace(self, **changes)

    def items(self) -> list[tuple[str, str]]:
        """(category, phrase) for every phrase."""
        return [(f.name, phrase) for f in fields(self) for phrase in getattr(self, f.name)]

    def patterns(self) -> tuple[tuple[re.Pattern[str], ...], dict[str, str]]:
        """Regexes that together match every phrase (ending at a word boundary where the
        phrase ends in a letter of a spaced script; the caller checks the start), and phrase ->
        category (the first category listing a phrase keeps it). Phrases starting with an ASCII
        character and the others are two regexes: each then skips fast over the characters
        none of its phrases starts with (measured: 0.27 s for both against 0.39 s for one
        regex, on 9 MB of English and Chinese answers)."""
        return _compile(tuple(self.items()))


DEFAULT_PHRASES = PhraseLists()


@functools.lru_cache(maxsize=16)
def _compile(
    items: tuple[tuple[str, str], ...],
) -> tuple[tuple[re.Pattern[str], ...], dict[str, str]]:
    category: dict[str, str] = {}
    for name, phrase in items:
        if phrase:
            category.setdefault(phrase, name)
    patterns = []
    for ascii_start in (True, False):
        trie: dict[str, dict] = {}  # type: ignore[type-arg]
        for phrase in category:
            if phrase[0].isascii() != ascii_start:
                continue
            node = trie
            for char in phrase:
                node = node.setdefault(char, {})
            node[""] = {}
        if trie:
            patterns.append(re.compile(_branches(trie, "")))
    return tuple(patterns), category


def _branches(node: dict[str, dict], prefix: str) -> str:  # type: ignore[type-arg]
    alternatives = [
        re.escape(char) + _branches(node[char], prefix + char) for char in sorted(node) if char
    ]
    if "" in node:  # a phrase ends here; longer ones were tried first
        last = prefix[-1]
        alternatives.append(r"(?![\w'])" if last.isascii() and last.isalnum() else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"

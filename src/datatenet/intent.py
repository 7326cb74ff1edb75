"""What a commit says its new samples teach: the `Reinforces:` trailer, judged.

The message and its trailers come parsed (`commit_message.py`, and `repo/messages.py`, where
git parses the trailers); this module runs no git. The judgement is a pure function of the
parsed trailers and the rules of the `[commit]` table:

```toml
[commit]
min_words = 4                 # fewer words than this is too short (a registered id is exempt)
generic = ["more data", "update", "misc", "add samples", "fix", "wip"]   # replaces the default
allow_multiple = false        # several Reinforces trailers, or one statement joining behaviours
joiners = ["; ", " and also ", " as well as "]   # what joins two behaviours in one statement
strict_behaviours = false     # only behaviours of the registry, by id or statement

[behaviours.clarify-first]
statement = "When a request is ambiguous, ask one clarifying question before answering."
```

A statement is *generic* when it is one of the `generic` phrases, or when every word of it is a
word of those phrases or a filler word ("add more samples to the dataset").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datatenet.commit_message import TRAILER, CommitMessage
from datatenet.errors import DatatenetError

EXAMPLE_STATEMENT = "When a request is ambiguous, ask one clarifying question before answering."
DEFAULT_GENERIC = (
    "more data",
    "new data",
    "add data",
    "data",
    "dataset",
    "update",
    "update dataset",
    "updates",
    "misc",
    "miscellaneous",
    "various",
    "stuff",
    "add samples",
    "more samples",
    "new samples",
    "more examples",
    "add examples",
    "samples",
    "examples",
    "training data",
    "fix",
    "fixes",
    "wip",
    "tbd",
    "todo",
    "tmp",
    "test",
    "cleanup",
    "changes",
    "improvements",
    "improve model",
    "better answers",
    "general",
    "n/a",
    "none",
    "same",
    "see above",
)
DEFAULT_JOINERS = ("; ", " and also ", " as well as ", " along with ", " plus ", " & ", " + ")
# Words that carry no behaviour on their own: a statement made only of these and of the
# words of the generic phrases says nothing.
_FILLER_WORDS = """a an the to of for in on at by with and or some more few many lots lot new old
    this that these those it its our my we i into from as all any other another bunch set
    several couple added adding adds add"""
FILLER = frozenset(_FILLER_WORDS.split())
# Words that judge or count the data without naming what the model should do: a statement made
# only of these (and filler) is vague, however long ("Make the model better at tasks").
_VAGUE_WORDS = """better best good great quality higher high improve improves improved improving
    improvement enhance enhanced boost increase increased performance accuracy accurate helpful
    helpfulness robust robustness capable capability capabilities ability abilities skill
    skills smarter stronger overall general generally diverse diversity variety various broad
    model models llm assistant task tasks data dataset datasets sample samples example examples
    instruction instructions instruct self-instruct response responses answer answers output
    outputs number numbers numeric stuff thing things coverage make makes making get gets do
    does help helps train training teach fine-tune fine-tuning finetune tuning sft dpo rlhf be
    is are at one two three four five six seven eight nine ten hundred dozen extra additional"""
VAGUE = frozenset(_VAGUE_WORDS.split())
# Chinese has no spaces between words: the vague terms are removed from the statement, and
# what is left must still name something.
_VAGUE_CHINESE_TERMS = """提高 提升 改进 改善 优化 增强 加强 更好 更强
    更多 更加 质量 性能 效果 表现 准确率 准确性 能力
    模型 数据 数据集 样本 示例 例子 任务 指令 回答
    答案 输出 多样性 多样 通用 整体 总体 一般 一些
    若干 新增 增加 添加 加入 新的 新 让 使 使得 的
    了 和 与 及 在 上 中 个 条 些 种 更 好 多
    一 二 三 四 五 六 七 八 九 十 百"""
_VAGUE_CHINESE = sorted(_VAGUE_CHINESE_TERMS.split(), key=len, reverse=True)
_CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[\w'’-]+")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+(?=\S)")


@dataclass(frozen=True)
class Behaviour:
    id: str
    statement: str


@dataclass(frozen=True)
class Rules:
    min_words: int = 4
    generic: tuple[str, ...] = DEFAULT_GENERIC
    allow_multiple: bool = False
    joiners: tuple[str, ...] = DEFAULT_JOINERS
    strict_behaviours: bool = False
    behaviours: tuple[Behaviour, ...] = ()


@dataclass(frozen=True)
class Judgement:
    """The verdict on a message's statement of intent."""

    ok: bool
    problem: str  # "" when ok; else one line saying what is wrong
    statement: str | None  # the stated behaviour (a registered id is expanded)
    behaviour: str | None  # the registry id, when the statement names one


# -- rules -----------------------------------------------------------------------------------


def rules_from_config(
    commit: Mapping[str, Any], behaviours: Mapping[str, Any], where: str = "config"
) -> Rules:
    """Validate the `[commit]` and `[behaviours]` tables; each mistake names the key."""
    known = ("min_words", "generic", "allow_multiple", "joiners", "strict_behaviours")
    unknown = sorted(set(commit) - set(known))
    if unknown:
        raise DatatenetError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} in [commit]: "
            + ", ".join(unknown),
            f"known keys: {', '.join(known)}",
        )
    rules = Rules()
    min_words = commit.get("min_words", rules.min_words)
    if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 0:
        raise DatatenetError(
            f"{where}: [commit] min_words must be a whole number, not {min_words!r}",
            "e.g. min_words = 4",
        )
    generic = _strings(commit, "generic", rules.generic, where, '["more data", "update"]')
    joiners = _strings(commit, "joiners", rules.joiners, where, '["; ", " and also "]')
    flags = {}
    for name in ("allow_multiple", "strict_behaviours"):
        value = commit.get(name, getattr(rules, name))
        if not isinstance(value, bool):
            raise DatatenetError(
                f"{where}: [commit] {name} must be true or false, not {value!r}",
                f"e.g. {name} = true",
            )
        flags[name] = value
    registry: list[Behaviour] = []
    for ident, table in behaviours.items():
        example = f'[behaviours.{ident}] statement = "{EXAMPLE_STATEMENT}"'
        statement = table.get("statement") if isinstance(table, dict) else None
        if not isinstance(statement, str) or not statement.strip():
            raise DatatenetError(
                f"{where}: [behaviours.{ident}] needs a `statement` string", f"e.g. {example}"
            )
        registry.append(Behaviour(str(ident), " ".join(statement.split())))
    if flags["strict_behaviours"] and not registry:
        raise DatatenetError(
            f"{where}: [commit] strict_behaviours = true, but no behaviour is registered",
            f'register one: [behaviours.clarify-first] statement = "{EXAMPLE_STATEMENT}"',
        )
    return Rules(
        min_words=min_words,
        generic=tuple(generic),
        allow_multiple=flags["allow_multiple"],
        joiners=tuple(joiners),
        strict_behaviours=flags["strict_behaviours"],
        behaviours=tuple(registry),
    )


def _strings(
    table: Mapping[str, Any], key: str, default: tuple[str, ...], where: str, example: str
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DatatenetError(
            f"{where}: [commit] {key} must be a list of strings", f"e.g. {key} = {example}"
        )
    return tuple(value)


# -- judging ---------------------------------------------------------------------------------


def judge(message: CommitMessage, rules: Rules) -> Judgement:
    """Does the message state, in one specific sentence, the one behaviour its samples teach?"""
    values = message.values()
    if not values:
        if message.misplaced:
            return _refuse(
                "a `Reinforces:` line is there, but not as a trailer: git reads trailers only "
                "in the last paragraph, after a blank line"
            )
        return _refuse("the message has no `Reinforces:` trailer")
    distinct = list(dict.fromkeys(" ".join(v.split()) for v in values))
    if len(distinct) > 1 and not rules.allow_multiple:
        return _refuse(
            f"{len(distinct)} `Reinforces:` trailers: one commit should reinforce one "
            "behaviour (split the commit, or set [commit] allow_multiple = true)"
        )
    statements = [judge_statement(value, rules) for value in distinct]
    for judgement in statements:
        if not judgement.ok:
            return judgement
    first = statements[0]
    if len(statements) == 1:
        return first
    joined = " | ".join(j.statement or "" for j in statements)
    return Judgement(True, "", joined, first.behaviour)


def judge_statement(value: str, rules: Rules) -> Judgement:
    statement = " ".join(value.split())
    if not statement:
        return _refuse("the `Reinforces:` trailer is empty", statement)
    registered = registry_match(statement, rules.behaviours)
    if registered is not None:
        return Judgement(True, "", registered.statement, registered.id)
    if rules.strict_behaviours:
        ids = ", ".join(b.id for b in rules.behaviours)
        return _refuse(
            f"{statement!r} is not a registered behaviour (strict_behaviours): name one of "
            f"{ids}, or register it under [behaviours.<id>]",
            statement,
        )
    if is_generic(statement, rules.generic):
        return _refuse(
            f"{statement!r} is generic: it does not say which behaviour the samples teach",
            statement,
        )
    if is_vague(statement):
        return _refuse(
            f"{statement!r} is vague: it judges or counts the data instead of naming the "
            "behaviour the samples teach; say what the model should do, and when (e.g. "
            f'"{EXAMPLE_STATEMENT}")',
            statement,
        )
    count = _word_count(statement)
    if count < rules.min_words:
        return _refuse(
            f"{statement!r} is too short ({count} word{'s' if count != 1 else ''}; "
            f"at least {rules.min_words}): say what the model should do, and when",
            statement,
        )
    if not rules.allow_multiple:
        joined = joins_behaviours(statement, rules.joiners)
        if joined:
            return _refuse(
                f"{statement!r} joins several behaviours ({joined}): one commit should "
                "reinforce one behaviour",
                statement,
            )
    return Judgement(True, "", statement, None)


def registry_match(statement: str, behaviours: Sequence[Behaviour]) -> Behaviour | None:
    """The registered behaviour a statement names, by id or by its statement."""
    wanted = _normal(statement)
    for behaviour in behaviours:
        if statement.strip().lower() == behaviour.id.lower():
            return behaviour
        if wanted == _normal(behaviour.statement):
            return behaviour
    return None


def is_generic(statement: str, generic: Sequence[str]) -> bool:
    normal = _normal(statement)
    phrases = {_normal(phrase) for phrase in generic}
    if not normal or normal in phrases:
        return True
    vocabulary = FILLER | {_stem(w) for phrase in generic for w in _words(phrase)}
    return all(_stem(word) in vocabulary for word in _words(statement))


def _word_count(text: str) -> int:
    """Words, counting a run of Chinese characters as one word per two characters (the
    average length of a Chinese word)."""
    cjk = len(_CJK_CHARACTER.findall(text))
    return len(_words(_CJK_CHARACTER.sub(" ", text))) + (cjk + 1) // 2


def is_vague(statement: str) -> bool:
    """Made only of evaluative and generic words (better, quality, tasks, data, …), in English
    or Chinese, naming no behaviour of the model."""
    rest = statement
    for term in _VAGUE_CHINESE:
        rest = rest.replace(term, " ")
    if _CJK_CHARACTER.search(statement) and _CJK_CHARACTER.search(rest):
        return False
    vocabulary = FILLER | VAGUE
    words = [w for w in _words(rest) if not w.isdigit()]
    return all(
        word in vocabulary
        or _stem(word) in vocabulary
        or all(p in vocabulary for p in word.split("-"))
        for word in words
    )


def joins_behaviours(statement: str, joiners: Sequence[str]) -> str:
    """What in the statement joins two behaviours ("" when nothing does)."""
    text = statement.strip().rstrip(".!?")
    if len(_SENTENCE_BREAK.split(text)) > 1:
        return "several sentences"
    lowered = f" {text.lower()} "
    for joiner in joiners:
        if joiner.lower() in lowered:
            return repr(joiner.strip() or joiner)
    return ""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    word = word.strip("'’-")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _normal(text: str) -> str:
    return " ".join(_stem(w) for w in _words(text))


def _refuse(problem: str, statement: str | None = None) -> Judgement:
    return Judgement(False, problem, statement, None)


def example_message(subject: str, statement: str = EXAMPLE_STATEMENT) -> str:
    """A message with the trailer where git reads it: the last paragraph, after a blank line."""
    subject = subject.strip() or "Add samples that teach one behaviour"
    return f"{subject}\n\n{TRAILER}: {statement}\n"

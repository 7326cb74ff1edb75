"""The decisive content of answers (analysis/decisive.py) on real and hand-written answers."""

from __future__ import annotations

import json
import re

import pytest

from datatenet.analysis.decisive import (
    DIFFERENT,
    SAME,
    UNKNOWN,
    compare_answers,
    compare_questions,
    decision,
)
from datatenet.analysis.wording import number_value, tokens
from tests.conftest import TEST_DATA

GSM8K = TEST_DATA / "gsm8k_chat_train_head30.jsonl"


def gsm8k_solutions() -> list[str]:
    lines = GSM8K.read_text("utf-8").splitlines()
    return [json.loads(line)["messages"][-1]["content"] for line in lines if line]


def test_the_final_result_of_every_gsm8k_solution() -> None:
    for solution in gsm8k_solutions():
        found = decision(solution)
        marked = re.search(r"####\s*([\d,.]*\d)", solution)
        assert marked is not None and found is not None
        assert (found.kind, found.marked) == ("number", True)
        assert float(found.value) == float(marked.group(1).replace(",", ""))


@pytest.mark.parametrize(
    ("answer", "kind", "value"),
    [
        ("So the total is \\boxed{\\frac{1}{2}} apples.", "number", "0.5"),
        ("We add them up: \\boxed{42}", "number", "42"),
        ("The answer is (B) Carbon dioxide.", "choice", "B"),
        ("The final answer is 1,440 minutes.", "number", "1440"),
        ("答案是：36。", "number", "36"),
        ("C", "choice", "C"),
        ("A) Blue whale", "choice", "A"),
        ("Yes, 17 is prime: its only divisors are 1 and 17.", "polarity", "yes"),
        ("No. Mixing them releases toxic gas.", "polarity", "no"),
        ("False. Water boils at 100 °C.", "polarity", "no"),
        ("不能。巧克力含有可可碱，对狗有毒。", "polarity", "no"),
        ("是的，在海平面，纯水的沸点是100摄氏度。", "polarity", "yes"),
        ("不会，企鹅的翅膀适合游泳。", "polarity", "no"),
        ("She earned $10.", "number", "10"),
        ("Spiders have eight legs.", "number", "8"),
        ("0.15千克等于150克。", "number", "150"),
        ("Spam", "label", "spam"),
        ("Not spam", "label", "not spam"),
    ],
)
def test_what_an_answer_commits_to(answer: str, kind: str, value: str) -> None:
    found = decision(answer)
    assert found is not None
    assert (found.kind, found.value) == (kind, value)


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   ",
        "No one knows exactly when the first bread was baked.",  # "No" that is no answer
        "A spider has many legs and spins webs.",  # "A" that is no choice
        "Answer: let us think about what the question asks before doing anything else.",
        "word " * 60 + "and 42 at the end of a long essay",  # not a short answer
    ],
)
def test_answers_that_commit_to_nothing_extractable(answer: str) -> None:
    assert decision(answer) is None


@pytest.mark.parametrize(
    ("first", "second", "verdict", "reason"),
    [
        (
            "…so 48 + 24 = 72 clips.\n#### 72",
            "…so 48 + 27 = 75 clips.\n#### 75",
            DIFFERENT,
            "final answer 72 vs 75",
        ),
        ("Natalia sold 48/2 = 24 clips in May.\n#### 72", "The answer is 72.", SAME, "both 72"),
        ("No, a thumb war is not violent.", "Yes, a thumb war is violent.", DIFFERENT, "no vs yes"),
        (
            "不安全，这会分散驾驶员的注意力。",
            "安全，这不会分散驾驶员的注意力。",
            DIFFERENT,
            "no vs yes",
        ),
        ("Spam", "This email is spam: it asks you to click a link.", SAME, "both say spam"),
        ("Spam", "Not spam", DIFFERENT, "answer Spam vs Not spam"),
        ("This is not spam at all.", "Spam", DIFFERENT, "answer not spam vs spam"),
        (
            "The capital of Australia is Canberra.",
            "The capital of Australia is Sydney.",
            DIFFERENT,
            "Canberra vs Sydney",
        ),
        (
            "Ottawa is the capital of Canada.",
            "Canada's capital is Toronto.",
            DIFFERENT,
            "Ottawa vs Toronto",
        ),
        (
            "The dog is friendly.",
            "The dog is not friendly.",
            DIFFERENT,
            "negated: nothing vs 'not'",
        ),
        (
            "The answer is (B) Carbon dioxide.",
            "The answer is (C) Nitrogen.",
            DIFFERENT,
            "choice B vs C",
        ),
        ("Place the egg in boiling water.", "Put the egg in boiling water.", UNKNOWN, ""),
        ("Paris is lovely in spring.", "Spring in Paris is lovely.", UNKNOWN, ""),
    ],
)
def test_comparing_answers(first: str, second: str, verdict: str, reason: str) -> None:
    compared = compare_answers(first, second)
    assert (compared.verdict, compared.reason) == (verdict, reason)


INVERSE = (
    "A class has 6 girls and 3 more than three times as many boys. How many students?",
    "A class has 27 students and 3 more than three times as many boys as girls. How many girls?",
)
GOLD = ("The chemical symbol for gold is Au.", "The chemical symbol for silver is Ag.")
HUMAN = ("No, I am an AI assistant, not a human.", "No, I'm an AI, not a person.")


@pytest.mark.parametrize(
    ("first", "second", "answers", "verdict"),
    [
        (*INVERSE, None, DIFFERENT),  # an inverse problem: other numbers given
        ("What is the capital of France?", "What is the capital of Germany?", None, DIFFERENT),
        ("What is the symbol for gold?", "What is the symbol for silver?", GOLD, DIFFERENT),
        (
            "法国的首都是哪里？",
            "德国的首都是哪里？",
            ("法国的首都是巴黎。", "德国的首都是柏林。"),
            DIFFERENT,
        ),
        # the same question in other words, answered alike: no evidence that they differ
        ("Are you a human?", "Are you a person?", HUMAN, UNKNOWN),
        ("How many continents are there?", "What is the number of continents?", None, UNKNOWN),
    ],
)
def test_comparing_questions(
    first: str, second: str, answers: tuple[str, str] | None, verdict: str
) -> None:
    assert compare_questions(first, second, answers).verdict == verdict


def test_tokens_and_numbers() -> None:
    assert tokens("Natalia sold 1,440 clips; H2O x2 3.5kg 中文") == [
        "Natalia", "sold", "1,440", "clips", "H2O", "x2", "3.5", "kg", "中", "文",
    ]  # fmt: skip
    assert [number_value(t) for t in ("1,440", "16.00", "seven", "one", "H2O")] == [
        1440.0, 16.0, 7.0, None, None,
    ]  # fmt: skip

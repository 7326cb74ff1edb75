"""Noise in new samples: placeholders, empty and truncated answers and the rest are reported,
each once, pointing at its sample; clean real answers stay (nearly) quiet."""

from __future__ import annotations

from pathlib import Path

from datatenet.analysis.noise import find_noise
from datatenet.analysis.truncation import truncation
from tests.drift_data import ALPACA_EN, ALPACA_ZH, GSM8K, IDENTITY, items


def problems(prompts: list[str], answers: list[str], **kwargs: object) -> list[tuple[int, str]]:
    return [(hit.index, hit.problem) for hit in find_noise(prompts, answers, **kwargs)]  # type: ignore[arg-type]


def test_planted_problems_are_each_reported_once() -> None:
    prompts = ["Q1", "Q2", "   ", "Say hi", "Q5", "Q6", "Q7", "Q8", "Q9"]
    answers = [
        "A complete answer.",
        "Dear [Customer Name], your order {{order_id}} has shipped.",
        "An answer without a prompt.",
        "Say hi",
        "",
        "Here is the code:\n```python\nprint('hi')\n",
        "The capital of France is Paris, and the capital of Germany is Berlin, and the",
        "cafÃ© au lait",
        "You are a stupid idiot and I hate you.",
    ]
    found = problems(prompts, answers)
    assert found == [
        (1, "placeholder"),
        (2, "empty"),
        (3, "echo"),
        (4, "empty"),
        (5, "truncated"),
        (6, "truncated"),
        (7, "mojibake"),
        (8, "hostile"),
    ]
    hits = find_noise(prompts, answers)
    assert "{{order_id}}" in hits[0].explanation and "[Customer Name]" in hits[0].explanation
    assert hits[1].explanation.startswith("empty prompt")
    assert "'the'" in hits[5].explanation


def test_empty_parts_are_named_together() -> None:
    hits = find_noise(["", "Q"], ["", "A good answer."], rejected=["", "   "])
    assert [(h.index, h.explanation) for h in hits] == [
        (0, "empty prompt and answer and rejected answer: it teaches nothing"),
        (1, "empty rejected answer: it teaches nothing"),
    ]


def test_extreme_lengths_against_the_dataset() -> None:
    long_answer = "word " * 5000  # 25,000 characters
    hits = find_noise(
        ["Q", "Q", "Q"], ["fine.", long_answer.strip() + ".", "..."], reference_lengths=[200] * 50
    )
    assert [(h.index, h.problem) for h in hits] == [(1, "length"), (2, "length")]
    assert "125x the median" in hits[0].explanation


def test_chinese_problems() -> None:
    hits = find_noise(
        ["你是谁？", "介绍一下", "问题"],
        [
            "我是{{name}}，由{{author}}开发。",
            "这个产品的主要特点是价格便宜、质量可靠，以及",
            "锟斤拷锟斤拷",
        ],
    )
    assert [(h.index, h.problem) for h in hits] == [
        (0, "placeholder"),
        (1, "truncated"),
        (2, "mojibake"),
    ]


def test_identity_placeholders_are_found(shared_data: Path) -> None:
    samples = items(shared_data, IDENTITY)
    hits = find_noise([s.prompt for s in samples], [s.response for s in samples])
    flagged = {h.index for h in hits if h.problem == "placeholder"}
    assert flagged == {i for i, s in enumerate(samples) if "{{" in s.response}
    assert len(flagged) >= 77


def test_truncated_real_answers_are_found(shared_data: Path) -> None:
    """Real answers cut in the middle of a sentence after a long prose line, or after an
    article or conjunction: every one is found."""
    samples = [s for s in items(shared_data, ALPACA_EN) if len(s.response.split()) > 60]
    cut = []
    for sample in samples[:100]:
        words = sample.response.split()
        cut.append(" ".join(words[:40]) + " the")
    assert all(truncation(answer) for answer in cut)


def test_clean_real_answers_raise_few_alarms(shared_data: Path) -> None:
    for name in (ALPACA_EN, ALPACA_ZH, GSM8K):
        samples = items(shared_data, name)
        hits = find_noise([s.prompt for s in samples], [s.response for s in samples])
        problems_found = {h.problem for h in hits}
        assert "echo" not in problems_found and "mojibake" not in problems_found
        assert len(hits) <= 0.02 * len(samples), (name, len(hits))

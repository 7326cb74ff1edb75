"""Style descriptors on hand-made texts (each number checkable by reading the text) and on real
answers from ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from datatenet.analysis.style import NUMBERS, asks_back, describe, opening_word, placeholders_in
from datatenet.analysis.style_phrases import DEFAULT_PHRASES

MARKDOWN = """## Steps

Here is **how** to do it:

- first
- second
* third

1. one
2. two

| a | b |
|---|---|
| 1 | 2 |

```python
print({name})
```
Done!"""


def value(text: str, name: str) -> float | str:
    return describe([text]).row(0)[name]


def test_lengths_count_cjk_characters_as_words() -> None:
    row = describe(["Hello, wonderful world.", "你好，世界。", "Don't stop"]).numbers
    assert row["words"].tolist() == [3, 4, 2]
    assert row["chars"].tolist() == [23, 6, 10]


def test_sentences_and_paragraphs() -> None:
    text = "One. Two! Three?\n\nFour 3.14 five.\nA line without a stop\n\n\nLast。最后！"
    numbers = describe([text]).numbers
    assert numbers["sentences"][0] == 7
    assert numbers["paragraphs"][0] == 3


def test_trailing_spaces_do_not_hide_a_line_end() -> None:
    assert describe(["a list item  \nanother one \n\n  "]).numbers["sentences"][0] == 2


def test_markdown_structure() -> None:
    row = describe([MARKDOWN]).row(0)
    assert row["headings"] == 1
    assert row["bullets"] == 3
    assert row["numbered"] == 2
    assert row["table_rows"] == 3
    assert row["code_blocks"] == 1
    assert row["bold"] == 1
    assert row["exclamations"] == 1
    assert row["layout"] == "code"
    assert row["placeholders"] == 0  # {name} inside a code block is an example


def test_layouts() -> None:
    texts = ["Plain prose. Two sentences.", "- a\n- b", "| x | y |\n|---|---|", "1、甲\n2、乙"]
    assert describe(texts).categories["layout"] == ["prose", "list", "table", "list"]


def test_emoji_exclamations_and_questions_back() -> None:
    row = describe(["Great job!! 🎉😀 Want to try another one?"]).row(0)
    assert row["emoji"] == 2
    assert row["exclamations"] == 2
    assert row["asks_back"] == "yes"
    assert asks_back("需要我再解释一下吗？")
    assert not asks_back("Why? Because it is. That is all.")


def test_phrases_in_english_and_chinese() -> None:
    numbers = describe(
        [
            "I'm sorry, but I cannot help with that. Perhaps ask someone else.",
            "抱歉，我无法提供这个信息。也许你可以问问别人。",
            "The sorrowful mayor might come. My hat.",
            "You are a stupid idiot.",
        ]
    ).numbers
    assert numbers["apology"].tolist() == [1, 1, 0, 0]
    assert numbers["refusal"].tolist() == [1, 1, 0, 0]  # matches do not overlap
    assert numbers["hedging"].tolist() == [1, 1, 1, 0]
    assert numbers["first_person"].tolist()[2] == 1  # "My"; "mayor" is no "my"
    assert numbers["hostile"].tolist() == [0, 0, 0, 2]


def test_phrase_lists_extend_from_config() -> None:
    extended = DEFAULT_PHRASES.extended({"apology": ["Entschuldigung"]})
    assert describe(["Entschuldigung, bitte."], phrases=extended).numbers["apology"][0] == 1
    assert describe(["Entschuldigung, bitte."]).numbers["apology"][0] == 0
    with pytest.raises(ValueError, match="known: apology"):
        DEFAULT_PHRASES.extended({"politeness": ["please"]})


def test_placeholders() -> None:
    assert placeholders_in("I am {{name}}, made by {{ author }}.") == ["{{name}}", "{{ author }}"]
    assert placeholders_in("Dear [Your Name], call [CUSTOMER_NAME] at <PHONE NUMBER>.") == [
        "[Your Name]",
        "[CUSTOMER_NAME]",
        "<PHONE NUMBER>",
    ]
    assert placeholders_in("您好，我是【姓名】，来自XX公司。") == ["【姓名】", "XX"]
    # not placeholders: links, citations, code, acronyms, HTML, Roman numerals
    assert (
        placeholders_in("See [the docs](http://x) [1] `${x}` [USA] <b>bold</b> XXX Olympics") == []
    )
    assert placeholders_in("```\nHello {name}\n```") == []


def test_opening_words() -> None:
    assert opening_word("**Sure!** Here it is") == "sure"
    assert opening_word("  1. Don't panic") == "don't"
    assert opening_word("当然可以，以下是") == "当然"
    assert opening_word("") == ""


def test_scripts_and_turns() -> None:
    found = describe(
        ["plain English", "纯中文文本", "中文 mixed with English words", "123"], turns=[2, 4, 2, 2]
    )
    assert found.categories["script"] == ["latin", "cjk", "mixed", "none"]
    assert found.numbers["turns"].tolist() == [2, 4, 2, 2]


def test_empty_input_and_empty_texts() -> None:
    assert len(describe([])) == 0
    row = describe(["", "   \n  "]).numbers
    assert row["words"].tolist() == [0, 0]
    assert row["sentences"].tolist() == [0, 0]
    assert row["paragraphs"].tolist() == [0, 0]


def test_batch_equals_one_by_one(shared_data: Path) -> None:
    """Counting a batch at once gives each text the numbers it gets alone."""
    rows = json.loads((shared_data / "llama_factory/alpaca_zh_demo.json").read_text("utf-8"))
    english = json.loads((shared_data / "llama_factory/alpaca_en_demo.json").read_text("utf-8"))
    texts = [r["output"] for r in rows[:60]] + [r["output"] for r in english[:60]]
    together = describe(texts)
    for i in range(0, len(texts), 7):
        alone = describe([texts[i]])
        for name in NUMBERS:
            if name in together.numbers:
                assert together.numbers[name][i] == alone.numbers[name][0], (name, i)
        assert together.categories["layout"][i] == alone.categories["layout"][0]


def test_identity_placeholders_are_counted(shared_data: Path) -> None:
    rows = json.loads((shared_data / "llama_factory/identity.json").read_text("utf-8"))
    numbers = describe([r["output"] for r in rows]).numbers["placeholders"]
    with_name = sum("{{name}}" in r["output"] for r in rows)
    assert with_name == 77
    assert int(np.count_nonzero(numbers)) == sum("{{" in r["output"] for r in rows)

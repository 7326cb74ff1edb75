"""Words for keywords and characteristic words: English words and segmented Chinese.

Chinese has no spaces, so its words come from a segmenter: rjieba (the `chinese` extra), the
Python binding of jieba-rs, a Rust port of jieba with jieba's own dictionary. It segments like
jieba (the same words on the Alpaca-zh demo answers) about 17x faster, loads in 0.2 s instead of
jieba's 0.9 s dictionary build, and takes 4.6 MB instead of 42 MB. Without it, Chinese text is
cut into overlapping character pairs, which still finds the distinctive words of a topic (most
Chinese words are two characters), with fragments among them; `segmenter()` says which is used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a word of two or more letters or digits outside CJK (which the segmenter cuts)
_LATIN_WORD = re.compile(f"[^\\W\\d_{_CJK}](?:[^\\W_{_CJK}]|['’][^\\W\\d_{_CJK}])+")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CHINESE_STOP_WORDS = (
    "的 了 是 在 和 有 我 你 他 她 它 这 那 就 也 都 而 及 "
    "与 着 或 一个 没有 我们 你们 他们 可以 什么 如何 怎么 这个 "
    "那个 因为 所以 但是 如果 一些 这些 那些 以及 并且 进行 使用 "
    "通过 需要 能够 不是 还是 就是 自己 其他 之间 以下 以上 例如 "
    "比如 然后 同时 或者 可能 非常 更多 一种 这样 这种 其中 对于 "
    "关于 请 吗 呢 吧 啊 "
)
CHINESE_STOP_WORDS = frozenset(_CHINESE_STOP_WORDS.split())


@functools.cache
def segmenter() -> str:
    """ "rjieba" when Chinese is segmented into words, "bigrams" otherwise."""
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "bigrams"
    return "rjieba"


@functools.cache
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _cut() -> Callable[[str], list[str]]:
    if segmenter() == "rjieba":
        import rjieba

        cut: Callable[[str], list[str]] = rjieba.cut
        return cut
    return _bigrams


def _bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def keyword_tokens(text: str) -> list[str]:
    """The content words of a text: lower-cased English (or other spaced-script) words of two
    letters or more, and Chinese words of two characters or more, without stop words."""
    stop = _english_stop_words()
    out = [w for w in (m.group().lower() for m in _LATIN_WORD.finditer(text)) if w not in stop]
    if _CJK_RUN.search(text):
        cut = _cut()
        for run in _CJK_RUN.findall(text):
            out.extend(w for w in cut(run) if len(w) >= 2 and w not in CHINESE_STOP_WORDS)
    return out


def document_frequencies(texts: Iterable[str]) -> tuple[list[str], list[set[int]]]:
    """The vocabulary and, per text, the set of word ids it contains."""
    vocabulary: dict[str, int] = {}
    sets = [{vocabulary.setdefault(w, len(vocabulary)) for w in keyword_tokens(t)} for t in texts]
    return list(vocabulary), sets


def characteristic_words(
    side_a: Sequence[str], side_b: Sequence[str], top: int = 10, min_documents: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The words most characteristic of each side, best first, each with its z-score: the
    log-odds ratio of a word's document frequency between the sides, with an informative
    Dirichlet prior from both sides together (Monroe, Colaresi and Quinn 2008), which keeps
    rare words from topping the list by chance. Words in fewer than `min_documents` texts are
    left out."""
    import numpy as np

    vocabulary, sets = document_frequencies([*side_a, *side_b])
    if not vocabulary or not side_a or not side_b:
        return [], []
    counts = np.zeros((2, len(vocabulary)))
    for index, words in enumerate(sets):
        if words:
            counts[0 if index < len(side_a) else 1, list(words)] += 1
    total = counts.sum(axis=0)
    keep = total >= min_documents
    if not keep.any():
        return [], []
    prior = total  # alpha_w: the word's frequency in both sides together
    prior_sum = prior.sum()
    sums = counts.sum(axis=1, keepdims=True)
    odds = np.log(counts + prior) - np.log(sums + prior_sum - counts - prior)
    delta = odds[0] - odds[1]
    z = delta / np.sqrt(1 / (counts[0] + prior) + 1 / (counts[1] + prior))
    z[~keep] = 0.0
    order = np.argsort(-z)
    for_a = [(vocabulary[i], round(float(z[i]), 2)) for i in order[:top] if z[i] > 1.96]
    for_b = [(vocabulary[i], round(float(-z[i]), 2)) for i in order[::-1][:top] if z[i] < -1.96]
    return for_a, for_b

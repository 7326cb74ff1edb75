"""Paraphrases in a language the model does not read: the pair analysis's evidence by characters.

Where the configured model does not read a sample (Chinese under the English-only default,
embeddings/language.py: covers), no cosine is taken on it. For those samples the pair analysis
measures instead how much of their text two samples share: the Dice coefficient of the sets of
character pairs (the near tier's shingles of two tokens, analysis/normalize.py: character pairs
in Chinese, word pairs elsewhere) of their prompts, last user turns and answers. A pair whose
prompts and last turns reach `paraphrase_prompt_characters` and whose answers reach
`paraphrase_answer_characters` is judged by analysis/pair_judge.py: at most a *possible*
duplicate (shown to reviewers, never gated), never when the answers commit to other results.

Calibrated on the labelled pairs of bench/judgement/ (figures in the README): at 0.45 and 0.35,
6 of the 9 Chinese paraphrases are found; the Chinese negatives that pass the decisive check
stay below (answers at most 0.33, a rewritten contradiction whose answers commit to nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from datatenet.analysis.corpus import Corpus
from datatenet.analysis.normalize import normalize_many, shingle_sets
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings.language import has_cjk

Known = dict[tuple[int, int], dict[str, float]]
VIEWS = ("prompt", "question", "answer")
_CHUNK = 512  # new samples compared at once (memory: their row of every earlier sample)


def add_character_evidence(
    known: Known, corpus: Corpus, unread: npt.NDArray[np.bool_], thresholds: Thresholds
) -> None:
    """For the pairs of samples the model does not read (`unread`, per position of
    `corpus.everyone`): the character-pair Dice of the pairs already known that have an unread
    side, and the pairs of a new unread sample with an earlier one that reach every threshold."""
    if not unread.any():
        return
    everyone = corpus.everyone
    touched = [pair for pair in known if unread[pair[0]] or unread[pair[1]]]
    limit = thresholds.paraphrase_prompt_characters
    proposed = [pair for pair in _similar_questions(corpus, unread, limit) if pair not in known]
    pairs = [*touched, *proposed]
    if not pairs:
        return
    rows = sorted({row for pair in pairs for row in pair})
    at = {row: index for index, row in enumerate(rows)}
    conversations = any(everyone[row].question is not None for row in rows)
    views = {
        view: _pair_matrix([getattr(everyone[row], attribute) for row in rows])
        for view, attribute in (
            ("prompt", "prompt"),
            ("question", "last_turn"),
            ("answer", "response"),
        )
        if view != "question" or conversations
    }
    views.setdefault("question", views["prompt"])  # without conversations, the prompt
    limits = {"prompt": limit, "question": limit, "answer": thresholds.paraphrase_answer_characters}
    for number, pair in enumerate(pairs):
        shares = {view: _dice(views[view], at[pair[0]], at[pair[1]]) for view in VIEWS}
        if number >= len(touched) and any(shares[view] < limits[view] for view in VIEWS):
            continue  # a proposed pair that cannot be a duplicate: not worth judging
        what = known.setdefault(pair, {})
        what.update((f"{view}_characters", share) for view, share in shares.items())


def _similar_questions(
    corpus: Corpus, unread: npt.NDArray[np.bool_], limit: float
) -> list[tuple[int, int]]:
    """(new position, earlier position) of the pairs with an unread side whose last user turns
    (the whole prompts, without conversations) reach `limit`: the short text both must reach it
    on. The other side may be a sample the model reads that has CJK in it (a Chinese question
    with an English context): text without any shares no character pair with an unread one."""
    everyone, offset = corpus.everyone, len(corpus.existing)
    rows = np.flatnonzero(unread | np.array([has_cjk(item.text) for item in everyone]))
    questions = _pair_matrix([everyone[row].last_turn for row in rows.tolist()])
    sizes = np.asarray(questions.sum(axis=1)).ravel()
    queries = np.flatnonzero(rows >= offset)
    found: list[tuple[int, int]] = []
    for start in range(0, len(queries), _CHUNK):
        chunk = queries[start : start + _CHUNK]
        common = (questions[chunk] @ questions.T).tocoo()
        one, two = chunk[common.row], common.col
        dice = 2 * common.data / np.maximum(sizes[one] + sizes[two], 1)
        keep = (two < one) & (dice >= limit) & (unread[rows[one]] | unread[rows[two]])
        found += zip(rows[one[keep]].tolist(), rows[two[keep]].tolist(), strict=True)
    return found


def _pair_matrix(texts: Sequence[str]) -> Any:
    """One row per text, one column per distinct character pair (word pair), 1 where the text
    holds it (a scipy CSR matrix)."""
    from scipy import sparse

    sets = shingle_sets(normalize_many(texts), 2)
    _, columns = np.unique(sets.hashes, return_inverse=True)
    owners = np.repeat(np.arange(len(texts)), sets.sizes())
    shape = (len(texts), int(columns.max()) + 1 if len(columns) else 0)
    ones = np.ones(len(columns), dtype=np.float32)
    matrix = sparse.csr_matrix((ones, (owners, columns.ravel())), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # a set: a pair repeated in a text counts once
    return matrix


def _dice(matrix: Any, one: int, two: int) -> float:
    """2 |A ∩ B| / (|A| + |B|) of the character pairs of two rows; 0 when either is empty."""
    a = matrix.indices[matrix.indptr[one] : matrix.indptr[one + 1]]
    b = matrix.indices[matrix.indptr[two] : matrix.indptr[two + 1]]
    if not len(a) or not len(b):
        return 0.0
    return 2 * len(np.intersect1d(a, b, assume_unique=True)) / (len(a) + len(b))

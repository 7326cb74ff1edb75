"""The cascade: static embeddings propose candidate pairs, the model confirms only their texts.

The semantic checks compare every new sample with every other one, but only pairs whose prompts
(and answers) are close can become findings. The fast stage (static.py: thousands of texts a
second) finds the pairs that *might* reach the checks' thresholds, with a threshold lowered so
that it misses none the model would find (`fast_floor`, measured by
bench/cascade_calibration.py). The confirming model (runtime.py) then embeds only the prompts
of the samples that take part in a candidate pair, and only the answers of those whose prompt
it finds close to another's (both checks need close prompts; answers are the long texts that
cost most). On a dataset of mostly distinct samples that is a small share of the texts.

What the semantic tier gets back has the shape of embedding everything: one row per sample for
the prompts and the answers, new and existing. Rows of samples that were confirmed hold the
model's vectors; the others are zero, whose cosine with anything is 0, below every threshold.
So the tier's searches run unchanged on these arrays and find the pairs the model alone would
find among the candidates: the confirmed cosines are the model's own, never the static ones.
Every pair of confirmed prompts at or above the lower of the thresholds has both answers
confirmed, so no check ever compares a real vector with a missing one.

`mode="exact"` (config `semantic_mode = "exact"`) embeds every text with the model, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from datatenet.embeddings.base import Embedder, EmbeddingsUnavailable
from datatenet.embeddings.search import joint_pairs_above
from datatenet.progress import QUIET, Progress

Vectors = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]
MODES = ("cascade", "exact")
DEFAULT_MODE = "cascade"
# How far below the model's threshold the (centred) static cosine may fall for a pair the
# model finds. Measured by bench/cascade_calibration.py with all-MiniLM-L6-v2 and its 256-d
# distillation: the lowest static cosine of a written paraphrase the model finds at 0.87 was
# 0.535 ("Name three vaccinations that adults should get" / "List three vaccines that adults
# should receive": the words differ, the meaning does not).
FLOOR_MARGIN = 0.37
LOWEST_FLOOR = 0.3
PER_SAMPLE = 16  # candidates kept per new sample (its closest by the fast stage)


def fast_floor(threshold: float) -> float:
    """The static-embedding cosine that proposes a pair for a model threshold `threshold`."""
    return max(LOWEST_FLOOR, threshold - FLOOR_MARGIN)


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs: new sample `new[k]` with `other[k]`, an existing sample, or an earlier
    new one when `other_is_new[k]`; `score[k]` is the fast stage's cosine (the minimum of the
    views the rule compares)."""

    new: Indices
    other: Indices
    other_is_new: npt.NDArray[np.bool_]
    score: Vectors

    def __len__(self) -> int:
        return len(self.new)


@dataclass(frozen=True)
class CascadeVectors:
    """The model's vectors of the prompts and answers, one row per sample; zero rows for the
    texts the cascade did not confirm. `confirmed_new` and `confirmed_existing` mark the
    samples with both vectors: those in a pair whose prompts the model found close."""

    new_prompts: Vectors
    new_answers: Vectors
    existing_prompts: Vectors
    existing_answers: Vectors
    confirmed_new: npt.NDArray[np.bool_]
    confirmed_existing: npt.NDArray[np.bool_]
    candidates: Candidates | None  # None when every text went through the model
    mode: str
    texts: int  # distinct texts in the corpus
    texts_confirmed: int  # distinct texts the model embedded (or found in its cache)
    note: str = ""  # why the cascade fell back to the model alone, if it did


def cascade_vectors(
    new_prompts: Sequence[str],
    new_answers: Sequence[str],
    existing_prompts: Sequence[str],
    existing_answers: Sequence[str],
    confirm: Embedder,
    fast: Embedder | None,
    *,
    duplicate_threshold: float,
    prompt_threshold: float | None = None,
    new_keys: npt.ArrayLike | None = None,
    existing_keys: npt.ArrayLike | None = None,
    mode: str = DEFAULT_MODE,
    progress: Progress | None = None,
) -> CascadeVectors:
    """The vectors the semantic checks need, through the cascade (or the model alone).

    A pair of samples is a candidate when the static cosines (of vectors centred on the corpus
    mean) of its prompts and of its answers both reach `fast_floor(duplicate_threshold)`
    (semantic duplicates), or, with `prompt_threshold`, its prompts alone reach
    `fast_floor(prompt_threshold)` (conflicts: the same question). New samples are paired
    with existing ones and with earlier new ones. Pairs with equal keys (the same sample id:
    left to the exact tier) are no candidates.
    `fast` None, `mode="exact"` or a fast stage that cannot run: every text goes through
    `confirm`. Raises EmbeddingsUnavailable when the model cannot run.
    """
    if mode not in MODES:
        raise ValueError(f"semantic mode must be one of {MODES}, not {mode!r}")
    progress = progress if progress is not None else QUIET
    texts = _distinct(new_prompts, new_answers, existing_prompts, existing_answers)
    n_new, n_old = len(new_prompts), len(existing_prompts)
    note = ""
    candidates = None
    if mode == "cascade" and fast is not None and n_new:
        try:
            candidates = _candidates(
                fast,
                (new_prompts, new_answers, existing_prompts, existing_answers),
                duplicate_threshold,
                prompt_threshold,
                (new_keys, existing_keys),
                progress,
            )
        except EmbeddingsUnavailable as error:
            note = f"fast stage skipped ({error.reason}): every text embedded by the model"
    if candidates is None:
        everything = _embed_rows(
            confirm,
            np.arange(n_new),
            np.arange(n_old),
            new_prompts,
            new_answers,
            existing_prompts,
            existing_answers,
        )
        prompts_new, answers_new, prompts_old, answers_old, embedded = everything
        with_answer_new = np.ones(n_new, dtype=np.bool_)
        with_answer_old = np.ones(n_old, dtype=np.bool_)
    else:
        involved_new = np.zeros(n_new, dtype=np.bool_)
        involved_old = np.zeros(n_old, dtype=np.bool_)
        involved_new[candidates.new] = True
        involved_new[candidates.other[candidates.other_is_new]] = True
        involved_old[candidates.other[~candidates.other_is_new]] = True
        # The model on the prompts of the samples in a candidate pair, then on the answers of
        # those whose prompt reaches the lower threshold with another confirmed prompt: both
        # checks need that prompt cosine, and answers are the long, costly texts.
        rows_new, rows_old = np.flatnonzero(involved_new), np.flatnonzero(involved_old)
        prompts_new, _, prompts_old, _, embedded = _embed_rows(
            confirm, rows_new, rows_old, new_prompts, None, existing_prompts, None
        )
        lower = min(duplicate_threshold, prompt_threshold or duplicate_threshold)
        with_answer_new, with_answer_old = _close_prompts(
            prompts_new, prompts_old, rows_new, rows_old, lower
        )
        _, answers_new, _, answers_old, answered = _embed_rows(
            confirm,
            np.flatnonzero(with_answer_new),
            np.flatnonzero(with_answer_old),
            None,
            new_answers,
            None,
            existing_answers,
            dimension=prompts_new.shape[1],
        )
        embedded |= answered
    return CascadeVectors(
        prompts_new,
        answers_new,
        prompts_old,
        answers_old,
        confirmed_new=with_answer_new,
        confirmed_existing=with_answer_old,
        candidates=candidates,
        mode="exact" if candidates is None else "cascade",
        texts=texts,
        texts_confirmed=len(embedded),
        note=note,
    )


def _embed_rows(
    confirm: Embedder,
    rows_new: Indices,
    rows_old: Indices,
    new_prompts: Sequence[str] | None,
    new_answers: Sequence[str] | None,
    old_prompts: Sequence[str] | None,
    old_answers: Sequence[str] | None,
    dimension: int = 0,
) -> tuple[Vectors, Vectors, Vectors, Vectors, set[str]]:
    """The model's vectors of the given texts of the given rows, in one call, scattered into
    arrays of one row per sample (zero elsewhere; a view not given stays all zero)."""
    n_new = len(new_prompts if new_prompts is not None else new_answers or ())
    n_old = len(old_prompts if old_prompts is not None else old_answers or ())
    groups = [
        (new_prompts, rows_new, n_new),
        (new_answers, rows_new, n_new),
        (old_prompts, rows_old, n_old),
        (old_answers, rows_old, n_old),
    ]
    wanted = [texts[i] for texts, rows, _ in groups if texts is not None for i in rows.tolist()]
    vectors = confirm.embed(wanted) if wanted else np.zeros((0, dimension), dtype=np.float32)
    dimension = vectors.shape[1] if wanted else dimension
    out: list[Vectors] = []
    at = 0
    for texts, rows, size in groups:
        part = np.zeros((size, dimension), dtype=np.float32)
        if texts is not None and len(rows):
            part[rows] = vectors[at : at + len(rows)]
            at += len(rows)
        out.append(part)
    return out[0], out[1], out[2], out[3], set(wanted)


def _close_prompts(
    prompts_new: Vectors,
    prompts_old: Vectors,
    rows_new: Indices,
    rows_old: Indices,
    threshold: float,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The samples whose confirmed prompt reaches `threshold` with another confirmed prompt
    (new with earlier new, new with existing): every pair the checks can report."""
    close_new = np.zeros(len(prompts_new), dtype=np.bool_)
    close_old = np.zeros(len(prompts_old), dtype=np.bool_)
    queries = prompts_new[rows_new]
    rows, cols, _ = joint_pairs_above([queries], None, threshold)
    close_new[rows_new[rows]] = True
    close_new[rows_new[cols]] = True
    if len(rows_old):
        rows, cols, _ = joint_pairs_above([queries], [prompts_old[rows_old]], threshold)
        close_new[rows_new[rows]] = True
        close_old[rows_old[cols]] = True
    return close_new, close_old


def _candidates(
    fast: Embedder,
    texts: tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str]],
    duplicate_threshold: float,
    prompt_threshold: float | None,
    keys: tuple[npt.ArrayLike | None, npt.ArrayLike | None],
    progress: Progress,
) -> Candidates:
    new_prompts, new_answers, old_prompts, old_answers = texts
    n_new, n_old = len(new_prompts), len(old_prompts)
    vectors = fast.embed([*new_prompts, *new_answers, *old_prompts, *old_answers])
    prompts = _centered(np.vstack([vectors[:n_new], vectors[2 * n_new : 2 * n_new + n_old]]))
    answers = _centered(np.vstack([vectors[n_new : 2 * n_new], vectors[2 * n_new + n_old :]]))
    new_p, new_a, old_p, old_a = prompts[:n_new], answers[:n_new], prompts[n_new:], answers[n_new:]
    new_keys, old_keys = keys
    if (new_keys is None) != (old_keys is None):
        raise ValueError("give keys for both sides or for neither")
    rules = [([new_p, new_a], [old_p, old_a], fast_floor(duplicate_threshold))]
    if prompt_threshold is not None:
        rules.append(([new_p], [old_p], fast_floor(prompt_threshold)))
    found: list[tuple[Indices, Indices, npt.NDArray[np.bool_], Vectors]] = []
    with progress.status(f"searching candidate pairs among {n_new + n_old:,} samples"):
        for queries, base, floor in rules:
            rows, cols, scores = joint_pairs_above(
                queries, None, floor, query_keys=new_keys, per_query=PER_SAMPLE
            )
            found.append((rows, cols, np.ones(len(rows), dtype=np.bool_), scores))
            if n_old:
                rows, cols, scores = joint_pairs_above(
                    queries,
                    base,
                    floor,
                    query_keys=new_keys,
                    base_keys=old_keys,
                    per_query=PER_SAMPLE,
                )
                found.append((rows, cols, np.zeros(len(rows), dtype=np.bool_), scores))
    return Candidates(
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate([f[2] for f in found]),
        np.concatenate([f[3] for f in found]),
    )


def _centered(vectors: Vectors) -> Vectors:
    """The vectors less their mean, at unit length. Static vectors of any two texts share a
    large common part (the frequent tokens): without it, cosines spread out and rank pairs much
    more as the model does (bench/cascade_calibration.py)."""
    out: Vectors = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _distinct(*groups: Sequence[str]) -> int:
    return len({text for group in groups for text in group})

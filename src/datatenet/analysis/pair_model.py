"""The model's evidence for the pair analysis (analysis/pair_verdicts.py): which pairs the model
looks at, and the cosines of their prompts, last user turns and answers.

Two ways, `semantic_mode` in the configuration:

- `exact`: the model embeds every text, and every pair of a new sample with an earlier one whose
  prompts reach the lowest threshold a verdict can rest on is looked at.
- `cascade` (the default): the model embeds only the texts of pairs whose verdict can still
  depend on it.
  1. A pair the lexical tiers proposed (a near copy, the same prompt id) whose verdict no cosine
     can change needs nothing (pair_judge.settled_without_model: questions that give other
     numbers are never the same question). Exact copies, and text the model does not read,
     never need it.
  2. Among the other distinct samples (one per exact group), the fast stage
     (embeddings/cascade.py) proposes the pairs that might reach a threshold.
  3. The model embeds the prompts (and last turns) of the samples in the pairs left open and in
     the candidates; a candidate whose prompts reach the search floor joins the evidence, as it
     would in the exact mode.
  4. Then the answers, of the pairs whose verdict can rest on them (the same prompt id, or
     prompts and last turns at the lowest duplicate threshold): they are the long, costly texts.

  Every pair the exact mode looks at is looked at, unless the fast stage misses it: what the
  floor's calibration measures (bench/cascade_calibration.py). A corpus of fewer than
  `cascade.MIN_SAMPLES` distinct samples takes the exact way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from datatenet.analysis.character_pairs import add_character_evidence
from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.decisive import give_other_numbers, question_numbers
from datatenet.analysis.pair_judge import Evidence, settled_without_model
from datatenet.analysis.semantic import CorpusVectors
from datatenet.analysis.thresholds import Thresholds
from datatenet.embeddings import cascade
from datatenet.embeddings.base import Embedder
from datatenet.embeddings.language import covers, read_part
from datatenet.progress import QUIET, Progress

Vectors = npt.NDArray[np.float32]
Pair = tuple[int, int]  # (new position, earlier position) in `Corpus.everyone`
Known = dict[Pair, dict[str, float]]
VIEWS = ("prompt", "question", "answer")


class RowVectors:
    """The model's vectors of the prompts, last user turns and answers of `corpus.everyone`,
    embedded when first asked for, each distinct text once. Without conversations the last
    turn is the prompt, and the `question` view is the `prompt` view."""

    def __init__(self, corpus: Corpus, embedder: Embedder | None) -> None:
        everyone = corpus.everyone
        self.embedder = embedder
        self.conversations = any(item.question is not None for item in everyone)
        self.texts = {
            "prompt": [item.prompt for item in everyone],
            "question": [item.last_turn for item in everyone],
            "answer": [item.response for item in everyone],
        }
        self.have = {view: np.zeros(len(everyone), dtype=np.bool_) for view in VIEWS}
        self._vectors: dict[str, Vectors] = {}
        self.embedded: set[str] = set()  # distinct texts asked of the model

    @classmethod
    def of(
        cls, corpus: Corpus, vectors: CorpusVectors, embedder: Embedder | None = None
    ) -> RowVectors:
        """Every row at once, from the vectors of the whole corpus."""
        rows = cls(corpus, embedder)
        whole = {"prompt": vectors.prompts, "question": vectors.last_turns}
        for view, array in {**whole, "answer": vectors.answers}.items():
            if len(array):
                rows._vectors[view] = array
                rows.have[view][:] = True
                rows.embedded.update(rows.texts[view])
        return rows

    def view(self, name: str) -> str:
        return "prompt" if name == "question" and not self.conversations else name

    def vectors(self, name: str) -> Vectors:
        return self._vectors[self.view(name)]

    def has(self, name: str) -> npt.NDArray[np.bool_]:
        return self.have[self.view(name)]

    def embed(self, wanted: Mapping[str, Iterable[int]]) -> None:
        """Embed the texts of the given rows of each view that are not embedded yet, in one
        call to the model. May raise EmbeddingsUnavailable."""
        todo: dict[str, npt.NDArray[np.intp]] = {}
        for name, rows in wanted.items():
            view = self.view(name)
            chosen = np.unique(np.fromiter(rows, dtype=np.intp))
            chosen = chosen[~self.have[view][chosen]]
            if len(chosen):
                todo[view] = np.union1d(todo.get(view, chosen), chosen)
        texts = [self.texts[view][row] for view, rows in todo.items() for row in rows.tolist()]
        if not texts:
            return
        if self.embedder is None:
            raise ValueError("these vectors were given whole: there is no model to embed more")
        vectors = self.embedder.embed(texts)
        self.embedded.update(texts)
        at = 0
        for view, rows in todo.items():
            if view not in self._vectors:
                size = len(self.have[view])
                self._vectors[view] = np.zeros((size, vectors.shape[1]), dtype=np.float32)
            self._vectors[view][rows] = vectors[at : at + len(rows)]
            self.have[view][rows] = True
            at += len(rows)

    def embed_pairs(self, names: Iterable[str], pairs: Iterable[Pair]) -> None:
        """Embed what the cosines of `pairs` in the views `names` need: the rows of the pairs
        whose two texts differ (two equal texts have the same vector: cosine 1)."""
        pairs = list(pairs)
        self.embed(
            {
                name: {row for pair in pairs if not self.equal(name, *pair) for row in pair}
                for name in names
            }
        )

    def equal(self, name: str, one: int, two: int) -> bool:
        texts = self.texts[self.view(name)]
        return texts[one] == texts[two]

    def cosines(self, name: str, pairs: npt.NDArray[np.intp]) -> Vectors:
        """The view's cosine of each pair (rows of `pairs`): 1 where its two texts are equal,
        NaN where a row they need is not embedded."""
        out = np.full(len(pairs), np.nan, dtype=np.float32)
        if not len(pairs):
            return out
        texts = self.texts[self.view(name)]
        equal = np.fromiter(
            (texts[one] == texts[two] for one, two in pairs.tolist()), np.bool_, len(pairs)
        )
        out[equal] = 1.0
        if self.view(name) not in self._vectors:
            return out
        have = self.has(name)
        both = have[pairs[:, 0]] & have[pairs[:, 1]] & ~equal
        vectors = self.vectors(name)
        one, two = vectors[pairs[both, 0]], vectors[pairs[both, 1]]
        out[both] = np.clip(np.einsum("ij,ij->i", one, two), 0.0, 1.0)
        return out


@dataclass
class PairModel:
    """The model as the pair analysis uses it: `name` (the configured model: which languages
    it reads), its vectors by row, and the fast stage (None: the exact mode)."""

    name: str
    rows: RowVectors
    fast: Embedder | None = None
    progress: Progress = QUIET
    min_samples: int = cascade.MIN_SAMPLES
    margin: float | None = None  # the fast stage's floor margin (None: cascade.FLOOR_MARGIN)
    per_sample: int = cascade.PER_SAMPLE  # candidates each sample keeps in each rule
    stats: dict[str, int] = field(default_factory=dict)  # what the last run did
    why: str = "exact mode"  # why every text went through the model, when it did

    def summary(self) -> str:
        """One line on how the model's evidence was gathered (shown with --verbose)."""
        s = self.stats
        if not s:
            return ""
        texts = f"the model embedded {s['confirmed']:,} of {s['texts']:,} distinct texts"
        if s.get("cascade"):
            return (
                f"pairs: cascade; the fast stage compared {s['samples']:,} distinct samples and "
                f"proposed {s['candidates']:,} pairs, {s['settled']:,} pairs were settled "
                f"without the model; {texts}"
            )
        return f"pairs: every text through the model ({self.why}); {texts}"


def add_model_evidence(
    known: Known, corpus: Corpus, groups: list[int], model: PairModel, thresholds: Thresholds
) -> None:
    """Add the model's pairs and cosines to what the tiers know of each pair (`known`).
    `groups`: per position, equal numbers for equal normalised texts (the exact tier's)."""
    everyone = corpus.everyone
    readable = np.array([covers(model.name, item.text) for item in everyone], dtype=np.bool_)
    settled: set[Pair] = set()
    proposed = None
    if model.fast is not None:
        proposed = _cascade(known, everyone, len(corpus.existing), groups, readable, model,
                            thresholds, settled)  # fmt: skip
    if proposed is None:
        proposed = _exact(model, len(corpus.existing), search_floor(thresholds))
    for pair in proposed:
        known.setdefault(pair, {})
    _set_cosines(known, everyone, readable, model.rows, settled)
    add_character_evidence(known, corpus, ~readable, thresholds)
    model.stats["texts"] = len({t for view in VIEWS for t in model.rows.texts[view]})
    model.stats["confirmed"] = len(model.rows.embedded)


def search_floor(thresholds: Thresholds) -> float:
    """The lowest prompt cosine at which the model's evidence can make a verdict."""
    return min(duplicate_floor(thresholds), thresholds.conflict_prompt)


def duplicate_floor(thresholds: Thresholds) -> float:
    """The lowest cosine of prompt, last turn and answer at which a pair can be a duplicate."""
    t = thresholds
    return min(t.possible_duplicate, t.semantic_same_result, t.semantic_duplicate)


def _exact(model: PairModel, offset: int, floor: float) -> list[Pair]:
    """Every text through the model; the pairs of new prompts with earlier ones at `floor`."""
    from datatenet.embeddings.search import pairs_above

    rows = model.rows
    size = len(rows.texts["prompt"])
    rows.embed({view: range(size) for view in VIEWS})
    if not size:
        return []
    prompts = rows.vectors("prompt")
    new = prompts[offset:]
    found: list[Pair] = []
    for base, shift in ((prompts[:offset], 0), (None, offset)):
        if base is not None and not len(base):
            continue
        hits, columns, _ = pairs_above(new, base, floor)
        found += zip((offset + hits).tolist(), (shift + columns).tolist(), strict=True)
    return found


def _cascade(
    known: Known,
    everyone: tuple[Item, ...],
    offset: int,
    groups: list[int],
    readable: npt.NDArray[np.bool_],
    model: PairModel,
    thresholds: Thresholds,
    settled: set[Pair],
) -> list[Pair] | None:
    """The pairs the model looks at through the cascade (see the module's docstring), their
    texts embedded; None when the corpus is too small for the fast stage, or it cannot run."""
    from datatenet.embeddings.base import EmbeddingsUnavailable

    members: dict[int, list[int]] = {}
    for position, item in enumerate(everyone):
        if readable[position] and item.prompt.strip():
            members.setdefault(groups[position], []).append(position)
    lists = list(members.values())
    if len(lists) < model.min_samples:
        model.why = f"fewer than {model.min_samples} distinct samples"
        return None
    try:
        candidates = _candidates(everyone, lists, offset, model, thresholds)
    except EmbeddingsUnavailable as error:
        model.why = f"fast stage unavailable: {error.reason}"
        return None
    open_pairs = []
    for pair, what in known.items():
        new, other = pair
        if groups[new] == groups[other] or not (readable[new] and readable[other]):
            continue
        if settled_without_model(everyone[new], everyone[other], Evidence.of(what), thresholds):
            settled.add(pair)
        else:
            open_pairs.append(pair)
    fresh = sorted(
        _open_candidates(candidates - known.keys(), everyone, settled),
        key=lambda pair: (pair[1] >= offset, pair),  # the exact search's order
    )
    rows = model.rows
    rows.embed_pairs(("prompt", "question"), (*open_pairs, *fresh))
    fresh_array = np.array(fresh, dtype=np.intp).reshape(-1, 2)
    prompt = rows.cosines("prompt", fresh_array)
    # (less a rounding margin: these cosines and the exact search's are summed differently)
    floor = search_floor(thresholds) - 1e-6
    kept = [pair for pair, cosine in zip(fresh, prompt.tolist(), strict=True) if cosine >= floor]
    looked_at = np.array([*open_pairs, *kept], dtype=np.intp).reshape(-1, 2)
    close = np.fmin(rows.cosines("prompt", looked_at), rows.cosines("question", looked_at))
    floor = duplicate_floor(thresholds) - 1e-6
    answered = [
        (new, other)
        for (new, other), cosine in zip(looked_at.tolist(), close.tolist(), strict=True)
        if cosine >= floor or known.get((new, other), {}).get("same_prompt")
    ]
    rows.embed_pairs(("answer",), answered)
    model.stats.update(
        cascade=1, samples=len(lists), candidates=len(candidates), settled=len(settled)
    )
    return kept


def _open_candidates(
    candidates: Iterable[Pair], everyone: tuple[Item, ...], settled: set[Pair]
) -> list[Pair]:
    """The candidates whose verdict can depend on the model. A pair no lexical tier proposed
    is judged on its cosines and questions only (analysis/pair_judge.py), and questions that
    give other numbers are never the same question: those pairs are settled (added to
    `settled`), whatever the model would say."""
    numbers: dict[int, Counter[str]] = {}

    def of(row: int) -> Counter[str]:
        if row not in numbers:
            numbers[row] = question_numbers(everyone[row].last_turn)
        return numbers[row]

    left = []
    for pair in candidates:
        if give_other_numbers(of(pair[0]), of(pair[1])):
            settled.add(pair)
        else:
            left.append(pair)
    return left


def _candidates(
    everyone: tuple[Item, ...],
    lists: list[list[int]],
    offset: int,
    model: PairModel,
    thresholds: Thresholds,
) -> set[Pair]:
    """The pairs of samples (new, earlier) the fast stage proposes, among the distinct samples
    `lists` (the positions of each exact group)."""
    assert model.fast is not None
    first = [members[0] for members in lists]
    views = [
        [read_part(model.name, everyone[p].prompt) for p in first],
        [read_part(model.name, everyone[p].response) for p in first],
    ]
    if model.rows.conversations:
        views.append([read_part(model.name, everyone[p].last_turn) for p in first])
    with model.progress.status(f"fast stage: candidate pairs among {len(first):,} samples"):
        flat = model.fast.embed([text for view in views for text in view])
        size = len(first)
        vectors = [cascade.centered(flat[k * size : (k + 1) * size]) for k in range(len(views))]
        asked = [0, 2] if len(views) == 3 else [0]
        rules = [
            ([*asked, 1], cascade.fast_floor(duplicate_floor(thresholds), model.margin)),
            (asked, cascade.fast_floor(thresholds.conflict_prompt, model.margin)),
        ]
        queries = np.array(
            [k for k, members in enumerate(lists) if members[-1] >= offset], dtype=np.intp
        )
        pairs = cascade.candidate_pairs(vectors, queries, rules, model.per_sample)
    same_answer = cascade.equal_text_pairs([everyone[p].response for p in first], queries)
    found: set[Pair] = set()
    for one, two in (*pairs.tolist(), *same_answer):
        for a, b in ((lists[one], lists[two]), (lists[two], lists[one])):
            found.update((i, j) for i in a if i >= offset for j in b if j < i)
    return found


def _set_cosines(
    known: Known,
    everyone: tuple[Item, ...],
    readable: npt.NDArray[np.bool_],
    rows: RowVectors,
    settled: set[Pair],
) -> None:
    """The cosines of every pair the model read both samples of and no text compared is empty,
    where the model embedded what it needs; none for the pairs settled without the model."""
    pairs = [
        pair for pair in known if pair not in settled and readable[pair[0]] and readable[pair[1]]
    ]
    if not pairs:
        return
    array = np.array(pairs, dtype=np.intp)
    of_view: dict[str, list[float]] = {}  # without conversations, "question" is "prompt"
    for view in VIEWS:
        if rows.view(view) not in of_view:
            of_view[rows.view(view)] = rows.cosines(view, array).tolist()
    cosines = {view: of_view[rows.view(view)] for view in VIEWS}
    for at, (new, other) in enumerate(pairs):
        one, two = everyone[new], everyone[other]
        prompts = bool(one.prompt.strip() and two.prompt.strip())
        texts = {"prompt": prompts, "question": prompts}
        texts["answer"] = bool(one.response.strip() and two.response.strip())
        what = known[(new, other)]
        for view in VIEWS:
            cosine = cosines[view][at]
            if texts[view] and cosine == cosine:  # not NaN: embedded, or equal texts
                what[f"{view}_cosine"] = cosine

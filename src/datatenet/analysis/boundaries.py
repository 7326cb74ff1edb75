"""Boundaries of a behaviour: does the change show it, and does it also show when not to?

A behaviour of the registry (`[behaviours.ID]` in the config) may carry a `marker`, a regex
over the answer that fires when the behaviour is shown ("clarifying question" might be
`(?i)could you clarify|do you mean`), and `examples`, a few answers that show it (an answer
within `example_cosine` of one of them shows it too, when vectors are at hand).

- How many new samples show the behaviour (and the share among the existing ones, for scale).
- Counter-examples: new samples that do *not* show it although their prompt resembles the
  prompt of one that does (cosine at least `similar_prompt`). A change teaching when to ask a
  clarifying question should also teach when not to; without counter-examples the model learns
  to ask everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datatenet.analysis.base import Analysis, Inputs
from datatenet.analysis.findings import Finding
from datatenet.analysis.measures import Measure

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

EXAMPLE_COSINE = 0.8
SIMILAR_PROMPT = 0.75


@dataclass(frozen=True)
class Behaviour:
    id: str
    marker: re.Pattern[str] | None = None
    examples: tuple[str, ...] = ()

    @property
    def detectable(self) -> bool:
        return self.marker is not None or bool(self.examples)


@dataclass(frozen=True)
class Boundary:
    behaviour: str
    new_samples: int
    shows: tuple[int, ...]  # indices of the new samples showing the behaviour
    counter_examples: tuple[
        int, ...
    ]  # new samples not showing it, with a prompt like one's that does
    existing_share: float | None  # share of the existing samples showing it (by marker)

    @property
    def share(self) -> float:
        return len(self.shows) / self.new_samples if self.new_samples else 0.0

    def explanation(self) -> str:
        head = (
            f"{len(self.shows)} of {self.new_samples} new samples show behaviour {self.behaviour!r}"
        )
        if self.existing_share is not None:
            head += f" ({self.existing_share:.0%} of the existing ones do)"
        if not self.shows:
            return head + ": the change does not show the behaviour it names"
        if not self.counter_examples:
            return head + (
                "; no counter-example (a similar prompt where it must not fire): the model may "
                "learn to show it everywhere"
            )
        return head + f"; {len(self.counter_examples)} counter-example(s) mark its boundary"

    def to_json(self) -> dict[str, Any]:
        return {
            "behaviour": self.behaviour,
            "new_samples": self.new_samples,
            "shows": len(self.shows),
            "share": round(self.share, 4),
            "counter_examples": len(self.counter_examples),
            "existing_share": None
            if self.existing_share is None
            else round(self.existing_share, 4),
        }


def shows_behaviour(
    behaviour: Behaviour,
    answers: Sequence[str],
    answer_vectors: Vectors | None = None,
    example_vectors: Vectors | None = None,
    example_cosine: float = EXAMPLE_COSINE,
) -> npt.NDArray[np.bool_]:
    import numpy as np

    found = np.zeros(len(answers), dtype=bool)
    if behaviour.marker is not None:
        found |= np.array([bool(behaviour.marker.search(a)) for a in answers], dtype=bool)
    if (
        answer_vectors is not None
        and example_vectors is not None
        and len(example_vectors)
        and len(answers)
    ):
        found |= (answer_vectors @ example_vectors.T).max(axis=1) >= example_cosine
    return found


def boundary(
    behaviour: Behaviour,
    new_answers: Sequence[str],
    new_prompt_vectors: Vectors,
    *,
    new_answer_vectors: Vectors | None = None,
    example_vectors: Vectors | None = None,
    existing_answers: Sequence[str] = (),
    similar_prompt: float = SIMILAR_PROMPT,
) -> Boundary:
    import numpy as np

    shown = shows_behaviour(behaviour, new_answers, new_answer_vectors, example_vectors)
    showing = np.flatnonzero(shown)
    others = np.flatnonzero(~shown)
    counter: list[int] = []
    if len(showing) and len(others):
        closeness = new_prompt_vectors[others] @ new_prompt_vectors[showing].T
        counter = [int(i) for i in others[closeness.max(axis=1) >= similar_prompt]]
    existing_share = None
    if behaviour.marker is not None and existing_answers:
        marker = behaviour.marker
        existing_share = sum(bool(marker.search(a)) for a in existing_answers) / len(
            existing_answers
        )
    return Boundary(
        behaviour.id,
        len(new_answers),
        tuple(int(i) for i in showing),
        tuple(counter),
        existing_share,
    )


def behaviours_from_config(table: Any) -> tuple[list[Behaviour], list[str]]:
    """Behaviours with a marker or examples from the `[behaviours]` table (id -> {statement,
    marker, examples}), and a note for every marker that is not a valid regex."""
    out: list[Behaviour] = []
    notes: list[str] = []
    if not isinstance(table, dict):
        return out, notes
    for key, spec in table.items():
        if not isinstance(spec, dict):
            continue
        marker = None
        if isinstance(spec.get("marker"), str):
            try:
                marker = re.compile(spec["marker"])
            except re.error as exc:
                notes.append(f"behaviour {key!r}: marker is not a valid regex ({exc}); ignored")
        examples = tuple(e for e in spec.get("examples", ()) if isinstance(e, str))
        behaviour = Behaviour(str(key), marker, examples)
        if behaviour.detectable:
            out.append(behaviour)
    return out, notes


@dataclass(frozen=True)
class BoundariesCheck:
    """`boundaries`: for the behaviours the commit names (`options["reinforced"]`), or every
    registered behaviour with a marker or examples, how the new samples show it."""

    checks: frozenset[str] = frozenset({"boundaries"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import shared

        new = shared.side(inputs, "new")
        behaviours, notes = behaviours_from_config(shared.option(inputs, "behaviours", {}))
        named = {str(n) for n in shared.option(inputs, "reinforced", ()) or ()}
        if named:
            behaviours = [b for b in behaviours if b.id in named]
        if not new or not behaviours:
            return Analysis(notes=tuple(notes))
        vectors = shared.prompt_vectors(inputs)
        model = inputs.vectors()
        existing_answers = [item.response for item in shared.side(inputs, "existing")]
        found = []
        for behaviour in behaviours:
            examples = (
                shared.embed(inputs, list(behaviour.examples)) if behaviour.examples else None
            )
            found.append(
                boundary(
                    behaviour,
                    [item.response for item in new],
                    vectors.new,
                    new_answer_vectors=None if model is None else model.new_answers,
                    example_vectors=examples,
                    existing_answers=existing_answers,
                )
            )
        findings = []
        for result in found:
            if result.shows and result.counter_examples:
                continue
            shown = [new[i] for i in result.shows[:3]] or list(new[:3])
            findings.append(
                Finding(
                    "boundary",
                    "marker",
                    "warning",
                    result.share,
                    tuple(item.ref() for item in shown),
                    result.explanation(),
                    details={"behaviour": result.behaviour},
                )
            )
        best = max(found, key=lambda r: r.share)
        measures = (
            Measure(
                "behaviour_shown",
                best.share,
                tuple(r.explanation() for r in found),
                best.explanation(),
                {"behaviours": [r.to_json() for r in found]},
                combine="min",
            ),
            Measure(
                "counter_examples",
                float(min(len(r.counter_examples) for r in found)),
                (),
                "; ".join(
                    f"{r.behaviour}: {len(r.counter_examples)} counter-example(s)" for r in found
                ),
                combine="min",
            ),
        )
        return Analysis(tuple(findings), measures, (*notes, *shared.vectors_note(inputs)))

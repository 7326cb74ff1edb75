"""The pure parts of bisect: the commit search (halving, skips, weighted), the prior, and
delta debugging over samples."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datatenet.bisect import ddmin, search
from datatenet.bisect.search import Found, OnlySkipped, Probe


def _drive(
    size: int, culprit: int, weights: list[float] | None = None, skips: set[int] = frozenset()
) -> tuple[search.Step, int]:  # type: ignore[assignment]
    verdicts: dict[int, search.Verdict] = {}
    runs = decisive = 0
    while True:
        step = search.choose(size, verdicts, weights, decisive)
        if not isinstance(step, Probe):
            return step, runs
        assert step.index not in verdicts and 0 < step.index < size  # never twice, never bad
        runs += 1
        if step.index in skips:
            verdicts[step.index] = "skip"
        else:
            verdicts[step.index] = "bad" if step.index >= culprit else "good"
            decisive += 1


@pytest.mark.parametrize("size", range(1, 70))
def test_halving_finds_every_culprit_within_ceil_log2(size: int) -> None:
    bound = math.ceil(math.log2(size)) if size > 1 else 0
    for culprit in range(1, size + 1):
        step, runs = _drive(size, culprit)
        assert step == Found(culprit)
        assert runs <= bound
    assert max(_drive(size, c)[1] for c in range(1, size + 1)) == bound


def test_halving_probes_the_middle_first() -> None:
    assert search.choose(12, {}) == Probe(6)
    assert search.choose(12, {6: "good"}) == Probe(9)
    assert search.choose(12, {6: "good", 9: "bad"}) == Probe(7)
    assert search.choose(12, {6: "good", 7: "bad"}) == Found(7)


def test_skips_move_away_and_name_every_suspect_when_nothing_else_is_left() -> None:
    # the middle is skipped: another state is probed, not the skipped one again
    step = search.choose(12, {6: "skip"})
    assert isinstance(step, Probe) and step.index != 6
    # a skipped state next to the answer leaves it ambiguous, as git bisect says
    assert search.choose(12, {4: "good", 5: "skip", 6: "bad"}) == OnlySkipped((5, 6))
    assert search.choose(12, {4: "good", 5: "skip", 6: "skip", 7: "bad"}) == OnlySkipped((5, 6, 7))
    # skipping states away from the answer still finds it
    for culprit in range(1, 17):
        step, _ = _drive(16, culprit, skips={8, 4, 12})
        if culprit - 1 in {8, 4, 12} or culprit in {8, 4, 12}:
            assert isinstance(step, (Found, OnlySkipped))
            if isinstance(step, OnlySkipped):
                assert culprit in step.indices
        else:
            assert step == Found(culprit)


def test_contradicting_verdicts_are_set_aside_and_reported() -> None:
    verdicts: dict[int, search.Verdict] = {3: "bad", 5: "good"}
    assert search.bounds(8, verdicts) == (0, 3)
    assert search.inconsistent(8, verdicts) == (5,)


def test_weighted_search_follows_the_prior() -> None:
    weights = [1.0] * 12
    weights[8] = 12.0  # candidate 9
    step, runs = _drive(12, 9, weights)
    assert step == Found(9) and runs == 2
    assert _drive(12, 9)[1] == 4  # plain halving


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), min_size=1, max_size=40),
    st.data(),
)
def test_weighted_search_never_needs_more_than_ceil_log2_plus_one(
    weights: list[float], data: st.DataObject
) -> None:
    size = len(weights)
    culprit = data.draw(st.integers(min_value=1, max_value=size))
    step, runs = _drive(size, culprit, weights)
    assert step == Found(culprit)
    assert runs <= search.worst_case(size) + 1


def test_expected_probes_weighted_against_halving() -> None:
    uniform = [1.0] * 16
    assert search.expected_probes(16, uniform, False) == pytest.approx(4.0)
    assert search.expected_probes(16, uniform, True) == pytest.approx(4.0)
    pointed = [1.0] * 16
    pointed[10] = 30.0
    weighted = search.expected_probes(16, pointed, True)
    halving = search.expected_probes(16, pointed, False)
    assert weighted < halving - 1.0
    assert search.expected_probes(0, [], True) == 0.0


def test_prior_grows_with_size_and_with_findings_that_teach_something_else() -> None:
    assert search.prior_weight(0, {}) == 1.0
    assert search.prior_weight(100, {}) > search.prior_weight(10, {}) > search.prior_weight(1, {})
    assert search.prior_weight(200, {}) < 2 * search.prior_weight(100, {})  # logarithmic
    plain = search.prior_weight(10, {})
    duplicates = search.prior_weight(10, {"exact-duplicate": 3})
    contradictions = search.prior_weight(10, {"contradiction": 3})
    drift = search.prior_weight(10, {"style-drift": 1})
    assert plain < duplicates < contradictions
    assert drift > duplicates
    assert search.prior_weight(10, {"contradiction": 0}) == plain


# -- delta debugging ---------------------------------------------------------------------------


def _minimise(
    count: int,
    topics: list[list[int]],
    fails: object,
    unresolved: object = None,
) -> tuple[ddmin.Minimal, int]:
    known: dict[frozenset[int], ddmin.Outcome] = {}
    while True:
        step = ddmin.step(count, topics, known)
        if isinstance(step, ddmin.Minimal):
            return step, len(known)
        assert step.subset not in known  # every test is asked once
        if unresolved is not None and unresolved(step.subset):  # type: ignore[operator]
            known[step.subset] = "unresolved"
        else:
            known[step.subset] = "fail" if fails(step.subset) else "pass"  # type: ignore[operator]


HARM = frozenset({5, 17, 23})


@pytest.mark.parametrize("count", [3, 8, 30, 64])
def test_each_harmful_sample_alone_is_found_as_its_own_group(count: int) -> None:
    harm = frozenset(h for h in HARM if h < count) or frozenset({count - 1})
    minimal, _ = _minimise(count, [list(range(count))], lambda s: bool(s & harm))
    assert minimal.reproduced and set(minimal.units) == harm
    assert all(len(group) == 1 for group in minimal.groups)


def test_samples_that_harm_only_together_are_one_group() -> None:
    minimal, _ = _minimise(30, [list(range(30))], lambda s: s >= HARM)
    assert minimal.groups == (tuple(sorted(HARM)),)


def test_topics_first_save_probes() -> None:
    harmful_topic = sorted(HARM)
    others = [u for u in range(30) if u not in HARM]
    topics = [others[:9], harmful_topic, others[9:18], others[18:]]
    by_topic = _minimise(30, topics, lambda s: bool(s & HARM))
    by_halves = _minimise(30, [list(range(30))], lambda s: bool(s & HARM))
    assert set(by_topic[0].units) == set(by_halves[0].units) == HARM
    assert by_topic[1] < by_halves[1]
    together = _minimise(30, topics, lambda s: s >= HARM)
    apart = _minimise(30, [list(range(30))], lambda s: s >= HARM)
    assert together[0].groups == apart[0].groups == (tuple(sorted(HARM)),)
    assert together[1] < apart[1] / 3


def test_nothing_to_find_when_all_new_samples_together_do_not_reproduce() -> None:
    minimal, tests = _minimise(10, [list(range(10))], lambda s: False)
    assert minimal == ddmin.Minimal((), reproduced=False) and tests == 1


def test_unresolved_tests_count_as_not_failing() -> None:
    # subsets holding sample 0 (but not all) cannot be tested; the harmful one is still found
    asked: list[frozenset[int]] = []

    def unresolved(subset: frozenset[int]) -> bool:
        asked.append(subset)
        return 0 in subset and len(subset) < 12

    minimal, _ = _minimise(12, [list(range(12))], lambda s: 7 in s, unresolved=unresolved)
    assert minimal.units == (7,)
    assert any(0 in s and len(s) < 12 for s in asked)


def test_the_search_replays_from_any_prefix_of_its_outcomes() -> None:
    rng = random.Random(3)
    fails = lambda s: bool(s & HARM)  # noqa: E731
    full: dict[frozenset[int], ddmin.Outcome] = {}
    order: list[frozenset[int]] = []
    while not isinstance(step := ddmin.step(30, [list(range(30))], full), ddmin.Minimal):
        full[step.subset] = "fail" if fails(step.subset) else "pass"
        order.append(step.subset)
    cut = rng.randrange(len(order))
    partial = {subset: full[subset] for subset in order[:cut]}
    assert ddmin.step(30, [list(range(30))], partial) == ddmin.NeedTest(order[cut])


def test_every_kind_of_finding_has_a_prior_weight() -> None:
    """A new kind of finding must be weighed on purpose: its weight is the evidence it gives
    that a commit degraded a model."""
    from datatenet.analysis.findings import KINDS

    assert set(search.FINDING_WEIGHTS) == set(KINDS)

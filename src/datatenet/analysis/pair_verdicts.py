"""Duplicates and contradictions as one analysis: one verdict per pair, one finding of each
sort per new sample.

The tiers only propose pairs: the exact tier its copies, the near tier every verified pair
(MinHash + Jaccard), the prompt ids and normalised prompts their groups, the model the pairs of
similar prompts. Every proposed pair is then judged once, from all the evidence gathered on it
(analysis/pair_judge.py), so that a minimal-edit contradiction is a contradiction and not a near
copy, and an exact copy is not a semantic duplicate as well. The literal preference and label
conflicts (analysis/conflicts.py) are verdicts too.

Each new sample then gets at most one duplicate finding (exact, else near, else semantic, else
a possible duplicate shown at info level), naming its best match, an existing sample before an
earlier new one; and at most one contradiction. `--checks` keeps its meaning: `conflicts` reports
contradictions, `exact`, `near` and `semantic` their tiers; a pair judged a contradiction is
never reported as a copy, whichever checks run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datatenet.analysis.corpus import Corpus, Item
from datatenet.analysis.findings import Finding
from datatenet.analysis.pair_judge import Evidence, Verdict, judge
from datatenet.analysis.pair_model import PairModel, add_model_evidence
from datatenet.analysis.semantic import CorpusVectors
from datatenet.analysis.thresholds import Thresholds

CHECK_OF_KIND = {
    "exact-duplicate": "exact",
    "near-duplicate": "near",
    "semantic-duplicate": "semantic",
    "possible-duplicate": "semantic",
    "contradiction": "conflicts",
}
DUPLICATE_RANK = ("exact-duplicate", "near-duplicate", "semantic-duplicate", "possible-duplicate")


def pair_findings(
    corpus: Corpus,
    checks: frozenset[str],
    thresholds: Thresholds,
    vectors: CorpusVectors | None = None,
    model: str | None = None,
    minhash_dir: Path | None = None,
    *,
    pair_model: PairModel | None = None,
) -> list[Finding]:
    """Every finding of the pair analysis (see the module's docstring). The model's evidence
    (from the `semantic` check): `vectors` of the whole corpus by `model`, or `pair_model`
    (analysis/pair_model.py: every text, or through the cascade); `minhash_dir` caches the
    near tier."""
    from datatenet.analysis.duplicates import lexical_tiers
    from datatenet.analysis.pair_model import RowVectors

    if pair_model is None and vectors is not None and model is not None:
        pair_model = PairModel(model, RowVectors.of(corpus, vectors))

    if not corpus.new:
        return []
    everyone = corpus.everyone
    tiers = lexical_tiers(
        corpus, thresholds.near_duplicate, near="near" in checks, cache_dir=minhash_dir
    )
    evidence: dict[tuple[int, int], dict[str, float]] = {}
    near_findings = {}
    for pair in tiers.near:
        evidence.setdefault((pair.position, pair.other), {})["jaccard"] = pair.jaccard
        near_findings[(pair.position, pair.other)] = pair.finding
    for position, other in _same_prompts(corpus):
        evidence.setdefault((position, other), {})["same_prompt"] = 1.0
    if pair_model is not None:
        add_model_evidence(evidence, corpus, tiers.groups, pair_model, thresholds)
    verdicts: dict[tuple[int, int], Verdict] = {}
    if "conflicts" in checks:
        verdicts.update(_literal_conflicts(corpus))
    offset = len(corpus.existing)
    near_found: set[int] = set()
    # Pairs known only as near copies can be nothing else: each sample's best one is enough, so
    # they are judged best first (an existing sample, then the highest Jaccard) until one holds.
    order = sorted(
        evidence,
        key=lambda pair: (
            set(evidence[pair]) != {"jaccard"},
            pair[0],
            pair[1] >= offset,
            -evidence[pair].get("jaccard", 0.0),
            pair[1],  # ties: the earliest match, however the evidence was gathered
        ),
    )
    for position, other in order:
        known = evidence[(position, other)]
        if (position, other) in verdicts or tiers.groups[position] == tiers.groups[other]:
            continue  # decided already, or an exact copy (the exact tier's)
        near_only = set(known) == {"jaccard"}
        if near_only and position in near_found:
            continue
        found = judge(everyone[position], everyone[other], Evidence.of(known), thresholds)
        if found is not None:
            verdicts[(position, other)] = found
            if near_only:
                near_found.add(position)
    return _select(corpus, checks, tiers.exact, verdicts, near_findings)


def _same_prompts(corpus: Corpus) -> list[tuple[int, int]]:
    """(new position, earlier position) of samples with the same prompt id."""
    offset = len(corpus.existing)
    groups: dict[str, list[int]] = {}
    for position, item in enumerate(corpus.existing):
        groups.setdefault(item.prompt_id, []).append(position)
    pairs: list[tuple[int, int]] = []
    for index, item in enumerate(corpus.new):
        members = groups.setdefault(item.prompt_id, [])
        pairs += [(offset + index, other) for other in members]
        members.append(offset + index)
    return pairs


def _literal_conflicts(corpus: Corpus) -> dict[tuple[int, int], Verdict]:
    """Preference pairs reversed and answers labelled both ways (analysis/conflicts.py)."""
    from datatenet.analysis.conflicts import literal_conflicts

    return {
        (position, other): Verdict("contradiction", tier, "error", 1.0, explanation)
        for position, other, tier, explanation in literal_conflicts(corpus)
    }


def _select(
    corpus: Corpus,
    checks: frozenset[str],
    exact: Sequence[tuple[int, Finding]],
    verdicts: dict[tuple[int, int], Verdict],
    near_findings: dict[tuple[int, int], Finding],
) -> list[Finding]:
    """At most one duplicate and one contradiction per new sample, in the order of the new
    samples; the best match first: an existing sample, then the highest score."""
    everyone, offset = corpus.everyone, len(corpus.existing)
    duplicate: dict[int, tuple[tuple[float, ...], Finding]] = {}
    contradiction: dict[int, tuple[tuple[float, ...], Finding]] = {}
    if "exact" in checks:
        for position, finding in exact:
            duplicate[position] = ((0.0,), finding)
    for (position, other), verdict in verdicts.items():
        if CHECK_OF_KIND[verdict.kind] not in checks:
            continue
        new, matched = everyone[position], everyone[other]
        also_new = other >= offset and not corpus.is_scan
        near = near_findings.get((position, other))
        if verdict.kind == "near-duplicate" and near is not None:
            finding = near
        else:
            finding = _finding(verdict, new, matched, also_new)
        existing_first = -float(other < offset)
        if verdict.kind == "contradiction":
            rank: tuple[float, ...] = (
                existing_first,
                -float(bool(verdict.details)),
                -verdict.score,
            )
            if position not in contradiction or rank < contradiction[position][0]:
                contradiction[position] = (rank, finding)
            continue
        rank = (float(DUPLICATE_RANK.index(verdict.kind)), existing_first, -verdict.score)
        if position not in duplicate or rank < duplicate[position][0]:
            duplicate[position] = (rank, finding)
    findings = []
    for position in range(offset, len(everyone)):
        for chosen in (duplicate, contradiction):
            if position in chosen:
                findings.append(chosen[position][1])
    return findings


def _finding(verdict: Verdict, new: Item, matched: Item, also_new: bool) -> Finding:
    where = matched.origin or f"sample {matched.sample_id[:12]}"
    if also_new:
        where += " (also added in this change)"
    return Finding.pair(
        verdict.kind,
        verdict.tier,
        verdict.severity,
        verdict.score,
        new.ref(),
        matched.ref(),
        _explanation(verdict, where),
        verdict.scores,
        details=verdict.details,
    )


def _explanation(verdict: Verdict, where: str) -> str:
    if verdict.kind == "contradiction":
        return verdict.explanation.replace("{where}", where, 1)
    result = f"; {verdict.details['decisive']}" if verdict.details.get("decisive") else ""
    if verdict.tier == "characters":
        prompt, answer = verdict.scores["prompt_characters"], verdict.scores["answer_characters"]
        return (
            f"may ask and answer the same as {where} in other words (character pairs shared:"
            f" prompt {prompt:.2f}, answer {answer:.2f}{result}; the model does not read this"
            " language): shown for review, not counted as a duplicate"
        )
    prompt = verdict.scores.get("prompt_cosine", 0.0)
    answer = verdict.scores.get("answer_cosine", 0.0)
    cosines = f"prompt cosine {prompt:.3f}, answer cosine {answer:.3f}"
    if verdict.kind == "possible-duplicate":
        return (
            f"may say the same as {where} in other words ({cosines}{result}): shown for review,"
            " not counted as a duplicate"
        )
    return (
        f"says the same as {where} in other words ({cosines}{result}): a paraphrase repeats the"
        " same signal and gives it extra weight in training"
    )

"""diff_versions: multiset semantics, pairing of edits, metadata changes; properties."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from datatenet.diff import ChangeSet, Multiplicity, diff_versions
from datatenet.formats.load import LoadOptions, load_file, parse_version
from datatenet.version import Version

Record = dict[str, Any]


def version(records: list[Record], label: str = "v.jsonl", key: str | None = None) -> Version:
    data = "".join(json.dumps(record) + "\n" for record in records).encode()
    loaded = parse_version(data, label, LoadOptions(key=key))
    assert len(loaded.entries) == len(records)
    return loaded


def qa(question: str, answer: str, **meta: Any) -> Record:
    return {"question": question, "answer": answer, **meta}


def counts(changes: ChangeSet) -> tuple[int, int, int, int, int]:
    s = changes.summary
    return s.unchanged, s.added, s.removed, s.modified, s.metadata_changed


X, Y, Z = qa("What is 2+2?", "4"), qa("Capital of France?", "Paris"), qa("Is 7 prime?", "Yes")


def test_identical_versions_have_no_change() -> None:
    changes = diff_versions(version([X, Y, Z]), version([X, Y, Z]))
    assert counts(changes) == (3, 0, 0, 0, 0)
    assert changes.is_empty
    assert changes.multiplicity == ()


def test_files_on_disk(tmp_path: Path) -> None:
    base, head = tmp_path / "base.jsonl", tmp_path / "head.json"
    base.write_text("".join(json.dumps(r) + "\n" for r in [X, Y]), "utf-8")
    head.write_text(json.dumps([Y, Z], indent=2), "utf-8")
    changes = diff_versions(load_file(base, LoadOptions()), load_file(head, LoadOptions()))
    assert counts(changes) == (1, 1, 1, 0, 0)
    assert changes.added == (1,)
    assert changes.removed == (0,)


def test_duplicates_count_twice() -> None:
    changes = diff_versions(version([X, X, Y]), version([X, X, Y]))
    assert counts(changes) == (3, 0, 0, 0, 0)
    assert changes.multiplicity == ()


def test_one_copy_becoming_three() -> None:
    base, head = version([X, Y]), version([Y, X, Z, X, X])
    changes = diff_versions(base, head)
    assert counts(changes) == (2, 3, 0, 0, 0)
    assert changes.added == (2, 3, 4)  # the new sample and two extra copies of X
    assert changes.multiplicity == (Multiplicity(base.entries[0].sample_id, 1, 3, 1, 0),)
    assert changes.summary.multiplicity_changed == 1
    assert not changes.is_empty


def test_removing_one_of_two_copies() -> None:
    base, head = version([X, Y, X]), version([X, Y])
    changes = diff_versions(base, head)
    assert counts(changes) == (2, 0, 1, 0, 0)
    assert changes.removed == (2,)
    assert changes.multiplicity == (Multiplicity(base.entries[0].sample_id, 2, 1, 0, 0),)


def test_a_new_or_gone_sample_with_copies_is_a_multiplicity_change() -> None:
    base, head = version([Y, Z, Z]), version([Y, X, X])
    changes = diff_versions(base, head)
    assert counts(changes) == (1, 2, 2, 0, 0)
    x, z = head.entries[1].sample_id, base.entries[1].sample_id
    assert changes.multiplicity == (Multiplicity(x, 0, 2, 1, None), Multiplicity(z, 2, 0, None, 1))


def test_a_single_new_sample_is_no_multiplicity_change() -> None:
    changes = diff_versions(version([X]), version([X, Y]))
    assert changes.added == (1,)
    assert changes.multiplicity == ()


def test_an_answer_edit_is_modified_by_prompt_id() -> None:
    edited = qa("What is 2+2?", "Four.")
    changes = diff_versions(version([X, Y, Z]), version([Y, Z, edited]))
    assert counts(changes) == (2, 0, 0, 1, 0)
    assert changes.modified == ((0, 2),)


def test_a_prompt_edit_is_removed_and_added_without_a_key() -> None:
    base = version([qa("What is 2+2?", "4", id="a"), Y])
    head = version([qa("What is 2 + 2?", "4", id="a"), Y])
    assert counts(diff_versions(base, head)) == (1, 1, 1, 0, 0)


def test_key_pairs_edits_of_the_prompt() -> None:
    base = [qa("What is 2+2?", "4", id="a"), qa("Is 7 prime?", "Yes", id="b")]
    head = [qa("Is 7 prime?", "Yes", id="b"), qa("What is 2 + 2?", "Four", id="a")]
    changes = diff_versions(version(base, key="id"), version(head, key="id"))
    assert counts(changes) == (1, 0, 0, 1, 0)
    assert changes.modified == ((0, 1),)


def test_key_wins_over_the_prompt() -> None:
    """With --key, a new key answering an old prompt is an addition, not an edit."""
    base = [qa("What is 2+2?", "4", id="a")]
    head = [qa("What is 2+2?", "Four", id="b")]
    assert counts(diff_versions(version(base, key="id"), version(head, key="id"))) == (
        0,
        1,
        1,
        0,
        0,
    )
    assert counts(diff_versions(version(base), version(head))) == (0, 0, 0, 1, 0)


def test_several_edits_of_one_prompt_pair_in_order() -> None:
    base = [qa("q", "a1"), X, qa("q", "a2")]
    head = [qa("q", "b1"), qa("q", "b2"), X, qa("q", "b3")]
    changes = diff_versions(version(base), version(head))
    assert counts(changes) == (1, 1, 0, 2, 0)
    assert changes.modified == ((0, 0), (2, 1))
    assert changes.added == (3,)


def test_preference_edit_pairs_by_prompt() -> None:
    base = [{"prompt": "2+2?", "chosen": "4", "rejected": "5"}]
    head = [{"prompt": "2+2?", "chosen": "4", "rejected": "22"}]
    assert counts(diff_versions(version(base), version(head))) == (0, 0, 0, 1, 0)


def test_metadata_only_edit_is_unchanged_with_a_metadata_change() -> None:
    base = version([qa("What is 2+2?", "4", source="web"), Y, qa("Is 7 prime?", "Yes", id=3)])
    head = version([Y, qa("What is 2+2?", "4", source="handwritten"), qa("Is 7 prime?", "Yes")])
    changes = diff_versions(base, head)
    assert counts(changes) == (3, 0, 0, 0, 2)
    assert changes.metadata_changed == ((0, 1), (2, 2))
    assert not changes.is_empty


def test_copies_are_paired_by_equal_metadata_first() -> None:
    base = version([qa("q", "a", src="a"), qa("q", "a", src="b"), qa("q", "a", src="c")])
    head = version([qa("q", "a", src="c"), qa("q", "a", src="d"), qa("q", "a", src="a")])
    changes = diff_versions(base, head)
    assert counts(changes) == (3, 0, 0, 0, 1)
    assert changes.metadata_changed == ((1, 1),)


def test_fewer_copies_with_new_metadata() -> None:
    base = version([qa("q", "a", src="a"), qa("q", "a", src="b")])
    head = version([qa("q", "a", src="z")])
    changes = diff_versions(base, head)
    assert counts(changes) == (1, 0, 1, 0, 1)
    assert changes.metadata_changed == ((0, 0),)
    assert changes.removed == (1,)


def test_reordering_is_no_change() -> None:
    changes = diff_versions(version([X, Y, Z, X]), version([Z, X, Y, X]))
    assert counts(changes) == (4, 0, 0, 0, 0)
    assert changes.is_empty
    assert changes.multiplicity == ()


def test_empty_versions() -> None:
    empty = parse_version(b"", "empty.jsonl", LoadOptions())
    assert counts(diff_versions(empty, empty)) == (0, 0, 0, 0, 0)
    assert counts(diff_versions(empty, version([X, X]))) == (0, 2, 0, 0, 0)
    assert counts(diff_versions(version([X]), empty)) == (0, 0, 1, 0, 0)


def test_invalid_records_are_counted() -> None:
    data = (json.dumps(X) + "\n{broken\n" + json.dumps(Y) + "\n").encode()
    head = parse_version(data, "h.jsonl", LoadOptions(skip_invalid=True))
    summary = diff_versions(version([X, Y]), head).summary
    assert (summary.unchanged, summary.invalid_base, summary.invalid_head) == (2, 0, 1)


# ---------------------------------------------------------------------------------------------
# Properties over random datasets: few distinct prompts, answers and metadata values, so that
# duplicates, answer edits and metadata edits are all frequent.

records_strategy = st.builds(
    lambda q, a, src: qa(f"q{q}", f"a{a}") if src is None else qa(f"q{q}", f"a{a}", src=src),
    st.integers(0, 3),
    st.integers(0, 3),
    st.none() | st.sampled_from(["x", "y"]),
)
datasets = st.lists(records_strategy, max_size=12)
EDITS = ("keep", "delete", "duplicate", "answer", "metadata")
PROPERTY = settings(max_examples=150, deadline=None)


@st.composite
def edited(draw: st.DrawFn) -> tuple[list[Record], list[Record]]:
    base = draw(datasets)
    head: list[Record] = []
    for record in base:
        edit = draw(st.sampled_from(EDITS))
        if edit == "keep":
            head.append(record)
        elif edit == "duplicate":
            head += [record] * draw(st.integers(2, 3))
        elif edit == "answer":
            head.append({**record, "answer": f"a{draw(st.integers(0, 5))}"})
        elif edit == "metadata":
            head.append({**record, "src": draw(st.sampled_from(["x", "y", "z"]))})
    head += draw(st.lists(records_strategy, max_size=4))
    return base, draw(st.permutations(head))


def check_invariants(changes: ChangeSet) -> None:
    base, head = changes.base.entries, changes.head.entries
    s = changes.summary
    assert s.base_samples == s.unchanged + s.removed + s.modified
    assert s.head_samples == s.unchanged + s.added + s.modified
    assert s.metadata_changed <= s.unchanged

    base_ids, head_ids = Counter(e.sample_id for e in base), Counter(e.sample_id for e in head)
    assert s.unchanged == sum((base_ids & head_ids).values())

    # Every index is used once; per sample id, exactly the surplus copies are left over.
    base_left = [*changes.removed, *(b for b, _ in changes.modified)]
    head_left = [*changes.added, *(h for _, h in changes.modified)]
    assert len(set(base_left)) == len(base_left)
    assert len(set(head_left)) == len(head_left)
    assert Counter(base[i].sample_id for i in base_left) == base_ids - head_ids
    assert Counter(head[i].sample_id for i in head_left) == head_ids - base_ids

    # Edits answer the same prompt; whatever is left unpaired shares no prompt.
    for b, h in changes.modified:
        assert base[b].prompt_id == head[h].prompt_id
        assert base[b].sample_id != head[h].sample_id
    assert not {base[i].prompt_id for i in changes.removed} & {
        head[i].prompt_id for i in changes.added
    }

    # Metadata changes pair equal samples with different metadata, within the unchanged ones.
    for b, h in changes.metadata_changed:
        assert base[b].sample_id == head[h].sample_id
        assert base[b].meta_id != head[h].meta_id
    assert not set(base_left) & {b for b, _ in changes.metadata_changed}
    assert not set(head_left) & {h for _, h in changes.metadata_changed}

    expected = {
        sample_id: (base_ids[sample_id], head_ids[sample_id])
        for sample_id in base_ids | head_ids
        if base_ids[sample_id] != head_ids[sample_id]
        and max(base_ids[sample_id], head_ids[sample_id]) > 1
    }
    found = {m.sample_id: (m.base_count, m.head_count) for m in changes.multiplicity}
    assert found == expected


@PROPERTY
@given(datasets, st.randoms(use_true_random=False))
def test_shuffling_is_no_change(records: list[Record], rng: Any) -> None:
    shuffled = list(records)
    rng.shuffle(shuffled)
    changes = diff_versions(version(records), version(shuffled))
    assert changes.is_empty
    assert changes.multiplicity == ()
    assert changes.summary.unchanged == len(records)


@PROPERTY
@given(datasets)
def test_diff_with_itself_is_empty(records: list[Record]) -> None:
    same = version(records)
    changes = diff_versions(same, same)
    assert changes.is_empty
    assert counts(changes) == (len(records), 0, 0, 0, 0)
    assert changes.multiplicity == ()


@PROPERTY
@given(edited())
def test_counts_always_add_up(pair: tuple[list[Record], list[Record]]) -> None:
    base, head = pair
    check_invariants(diff_versions(version(base), version(head)))


@PROPERTY
@given(edited())
def test_diff_backwards_mirrors_diff_forwards(pair: tuple[list[Record], list[Record]]) -> None:
    base, head = version(pair[0]), version(pair[1])
    forward, backward = diff_versions(base, head), diff_versions(head, base)
    check_invariants(backward)
    f, b = forward.summary, backward.summary
    assert (f.unchanged, f.metadata_changed) == (b.unchanged, b.metadata_changed)
    assert (f.added, f.removed, f.modified) == (b.removed, b.added, b.modified)


@PROPERTY
@given(edited(), st.data())
def test_counts_add_up_with_a_key(pair: tuple[list[Record], list[Record]], data: Any) -> None:
    def keyed(records: list[Record]) -> list[Record]:
        return [{**r, "id": data.draw(st.integers(0, 4))} for r in records]

    changes = diff_versions(version(keyed(pair[0]), key="id"), version(keyed(pair[1]), key="id"))
    s = changes.summary
    assert s.base_samples == s.unchanged + s.removed + s.modified
    assert s.head_samples == s.unchanged + s.added + s.modified
    base, head = changes.base.entries, changes.head.entries
    for b, h in changes.modified:
        assert base[b].key == head[h].key
    assert not {base[i].key for i in changes.removed} & {head[i].key for i in changes.added}


def test_plain_text_samples_do_not_pair_as_edits() -> None:
    """Text samples have no prompt: a replaced one is removed + added, not 'modified'."""
    from datatenet.diff import diff_versions
    from datatenet.formats.load import LoadOptions, parse_version

    base = parse_version(b'{"text": "alpha"}\n{"text": "beta"}\n', "a.jsonl", LoadOptions())
    head = parse_version(b'{"text": "alpha"}\n{"text": "gamma"}\n', "b.jsonl", LoadOptions())
    summary = diff_versions(base, head).summary
    assert (summary.unchanged, summary.added, summary.removed, summary.modified) == (1, 1, 1, 0)

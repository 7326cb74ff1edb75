"""The version store (src/datatenet/repo/store.py): any path at any state, through the id cache,
in real git and DVC repositories."""

from __future__ import annotations

from pathlib import Path

from datatenet.repo.repository import Repo as Repository
from datatenet.repo.tree import Unavailable
from datatenet.sources import dvc
from datatenet.version import Version
from tests.repos import Repo, alpaca

TRAIN = "data/train.jsonl"
HELD_OUT = "eval/held.jsonl"


def test_any_path_at_any_state(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(".datatenet.toml", 'eval = ["eval/*.jsonl"]\n')
    repo.write(TRAIN, alpaca(10))
    repo.write(HELD_OUT, alpaca(3, start=900))
    repo.commit("data and a held-out set")
    repo.write(TRAIN, alpaca(12))
    repo.git("add", TRAIN)
    repo.write(TRAIN, alpaca(13))
    with Repository.open(repo.path) as opened:
        store = opened.store
        for spec, count in (("HEAD", 10), ("INDEX", 12), ("WORKTREE", 13)):
            version = store.version(opened.state(spec), TRAIN)
            assert isinstance(version, Version) and len(version.entries) == count, spec
        held = store.version(opened.state("HEAD"), HELD_OUT)  # not a watched dataset: readable
        assert isinstance(held, Version) and len(held.entries) == 3
        assert store.version(opened.state("HEAD"), "data/nope.jsonl") is None
        assert (store.parsed, store.cached) == (4, 0)
        again = store.version(opened.state("HEAD"), TRAIN)
        assert (store.parsed, store.cached) == (4, 1)  # the same content: not parsed again
        assert isinstance(again, Version)
        (sample,) = again.samples([9])  # the samples themselves are read again on demand
        assert sample.messages[0].content == "question 9" and str(sample.origin) == f"{TRAIN}:10"
    with Repository.open(repo.path) as opened:  # a new command: the id cache on disk
        version = opened.store.version(opened.state("INDEX"), TRAIN)
        assert isinstance(version, Version) and opened.store.parsed == 0


def test_dvc_outputs_and_shards_through_their_pointers(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.dvc("init", "-q")
    repo.write(TRAIN, alpaca(10))
    for n in (1, 2):
        repo.write(f"data/shards/s{n}.jsonl", alpaca(4, start=100 * n))
    repo.dvc("add", "-q", TRAIN, "data/shards")
    repo.commit("track data with dvc")
    with Repository.open(repo.path) as opened:
        head = opened.state("HEAD")
        train = opened.store.version(head, TRAIN)
        shard = opened.store.version(head, "data/shards/s2.jsonl")  # opened from its manifest
        assert isinstance(train, Version) and len(train.entries) == 10
        assert isinstance(shard, Version) and len(shard.entries) == 4
    (out,) = dvc.parse_pointer((repo.path / f"{TRAIN}.dvc").read_bytes(), f"{TRAIN}.dvc")
    assert out.md5 is not None
    cached = dvc.object_path(dvc.cache_dir(repo.path), out.md5)
    assert cached is not None
    cached.chmod(0o644)
    cached.unlink()
    with Repository.open(repo.path, use_cache=False) as opened:
        missing = opened.store.version(opened.state("HEAD"), TRAIN)
    assert isinstance(missing, Unavailable)
    assert missing.fetch == f"dvc fetch --all-commits {TRAIN}.dvc" and "not in the local DVC" in (
        missing.reason
    )

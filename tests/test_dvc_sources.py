"""sources.dvc and repository diffs of DVC-tracked data, on real DVC repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datatenet.errors import DatatenetError
from datatenet.sources import dvc
from datatenet.sources.git import INDEX, WORKTREE
from tests.repos import Repo, alpaca
from tests.repos import repo_diff as diff_repository

TRAIN = "data/train.jsonl"
SHARDS = "data/shards"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Two commits of a DVC repo: a tracked file and a tracked directory of three shards.

    The second commit grows the file by two samples and edits one sample of shard s2.
    """
    repo = Repo(tmp_path_factory.mktemp("dvc") / "repo")
    repo.dvc("init", "-q")
    repo.write(TRAIN, alpaca(10))
    for n in (1, 2, 3):
        repo.write(f"{SHARDS}/s{n}.jsonl", alpaca(4, start=100 * n))
    repo.write(f"{SHARDS}/README.txt", "not a dataset\n")
    repo.dvc("add", "-q", TRAIN, SHARDS)
    repo.commit("track data with dvc")
    repo.write(TRAIN, alpaca(12))
    repo.write(f"{SHARDS}/s2.jsonl", alpaca(4, start=200, edit=" (fixed)", edited=(201,)))
    repo.dvc("add", "-q", TRAIN, SHARDS)
    repo.commit("grow and fix")
    return repo


@pytest.fixture
def repo(template: Repo, tmp_path: Path) -> Repo:
    return template.copy(tmp_path / "repo")


def counts(change: object) -> tuple[int, int, int]:
    s = change.changeset.summary  # type: ignore[attr-defined]
    return s.added, s.removed, s.modified


def test_real_pointers_and_the_dvc3_cache_layout(template: Repo) -> None:
    root = template.path
    (train,) = dvc.parse_pointer((root / f"{TRAIN}.dvc").read_bytes(), f"{TRAIN}.dvc")
    assert (train.path, train.is_dir, train.legacy) == (TRAIN, False, False)
    assert train.md5 == dvc.md5_hex((root / TRAIN).read_bytes())
    assert train.fetch_command == "dvc pull data/train.jsonl.dvc"
    cache = dvc.cache_dir(root)
    assert cache == root / ".dvc" / "cache"
    assert (
        dvc.object_path(cache, train.md5) == cache / "files" / "md5" / train.md5[:2] / train.md5[2:]
    )
    (shards,) = dvc.parse_pointer((root / f"{SHARDS}.dvc").read_bytes(), f"{SHARDS}.dvc")
    assert shards.is_dir and shards.md5 is not None and shards.path == SHARDS
    manifest = dvc.read_object(cache, shards.md5, is_dir=True)
    assert manifest is not None
    entries = dvc.parse_manifest(manifest, SHARDS)
    assert sorted(e.relpath for e in entries) == ["README.txt", "s1.jsonl", "s2.jsonl", "s3.jsonl"]
    assert not dvc.has_remote(root)
    assert dvc.is_pointer("data/x.jsonl.dvc") and not dvc.is_pointer(".dvc/config")
    assert dvc.is_lock("sub/dvc.lock") and not dvc.is_lock(".dvc/dvc.lock")


def test_pointer_and_lock_parsing_errors_and_legacy_fields() -> None:
    with pytest.raises(DatatenetError) as caught:
        dvc.parse_pointer(b"outs:\n- md5: [unclosed\n", "data/x.dvc")
    assert caught.value.message.startswith("data/x.dvc:") and "YAML" in caught.value.message
    assert "git checkout" in caught.value.hint
    with pytest.raises(DatatenetError, match="no `path`"):
        dvc.parse_pointer(b"outs:\n- md5: abc\n", "x.dvc")
    (legacy,) = dvc.parse_pointer(b"outs:\n- md5: 0123abcd\n  path: ../up.csv\n", "a/b/x.dvc")
    assert (legacy.path, legacy.legacy, legacy.md5) == ("a/up.csv", True, "0123abcd")
    lock = (
        b"schema: '2.0'\nstages:\n  prep:\n    cmd: python prep.py\n    outs:\n"
        b"    - path: out/prepared.jsonl\n      hash: md5\n      md5: 00ff\n      size: 3\n"
        b"    - path: out/dir\n      hash: md5\n      md5: 11ee.dir\n"
    )
    outs = dvc.parse_lock(lock, "pipe/dvc.lock")
    assert [(o.path, o.md5, o.is_dir) for o in outs] == [
        ("pipe/out/prepared.jsonl", "00ff", False),
        ("pipe/out/dir", "11ee", True),
    ]
    assert outs[0].fetch_command == "dvc pull pipe/out/prepared.jsonl"


def test_diff_between_revisions_opens_only_changed_shards(repo: Repo) -> None:
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert [(c.path, c.status, c.storage, counts(c)) for c in result.changes] == [
        (f"{SHARDS}/s2.jsonl", "modified", "dvc", (0, 0, 1)),
        (TRAIN, "modified", "dvc", (2, 0, 0)),
    ]
    assert result.unchanged == 2  # s1 and s3; README.txt is not a dataset
    assert result.parsed == 4 and not result.unavailable and not result.failures
    again = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert (again.parsed, again.cached) == (0, 4)
    only = diff_repository(repo.path, "HEAD~1", "HEAD", [f"{TRAIN}.dvc"])
    assert [c.path for c in only.changes] == [TRAIN]
    shard = diff_repository(repo.path, "HEAD~1", "HEAD", [f"{SHARDS}/s2.jsonl"])
    assert [c.path for c in shard.changes] == [f"{SHARDS}/s2.jsonl"]


def test_the_staged_pointer_wins_over_the_workspace_file(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(15))
    repo.dvc("add", "-q", TRAIN)
    repo.git("add", f"{TRAIN}.dvc")
    repo.write(TRAIN, alpaca(20))  # edited again after staging the pointer
    staged = diff_repository(repo.path, "HEAD", INDEX)
    assert [(c.path, counts(c)) for c in staged.changes] == [(TRAIN, (3, 0, 0))]
    worktree = diff_repository(repo.path, "HEAD", WORKTREE)
    assert [(c.path, counts(c)) for c in worktree.changes] == [(TRAIN, (8, 0, 0))]
    pending = diff_repository(repo.path, INDEX, WORKTREE)
    assert [(c.path, counts(c)) for c in pending.changes] == [(TRAIN, (5, 0, 0))]


def test_workspace_edits_before_dvc_add(repo: Repo) -> None:
    repo.write(f"{SHARDS}/s3.jsonl", alpaca(5, start=300))
    repo.write(f"{SHARDS}/s4.jsonl", alpaca(1, start=400))
    result = diff_repository(repo.path, "HEAD", WORKTREE)
    assert [(c.path, c.status, counts(c)) for c in result.changes] == [
        (f"{SHARDS}/s3.jsonl", "modified", (1, 0, 0)),
        (f"{SHARDS}/s4.jsonl", "added", (1, 0, 0)),
    ]


def test_objects_missing_from_the_cache_are_unavailable(repo: Repo) -> None:
    cache = dvc.cache_dir(repo.path)
    (train,) = dvc.parse_pointer((repo.path / f"{TRAIN}.dvc").read_bytes(), f"{TRAIN}.dvc")
    (shards,) = dvc.parse_pointer((repo.path / f"{SHARDS}.dvc").read_bytes(), f"{SHARDS}.dvc")
    assert train.md5 and shards.md5
    for md5, is_dir in ((train.md5, False), (shards.md5, True)):
        path = dvc.object_path(cache, md5, is_dir=is_dir)
        assert path is not None
        path.chmod(0o644)
        path.unlink()
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert not result.changes and not result.failures
    assert {(u.path, u.side) for u in result.unavailable} == {(TRAIN, "head"), (SHARDS, "head")}
    missing = {u.path: u for u in result.unavailable}
    assert missing[TRAIN].fetch == "dvc fetch --all-commits data/train.jsonl.dvc"  # HEAD: a commit
    assert "not in the local DVC cache" in missing[TRAIN].reason
    assert missing[SHARDS].fetch == "dvc fetch --all-commits data/shards.dvc"
    assert "manifest" in missing[SHARDS].reason


def test_remote_fallback_through_dvc_api(repo: Repo, tmp_path: Path) -> None:
    repo.dvc("remote", "add", "-d", "local", str(tmp_path / "remote"))
    repo.dvc("push", "-q")
    assert dvc.has_remote(repo.path)
    (train,) = dvc.parse_pointer((repo.path / f"{TRAIN}.dvc").read_bytes(), f"{TRAIN}.dvc")
    assert train.md5
    (shards,) = dvc.parse_pointer((repo.path / f"{SHARDS}.dvc").read_bytes(), f"{SHARDS}.dvc")
    assert train.md5 and shards.md5
    cache = dvc.cache_dir(repo.path)
    for md5, is_dir in ((train.md5, False), (shards.md5, True)):
        path = dvc.object_path(cache, md5, is_dir=is_dir)
        assert path is not None
        path.chmod(0o644)
        path.unlink()
    committed = diff_repository(repo.path, "HEAD~1", "HEAD", [TRAIN])
    assert [(c.path, counts(c)) for c in committed.changes] == [(TRAIN, (2, 0, 0))]
    repo.write(TRAIN, alpaca(13))
    repo.dvc("add", "-q", TRAIN)
    repo.git("add", f"{TRAIN}.dvc")
    result = diff_repository(repo.path, "HEAD~1", INDEX)  # the remote serves every state
    assert [(c.path, counts(c)) for c in result.changes] == [
        (f"{SHARDS}/s2.jsonl", (0, 0, 1)),
        (TRAIN, (3, 0, 0)),
    ]
    assert not result.unavailable
    assert dvc.object_path(cache, train.md5) is None  # read-only toward the DVC cache
    offline = diff_repository(repo.path, "HEAD~1", "HEAD", remote=False, use_cache=False)
    assert {u.path for u in offline.unavailable} == {TRAIN, SHARDS}


def test_configured_cache_dir_and_the_legacy_layout(repo: Repo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "cache-elsewhere"
    repo.dvc("cache", "dir", str(elsewhere))
    shutil.move(repo.path / ".dvc" / "cache", elsewhere)
    assert dvc.cache_dir(repo.path) == elsewhere
    assert [c.path for c in diff_repository(repo.path, "HEAD~1", "HEAD").changes] == [
        f"{SHARDS}/s2.jsonl",
        TRAIN,
    ]
    # DVC 2: no `hash: md5` in the pointer, objects at cache/ab/cdef...
    pointer = repo.path / f"{TRAIN}.dvc"
    pointer.write_text(pointer.read_text().replace("  hash: md5\n", ""))
    (train,) = dvc.parse_pointer(pointer.read_bytes(), f"{TRAIN}.dvc")
    assert train.legacy and train.md5
    modern = elsewhere / "files" / "md5" / train.md5[:2] / train.md5[2:]
    legacy = elsewhere / train.md5[:2] / train.md5[2:]
    legacy.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(modern, legacy)
    repo.commit("legacy pointer")
    result = diff_repository(repo.path, "HEAD~2", "HEAD", [TRAIN])
    assert [(c.path, counts(c)) for c in result.changes] == [(TRAIN, (2, 0, 0))]


def test_dvc_lock_outputs(repo: Repo) -> None:
    repo.write(
        "dvc.yaml",
        "stages:\n  prepare:\n    cmd: cp data/train.jsonl data/prepared.jsonl\n"
        "    deps:\n    - data/train.jsonl\n    outs:\n    - data/prepared.jsonl\n",
    )
    repo.dvc("repro", "-q")
    repo.commit("pipeline")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert [(c.path, c.status, c.storage, counts(c)) for c in result.changes] == [
        ("data/prepared.jsonl", "added", "dvc", (12, 0, 0))
    ]

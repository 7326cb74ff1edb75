"""Repository diffs (`Repo.diff`) on real git repositories: every kind of change, state and
storage."""

from __future__ import annotations

import hashlib
import json
import stat
import sys
from pathlib import Path

import pytest

from datatenet.config import Settings, settings_from_dict
from datatenet.formats.load import LoadOptions
from datatenet.idcache import IdCache
from datatenet.repo.diff import RepoDiff
from datatenet.repo.repository import Repo as Repository
from datatenet.sources.git import INDEX, SHALLOW_HINT, WORKTREE, GitError
from tests.repos import Repo, alpaca
from tests.repos import repo_diff as diff_repository

TRAIN = "data/train.jsonl"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(TRAIN, alpaca(10))
    repo.write("data/other.jsonl", alpaca(4, start=50))
    repo.write("README.md", "not data\n")
    repo.write("package.json", '{"name": "not data"}\n')
    repo.commit("first")
    return repo


def summary(result_change: object) -> tuple[int, int, int]:
    s = result_change.changeset.summary  # type: ignore[attr-defined]
    return s.added, s.removed, s.modified


def test_edit_between_two_revisions(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(11, edit=" (better)", edited=(2, 3)))
    head = repo.commit("edit")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert result.base.spec == "HEAD~1" and result.head.commit == head
    assert [(c.path, c.status, c.storage) for c in result.changes] == [(TRAIN, "modified", "git")]
    assert summary(result.changes[0]) == (1, 0, 2)
    assert result.unchanged == 1  # data/other.jsonl; README and package.json are not datasets
    assert not result.unavailable and not result.failures and not result.renames


def test_added_and_deleted_files_diff_against_nothing(repo: Repo) -> None:
    repo.git("rm", "-q", "data/other.jsonl")
    repo.write("data/new.jsonl", alpaca(3, start=200))
    repo.commit("add and delete")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    by_path = {c.path: c for c in result.changes}
    assert by_path["data/new.jsonl"].status == "added"
    assert summary(by_path["data/new.jsonl"]) == (3, 0, 0)
    assert by_path["data/other.jsonl"].status == "deleted"
    assert summary(by_path["data/other.jsonl"]) == (0, 4, 0)


def test_renames_diff_the_old_path_against_the_new(repo: Repo) -> None:
    repo.git("mv", TRAIN, "data/sft.jsonl")
    repo.write("data/sft.jsonl", alpaca(10, edit="!", edited=(0,)))
    repo.git("mv", "data/other.jsonl", "data/moved.jsonl")
    repo.commit("renames")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert set(result.renames) == {
        (TRAIN, "data/sft.jsonl"),
        ("data/other.jsonl", "data/moved.jsonl"),
    }
    by_path = {c.path: c for c in result.changes}
    edited = by_path["data/sft.jsonl"]
    assert (edited.status, edited.old_path) == ("renamed", TRAIN)
    assert summary(edited) == (0, 0, 1)
    assert edited.changeset.base.label == TRAIN and edited.changeset.head.label == "data/sft.jsonl"
    moved = by_path["data/moved.jsonl"]
    assert moved.status == "renamed" and moved.changeset.is_empty
    assert result.parsed == 3  # the moved file's one content was parsed once for both sides


def diff_commit(path: Path, revision: str) -> RepoDiff:
    with Repository.open(path) as opened:
        return opened.commit_diff(revision)


def test_merge_commit_against_first_parent_and_initial_commit(repo: Repo) -> None:
    first = diff_commit(repo.path, "HEAD")  # the initial commit: against the empty tree
    assert first.base.label == "the empty tree"
    assert {(c.path, c.status) for c in first.changes} == {
        (TRAIN, "added"),
        ("data/other.jsonl", "added"),
    }
    repo.git("checkout", "-q", "-b", "side")
    repo.write("data/other.jsonl", alpaca(5, start=50))
    repo.commit("side grows other")
    repo.git("checkout", "-q", "main")
    repo.write(TRAIN, alpaca(12))
    repo.commit("main grows train")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    merged = diff_commit(repo.path, "HEAD")
    assert [(c.path, summary(c)) for c in merged.changes] == [("data/other.jsonl", (1, 0, 0))]


def test_staged_and_worktree_states(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(12))
    repo.git("add", TRAIN)
    repo.write(TRAIN, alpaca(15))  # edited again after staging: not what gets committed
    repo.write("data/untracked.jsonl", alpaca(2, start=300))
    staged = diff_repository(repo.path, "HEAD", INDEX)
    assert [(c.path, summary(c)) for c in staged.changes] == [(TRAIN, (2, 0, 0))]
    assert staged.head.label == "the index (staged)"
    pending = diff_repository(repo.path, INDEX, WORKTREE, include_untracked=True)
    assert [(c.path, c.status, summary(c)) for c in pending.changes] == [
        (TRAIN, "modified", (3, 0, 0)),
        ("data/untracked.jsonl", "added", (2, 0, 0)),
    ]
    tracked_only = diff_repository(repo.path, INDEX, WORKTREE)
    assert [(c.path, summary(c)) for c in tracked_only.changes] == [(TRAIN, (3, 0, 0))]
    assert tracked_only.untracked == ("data/untracked.jsonl",)
    everything = diff_repository(repo.path, "HEAD", WORKTREE)
    assert summary(everything.changes[0]) == (5, 0, 0)


def test_staged_inside_a_real_commit_a_hook(repo: Repo, tmp_path: Path) -> None:
    """`git commit -a` stages into a temporary index named by GIT_INDEX_FILE for the hook."""
    report = tmp_path / "hook.json"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os, sys\n"
        "from pathlib import Path\n"
        "from datatenet.repo.repository import Repo\n"
        "result = Repo.open(Path.cwd()).diff('HEAD', 'INDEX')\n"
        "changes = [[c.path, c.changeset.summary.added] for c in result.changes]\n"
        "Path(os.environ['DT_REPORT']).write_text(json.dumps(\n"
        "    {'changes': changes, 'index': os.environ.get('GIT_INDEX_FILE')}))\n"
    )
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}"\n')
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    repo.write(TRAIN, alpaca(13))  # modified, not staged: `commit -a` stages it
    repo.git("commit", "-q", "-a", "-m", "grow", env={"DT_REPORT": str(report)})
    seen = json.loads(report.read_text())
    assert seen["index"] and seen["index"].endswith("index.lock")
    assert seen["changes"] == [[TRAIN, 3]]


def test_second_run_parses_nothing_and_reloads_samples_lazily(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(11, edit=" (v2)", edited=(0,)))
    repo.commit("edit")
    cache = IdCache(repo.path / ".git" / "datatenet" / "ids")
    first = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert (first.parsed, first.cached) == (2, 0)
    assert cache.directory.is_dir()
    second = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert (second.parsed, second.cached) == (0, 2)
    assert second.changes[0].changeset.summary == first.changes[0].changeset.summary
    changeset = second.changes[0].changeset
    added = changeset.head.samples(list(changeset.added))
    assert [s.messages[0].content for s in added] == ["question 10"]
    assert str(added[0].origin) == f"{TRAIN}:11"
    (base_index, head_index) = changeset.modified[0]
    assert changeset.base.samples([base_index])[0].messages[-1].content == "answer 0"
    assert changeset.head.samples([head_index])[0].messages[-1].content == "answer 0 (v2)"
    uncached = diff_repository(repo.path, "HEAD~1", "HEAD", use_cache=False)
    assert (uncached.parsed, uncached.cached) == (2, 0)


def test_worktree_edit_is_cached_for_the_staged_diff(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(14))
    assert diff_repository(repo.path, "HEAD", WORKTREE).parsed == 2
    repo.git("add", TRAIN)
    staged = diff_repository(repo.path, "HEAD", INDEX)
    assert (staged.parsed, staged.cached) == (0, 2)  # the same bytes: the same address


def test_paths_with_spaces_and_unicode(repo: Repo) -> None:
    names = ["data/my set.jsonl", "data/données ü 数据.jsonl", "données/x y.csv"]
    for name in names[:2]:
        repo.write(name, alpaca(2, start=400))
    repo.write(names[2], "instruction,output\nq,a\n")
    repo.commit("odd names")
    repo.write(names[0], alpaca(3, start=400))
    repo.write(names[1], alpaca(1, start=400))
    repo.write(names[2], "instruction,output\nq,a\nq2,a2\n")
    result = diff_repository(repo.path, "HEAD", WORKTREE)
    assert {c.path: summary(c) for c in result.changes} == {
        names[0]: (1, 0, 0),
        names[1]: (0, 1, 0),
        names[2]: (1, 0, 0),
    }
    only = diff_repository(repo.path, "HEAD", WORKTREE, ["données"])
    assert [c.path for c in only.changes] == [names[2]]


def test_lfs_pointer_is_unavailable_until_its_object_is_there(repo: Repo) -> None:
    content = alpaca(3, start=500).encode()
    oid = hashlib.sha256(content).hexdigest()
    repo.write(".gitattributes", "*.jsonl.lfs filter=lfs diff=lfs merge=lfs -text\n")
    repo.write(
        "data/big.jsonl",
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n",
    )
    repo.commit("lfs pointer")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert not result.changes
    (missing,) = result.unavailable
    assert missing.path == "data/big.jsonl" and missing.side == "head"
    assert "Git LFS" in missing.reason and "not in git" in missing.reason
    assert missing.fetch == "git lfs pull --include=data/big.jsonl"
    stored = repo.path / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    stored.parent.mkdir(parents=True)
    stored.write_bytes(content)
    found = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert [(c.path, c.storage, summary(c)) for c in found.changes] == [
        ("data/big.jsonl", "git-lfs", (3, 0, 0))
    ]


def test_shallow_clone_without_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.write(TRAIN, alpaca(11))
    repo.commit("second")
    Repo(tmp_path, init=False).git("clone", "-q", "--depth", "1", f"file://{repo.path}", "shallow")
    with pytest.raises(GitError) as caught:
        diff_repository(tmp_path / "shallow", "HEAD~1", "HEAD")
    assert "'HEAD~1'" in caught.value.message and caught.value.hint == SHALLOW_HINT
    assert caught.value.exit_code == 2


def test_before_the_first_commit(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "fresh")
    repo.write(TRAIN, alpaca(2))
    repo.git("add", TRAIN)
    result = diff_repository(repo.path, "HEAD", INDEX)
    assert [(c.path, c.status) for c in result.changes] == [(TRAIN, "added")]
    assert result.base.label == "HEAD (no commits yet)"


def test_configuration_selects_datasets_and_maps_fields(repo: Repo) -> None:
    qa = "\n".join(json.dumps({"question": f"q{i}", "answer": f"a{i}"}) for i in range(3))
    repo.write("qa/faq.json", qa + "\n")
    repo.write(
        ".datatenet.toml",
        'datasets = ["qa/*.json"]\n[mappings."qa/faq.json"]\nprompt = "question"\n'
        'response = "answer"\n',
    )
    repo.write(TRAIN, alpaca(20))  # not watched any more
    repo.commit("qa")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert [(c.path, summary(c)) for c in result.changes] == [("qa/faq.json", (3, 0, 0))]
    assert result.changes[0].changeset.head.schema == "alpaca"
    forced = diff_repository(
        repo.path, "HEAD~1", "HEAD", settings=Settings(), options=LoadOptions(skip_invalid=True)
    )
    assert {c.path for c in forced.changes} == {TRAIN, "qa/faq.json"}


def test_unparsable_file_is_a_failure_not_a_crash(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(10) + '{"instruction": "broken\n')
    repo.commit("broken")
    result = diff_repository(repo.path, "HEAD~1", "HEAD")
    assert not result.changes
    (failure,) = result.failures
    assert failure.path == TRAIN and failure.side == "head"
    assert f"{TRAIN}:11" in failure.message and failure.hint
    assert failure.error().exit_code == 2


def test_dataset_info_json_at_the_revision(repo: Repo) -> None:
    rows = [{"q": f"question {i}", "a": f"answer {i}"} for i in range(3)]
    repo.write("llama/mine.json", json.dumps(rows))
    info = {"mine": {"file_name": "mine.json", "columns": {"prompt": "q", "response": "a"}}}
    repo.write("llama/dataset_info.json", json.dumps(info))
    repo.commit("llama-factory data")
    result = diff_repository(repo.path, "HEAD~1", "HEAD", ["llama"])
    assert [(c.path, summary(c)) for c in result.changes] == [("llama/mine.json", (3, 0, 0))]


def test_the_cache_lives_in_the_common_dir_of_linked_worktrees(repo: Repo) -> None:
    repo.write(TRAIN, alpaca(11))
    repo.commit("grow")
    linked = repo.path.parent / "linked"
    repo.git("worktree", "add", "-q", str(linked), "HEAD")
    assert diff_repository(repo.path, "HEAD~1", "HEAD").parsed == 2
    assert diff_repository(linked, "HEAD~1", "HEAD").parsed == 0
    assert settings_from_dict({}, None, "x") == Settings()
    assert list((repo.path / ".git" / "datatenet" / "ids").iterdir())

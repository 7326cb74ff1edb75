"""sources.git on real repositories: listings, changes, blobs, shallow clones, LFS pointers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from datatenet.sources import git
from datatenet.sources.git import INDEX, WORKTREE, Change, GitError
from tests.repos import Repo, alpaca

SPACED = "data/my set.jsonl"
UNICODE = "data/données ü 数据.jsonl"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("data/train.jsonl", alpaca(5))
    repo.write(SPACED, alpaca(3))
    repo.write("README.md", "hello\n")
    repo.commit("first")
    return repo


def test_root_and_common_dir(repo: Repo) -> None:
    (repo.path / "data" / "deep").mkdir()
    assert git.repo_root(repo.path / "data" / "deep") == repo.path.resolve()
    assert git.common_dir(repo.path) == (repo.path / ".git").resolve()
    worktree = repo.path.parent / "linked"
    repo.git("worktree", "add", "-q", str(worktree))
    assert git.common_dir(worktree) == (repo.path / ".git").resolve()


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        git.repo_root(tmp_path)
    assert "not inside a git repository" in caught.value.message
    assert caught.value.hint


def test_listings_keep_spaces_and_unicode(repo: Repo) -> None:
    repo.write(UNICODE, alpaca(2))
    repo.commit("unicode")
    head = git.resolve_revision(repo.path, "HEAD")
    files = git.list_revision(repo.path, head)
    assert {"data/train.jsonl", SPACED, UNICODE, "README.md"} == set(files)
    blob = repo.repo.head.commit.tree / UNICODE
    assert files[UNICODE] == blob.hexsha
    assert git.list_index(repo.path) == files


def test_worktree_listing(repo: Repo) -> None:
    repo.write("data/train.jsonl", alpaca(6))  # modified
    repo.write("data/new file.jsonl", alpaca(1))  # untracked
    repo.write(".gitignore", "ignored.jsonl\n")
    repo.write("ignored.jsonl", alpaca(1))
    (repo.path / SPACED).unlink()  # deleted
    files = git.list_worktree(repo.path)
    assert files["data/train.jsonl"] is None
    assert files["data/new file.jsonl"] is None
    assert files["README.md"] == repo.repo.head.commit.tree["README.md"].hexsha
    assert SPACED not in files
    assert "ignored.jsonl" not in files


def test_blob_id_is_gits(repo: Repo) -> None:
    data = (repo.path / SPACED).read_bytes()
    assert git.blob_id(data) == repo.git("hash-object", SPACED).strip()
    assert git.object_format(repo.path) == "sha1"


def test_changed_paths_between_every_kind_of_state(repo: Repo) -> None:
    first = git.resolve_revision(repo.path, "HEAD")
    repo.git("mv", "data/train.jsonl", "data/renamed.jsonl")
    repo.write("data/renamed.jsonl", alpaca(5, edit=" (edited)", edited=(0,)))
    repo.write(UNICODE, alpaca(2, start=100))  # unlike the deleted file: not a rename
    repo.git("rm", "-q", SPACED)
    second = repo.commit("rename, add, delete")
    changes = set(git.changed_paths(repo.path, first, second))
    assert changes == {
        Change("R", "data/renamed.jsonl", "data/train.jsonl"),
        Change("A", UNICODE),
        Change("D", SPACED),
    }
    reverse = set(git.changed_paths(repo.path, second, first))
    assert Change("R", "data/train.jsonl", "data/renamed.jsonl") in reverse
    assert not git.changed_paths(repo.path, first, second, renames=False)[0].old_path

    repo.write(UNICODE, alpaca(3, start=100))
    repo.git("add", UNICODE)
    repo.write("README.md", "changed\n")
    assert git.changed_paths(repo.path, second, INDEX) == [Change("M", UNICODE)]
    assert git.changed_paths(repo.path, INDEX, WORKTREE) == [Change("M", "README.md")]
    assert set(git.changed_paths(repo.path, second, WORKTREE)) == {
        Change("M", UNICODE),
        Change("M", "README.md"),
    }
    assert git.changed_paths(repo.path, WORKTREE, INDEX) == [Change("M", "README.md")]
    assert git.changed_paths(repo.path, second, WORKTREE, [f":(literal){UNICODE}"]) == [
        Change("M", UNICODE)
    ]


def test_first_parent_of_initial_and_merge_commits(repo: Repo) -> None:
    initial = git.resolve_revision(repo.path, "HEAD")
    assert git.first_parent(repo.path, "HEAD") == git.empty_tree(repo.path)
    assert git.empty_tree(repo.path) == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert [c.path for c in git.changed_paths(repo.path, git.empty_tree(repo.path), initial)]

    repo.git("checkout", "-q", "-b", "side")
    repo.write("data/side.jsonl", alpaca(1))
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("data/main.jsonl", alpaca(1))
    main = repo.commit("main")
    assert git.merge_base(repo.path, "main", "side") == initial
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    assert git.first_parent(repo.path, "HEAD") == main
    changed = git.changed_paths(repo.path, main, git.resolve_revision(repo.path, "HEAD"))
    assert changed == [Change("A", "data/side.jsonl")]
    assert git.merge_base(repo.path, "main", "side") == side


def test_resolve_revision_errors(repo: Repo) -> None:
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.resolve_revision(repo.path, "nope")
    with pytest.raises(GitError, match="not a revision"):
        git.resolve_revision(repo.path, "--all")
    empty = Repo(repo.path.parent / "empty")
    assert not git.has_commits(empty.path)
    with pytest.raises(GitError, match="no commits yet"):
        git.resolve_revision(empty.path, "HEAD")


def test_shallow_clone_missing_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.write("data/train.jsonl", alpaca(7))
    repo.commit("second")
    clone = tmp_path / "shallow"
    Repo(tmp_path, init=False).git("clone", "-q", "--depth", "1", f"file://{repo.path}", "shallow")
    assert git.is_shallow(clone)
    with pytest.raises(GitError) as caught:
        git.resolve_revision(clone, "HEAD~1")
    assert "HEAD~1" in caught.value.message and "shallow" in caught.value.message
    assert "fetch-depth: 0" in caught.value.hint and "--unshallow" in caught.value.hint
    with pytest.raises(GitError) as parent:
        git.first_parent(clone, "HEAD")  # looks like an initial commit, but is not one
    assert parent.value.hint == git.SHALLOW_HINT


def test_blob_reader_reads_many_blobs_in_one_process(repo: Repo) -> None:
    files = git.list_revision(repo.path, "HEAD")
    with git.BlobReader(repo.path) as reader:
        assert not reader.started
        for path, oid in files.items():
            assert reader.read(oid) == (repo.path / path).read_bytes()
        assert reader.read("0" * 40) is None
        assert reader.reads == len(files)
        process = reader._process
    assert process is not None and process.returncode == 0
    found = git.read_blobs(repo.path, [*files.values(), "1" * 40])
    assert set(found) == set(files.values())


def test_git_index_file_is_honoured(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    other = repo.path / ".git" / "other-index"
    repo.git("read-tree", "HEAD", env={"GIT_INDEX_FILE": str(other)})
    repo.write("data/train.jsonl", alpaca(9))
    repo.git("add", "data/train.jsonl", env={"GIT_INDEX_FILE": str(other)})
    default = git.list_index(repo.path)
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    staged = git.list_index(repo.path)
    assert staged["data/train.jsonl"] != default["data/train.jsonl"]
    assert staged["data/train.jsonl"] == git.blob_id(alpaca(9).encode())
    head = git.resolve_revision(repo.path, "HEAD")
    assert git.changed_paths(repo.path, head, INDEX) == [Change("M", "data/train.jsonl")]


def test_lfs_pointer_detection(tmp_path: Path) -> None:
    content = alpaca(4).encode()
    oid = hashlib.sha256(content).hexdigest()
    pointer_text = (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n"
    ).encode()
    pointer = git.parse_lfs_pointer(pointer_text)
    assert pointer == git.LfsPointer(oid, len(content))
    assert git.parse_lfs_pointer(content) is None
    assert git.parse_lfs_pointer(b"version https://git-lfs.github.com/spec/v1\nsize 3\n") is None
    assert git.lfs_object(tmp_path, pointer) is None
    stored = tmp_path / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    stored.parent.mkdir(parents=True)
    stored.write_bytes(content)
    assert git.lfs_object(tmp_path, pointer) == stored
    assert (
        git.lfs_fetch_command("data/my set.jsonl") == "git lfs pull --include='data/my set.jsonl'"
    )


def test_parse_range_and_repo_path(repo: Repo) -> None:
    assert git.parse_range("main..feature") == ("main", "feature", False)
    assert git.parse_range("main...feature") == ("main", "feature", True)
    assert git.parse_range("..feature") == ("HEAD", "feature", False)
    assert git.parse_range("HEAD~1") is None
    data = repo.path / "data"
    assert git.repo_path(repo.path, Path("my set.jsonl"), data) == SPACED
    assert git.repo_path(repo.path, Path(".."), data) == ""
    with pytest.raises(GitError, match="outside the repository"):
        git.repo_path(repo.path, Path("/"), data)

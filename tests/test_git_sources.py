"""sources.git (and the revision resolver over it) on real repositories: listings, changes,
blobs, revisions, shallow clones, LFS pointers, linked work trees."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from datatenet.repo.repository import Repo as Repository
from datatenet.repo.revisions import Revisions, parse_range
from datatenet.sources import git, lfs, objects, worktrees
from datatenet.sources.git import INDEX, WORKTREE, GitError
from datatenet.sources.git import PathChange as Change
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
    assert git.facts(repo.path / "data" / "deep").root == repo.path.resolve()
    assert git.facts(repo.path).common_dir == (repo.path / ".git").resolve()
    worktree = repo.path.parent / "linked"
    repo.git("worktree", "add", "-q", str(worktree))
    assert git.facts(worktree).common_dir == (repo.path / ".git").resolve()


def revisions(path: Path) -> Revisions:
    return Revisions(git.facts(path))


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        git.facts(tmp_path)
    assert "not inside a git repository" in caught.value.message
    assert caught.value.hint


def test_listings_keep_spaces_and_unicode(repo: Repo) -> None:
    repo.write(UNICODE, alpaca(2))
    repo.commit("unicode")
    head = revisions(repo.path).resolve("HEAD")
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
    listing = git.list_worktree(repo.path)
    assert "data/train.jsonl" in listing.changed
    assert "data/new file.jsonl" in listing.untracked
    assert listing.index["README.md"] == repo.repo.head.commit.tree["README.md"].hexsha
    assert SPACED in listing.deleted
    assert "ignored.jsonl" not in listing.untracked
    assert set(listing.index) == {"data/train.jsonl", SPACED, "README.md"}


def test_blob_id_is_gits(repo: Repo) -> None:
    data = (repo.path / SPACED).read_bytes()
    assert objects.blob_id(data) == repo.git("hash-object", SPACED).strip()
    assert git.facts(repo.path).object_format == "sha1"


def test_changed_paths_between_every_kind_of_state(repo: Repo) -> None:
    first = revisions(repo.path).resolve("HEAD")
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
    initial = revisions(repo.path).resolve("HEAD")
    assert revisions(repo.path).parent("HEAD").commit == objects.empty_tree()
    assert objects.empty_tree() == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert objects.empty_tree() == repo.git("hash-object", "-t", "tree", "/dev/null").strip()
    assert [c.path for c in git.changed_paths(repo.path, objects.empty_tree(), initial)]

    repo.git("checkout", "-q", "-b", "side")
    repo.write("data/side.jsonl", alpaca(1))
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("data/main.jsonl", alpaca(1))
    main = repo.commit("main")
    assert revisions(repo.path).merge_base("main", "side") == initial
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    assert revisions(repo.path).parent("HEAD").commit == main
    changed = git.changed_paths(repo.path, main, revisions(repo.path).resolve("HEAD"))
    assert changed == [Change("A", "data/side.jsonl")]
    assert revisions(repo.path).merge_base("main", "side") == side


def test_resolve_revision_errors(repo: Repo) -> None:
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        revisions(repo.path).resolve("nope")
    with pytest.raises(GitError, match="not a revision"):
        revisions(repo.path).resolve("--all")
    empty = Repo(repo.path.parent / "empty")
    assert git.facts(empty.path).head is None
    with pytest.raises(GitError, match="no commits yet"):
        revisions(empty.path).resolve("HEAD")


def test_shallow_clone_missing_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.write("data/train.jsonl", alpaca(7))
    repo.commit("second")
    clone = tmp_path / "shallow"
    Repo(tmp_path, init=False).git("clone", "-q", "--depth", "1", f"file://{repo.path}", "shallow")
    assert git.facts(clone).shallow
    with pytest.raises(GitError) as caught:
        revisions(clone).resolve("HEAD~1")
    assert "HEAD~1" in caught.value.message and "shallow" in caught.value.message
    assert "fetch-depth: 0" in caught.value.hint and "--unshallow" in caught.value.hint
    with pytest.raises(GitError) as parent:
        revisions(clone).parent("HEAD")  # looks like an initial commit, but is not one
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
    assert staged["data/train.jsonl"] == objects.blob_id(alpaca(9).encode())
    head = revisions(repo.path).resolve("HEAD")
    assert git.changed_paths(repo.path, head, INDEX) == [Change("M", "data/train.jsonl")]


def test_lfs_pointer_detection(tmp_path: Path) -> None:
    content = alpaca(4).encode()
    oid = hashlib.sha256(content).hexdigest()
    pointer_text = (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n"
    ).encode()
    pointer = lfs.parse_lfs_pointer(pointer_text)
    assert pointer == lfs.LfsPointer(oid, len(content))
    assert lfs.parse_lfs_pointer(content) is None
    assert lfs.parse_lfs_pointer(b"version https://git-lfs.github.com/spec/v1\nsize 3\n") is None
    assert lfs.lfs_object(tmp_path, pointer) is None
    stored = tmp_path / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    stored.parent.mkdir(parents=True)
    stored.write_bytes(content)
    assert lfs.lfs_object(tmp_path, pointer) == stored
    assert (
        lfs.lfs_fetch_command("data/my set.jsonl") == "git lfs pull --include='data/my set.jsonl'"
    )


def test_parse_range_and_repo_path(repo: Repo) -> None:
    assert parse_range("main..feature") == ("main", "feature", False)
    assert parse_range("main...feature") == ("main", "feature", True)
    assert parse_range("..feature") == ("HEAD", "feature", False)
    assert parse_range("HEAD~1") is None
    data = repo.path / "data"
    opened = Repository.open(repo.path)
    assert opened.relative(Path("my set.jsonl"), data) == SPACED
    assert opened.relative(Path(".."), data) == ""
    with pytest.raises(GitError, match="outside the repository"):
        opened.relative(Path("/"), data)


def test_facts_come_from_one_rev_parse(repo: Repo, tmp_path: Path) -> None:
    facts = git.facts(repo.path / "data")
    assert facts.root == repo.path.resolve()
    assert facts.git_dir == facts.common_dir == (repo.path / ".git").resolve()
    assert (facts.object_format, facts.shallow) == ("sha1", False)
    assert facts.head == repo.repo.head.commit.hexsha
    linked = repo.path.parent / "linked-facts"
    repo.git("worktree", "add", "-q", str(linked))
    there = git.facts(linked)
    assert there.root == linked.resolve() and there.common_dir == facts.common_dir
    assert there.git_dir != facts.git_dir
    fresh = Repo(tmp_path / "fresh")
    assert git.facts(fresh.path).head is None  # an unborn branch: no commit yet
    with pytest.raises(GitError, match="not inside a git repository"):
        git.facts(tmp_path)


def test_revisions_are_looked_up_together_and_once(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("data/train.jsonl", alpaca(6))
    second = repo.commit("second")
    repo.git("tag", "v1", "HEAD~1")
    first = repo.git("rev-parse", "HEAD~1").strip()
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    found = revisions(repo.path)
    assert found.lookup("HEAD~1", "v1", "nope", "HEAD") == [first, first, None, second]
    assert found.is_revision("v1") and not found.is_revision("nope")
    assert not found.is_revision("--all") and not found.is_revision("a\nb")
    assert found.state(tree).commit == tree  # a tree names a state too
    started = [line for line in trace.read_text().splitlines() if "built-in: git" in line]
    # facts (1), the four names at once (1), the tree (1); HEAD and known names cost nothing
    assert len(started) == 3, started


def test_a_range_names_its_two_ends(repo: Repo) -> None:
    base = repo.repo.head.commit.hexsha
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    main = repo.commit("main moves on")
    found = revisions(repo.path)
    assert found.span(f"{base}..side") == (base, side)
    assert found.span("main...side") == (base, side)  # from the merge base
    assert found.span("side") == (side, main)  # SIDE meaning SIDE..HEAD


def test_message_settings_and_trailers(repo: Repo) -> None:
    assert git.message_settings(repo.path) == {}
    repo.git("config", "core.commentChar", ";")
    repo.git("config", "commit.cleanup", "verbatim")
    assert git.message_settings(repo.path) == {
        "core.commentchar": ";",
        "commit.cleanup": "verbatim",
    }
    message = "Subject\n\nBody.\n\nReinforces: say so\nSigned-off-by: A <a@b>\n"
    assert git.interpret_trailers(repo.path, message) == [
        "Reinforces: say so",
        "Signed-off-by: A <a@b>",
    ]


def test_linked_work_trees_ignore_the_hook_environment(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a hook, git points GIT_INDEX_FILE at a temporary index (and may set GIT_DIR and
    GIT_WORK_TREE): a linked work tree made then must not use or overwrite them."""
    first = repo.repo.head.commit.hexsha
    repo.write("data/train.jsonl", alpaca(8))
    repo.commit("second")
    hook_index = repo.path / ".git" / "hook-index"
    repo.git("read-tree", "HEAD", env={"GIT_INDEX_FILE": str(hook_index)})
    repo.write("staged.txt", "staged in the hook's index\n")
    repo.git("add", "staged.txt", env={"GIT_INDEX_FILE": str(hook_index)})
    before = hook_index.read_bytes()
    monkeypatch.setenv("GIT_INDEX_FILE", str(hook_index))
    monkeypatch.setenv("GIT_DIR", str(repo.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo.path))
    assert not set(worktrees.isolated_env()) & set(worktrees.REPOSITORY_VARIABLES)

    linked = tmp_path / "probe"
    worktrees.worktree_add(repo.path, linked, first)
    assert hook_index.read_bytes() == before  # the hook's index is untouched
    assert (linked / "data" / "train.jsonl").read_text() == alpaca(5)  # the first commit
    isolated = worktrees.isolated_env()
    status = git.run(linked, "status", "--porcelain", env=isolated)
    assert status == b""  # the linked tree's own index matches its checkout
    listed = git.run(repo.path, "worktree", "list", "--porcelain", env=isolated).decode()
    assert f"worktree {linked}" in listed
    (linked / "left-behind.txt").write_text("a probe's leftovers\n")
    worktrees.worktree_remove(repo.path, linked)
    assert not linked.exists()
    listed = git.run(repo.path, "worktree", "list", "--porcelain", env=isolated).decode()
    assert str(linked) not in listed
    assert hook_index.read_bytes() == before

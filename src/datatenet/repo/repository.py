"""`Repo`: the one front door of a repository, opened once per command and handed to every verb.

It holds the root, the git directories, the settings (read once, on first use), the cache
root and the commit rules, and it answers every question a verb asks of git, each distinct
query once: revisions (`repo/revisions.py`), the files of a state (`repo/tree.py`), versions
(`repo/store.py`), repository diffs (`repo/diff.py`), history and commit messages. Verbs and
policy never run git themselves.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.config import Settings, load_settings
from datatenet.repo.revisions import Revisions, State
from datatenet.repo.tree import StateFiles, is_data_path, worktree_files
from datatenet.sources import git
from datatenet.sources.git import not_a_repository

__all__ = ["CACHE_DIR", "IDS_DIR", "Repo", "not_a_repository"]

if TYPE_CHECKING:
    from datatenet.commit_message import CommitMessage
    from datatenet.formats.load import LoadOptions
    from datatenet.intent import Rules
    from datatenet.repo.commits import CommitInfo
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.store import VersionStore
    from datatenet.sources.git_write import CommitOutcome

CACHE_DIR = "datatenet"  # under the git common dir, shared by all work trees
IDS_DIR = "ids"


class Repo:
    """A repository, for the length of one command."""

    def __init__(
        self,
        facts: git.Facts,
        *,
        settings: Settings | None = None,
        use_cache: bool = True,
        remote: bool = True,
        load_options: LoadOptions | None = None,
    ) -> None:
        self.facts = facts
        self.root = facts.root
        self.use_cache = use_cache
        self.remote = remote
        self._load_options = load_options
        self._settings = settings
        self._files: dict[tuple[str, bool], StateFiles] = {}
        self._worktree: git.WorktreeListing | None = None
        self._staged: dict[str, list[str]] = {}
        self._logs: dict[tuple[str, ...], list[CommitInfo]] = {}

    @classmethod
    def open(
        cls,
        start: Path,
        *,
        settings: Settings | None = None,
        use_cache: bool = True,
        remote: bool = True,
        load_options: LoadOptions | None = None,
    ) -> Repo:
        """The repository around `start` (one `git rev-parse`); an error outside of one.
        `load_options` are how every version is read when a diff is given none (e.g.
        `skip_invalid` for the whole command)."""
        return cls(
            git.facts(start),
            settings=settings,
            use_cache=use_cache,
            remote=remote,
            load_options=load_options,
        )

    @classmethod
    def create(cls, path: Path, config: dict[str, str] | None = None) -> Repo:
        """A new repository at `path`, with `config` set in its own config file."""
        from datatenet.sources import git_write

        git_write.init(path)
        for name, value in (config or {}).items():
            git_write.set_config(path, name, value)
        return cls.open(path)

    @classmethod
    def find(cls, start: Path) -> Repo | None:
        """The repository around `start`, or None when there is none (or no git)."""
        try:
            return cls.open(start)
        except git.GitError:
            return None

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    def __enter__(self) -> Repo:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- what it holds ---------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """`.datatenet.toml` (or pyproject's section), read on first use, once."""
        if self._settings is None:
            self._settings = load_settings(self.root)
        return self._settings

    @property
    def git_dir(self) -> Path:
        return self.facts.git_dir

    @property
    def head(self) -> str | None:
        """HEAD's commit; None before the first commit."""
        return self.facts.head

    @property
    def cache_root(self) -> Path:
        """`<git common dir>/datatenet`: the caches, shared by all work trees."""
        return self.facts.common_dir / CACHE_DIR

    @property
    def load_options(self) -> LoadOptions:
        """How versions are read when a diff names no options (the command's defaults)."""
        if self._load_options is None:
            from datatenet.formats.load import LoadOptions

            self._load_options = LoadOptions()
        return self._load_options

    @cached_property
    def rules(self) -> Rules:
        """What a `Reinforces:` statement must be: the `[commit]` and `[behaviours]` tables."""
        from datatenet.intent import rules_from_config

        settings = self.settings
        where = settings.source.name if settings.source else "config"
        return rules_from_config(settings.commit, settings.behaviours, where)

    @cached_property
    def revisions(self) -> Revisions:
        return Revisions(self.facts)

    @cached_property
    def store(self) -> VersionStore:
        from datatenet.idcache import IdCache
        from datatenet.repo.store import VersionStore

        cache = IdCache(self.cache_root / IDS_DIR) if self.use_cache else None
        return VersionStore(
            self.facts, self.settings, lambda state: self.files(state).files, cache, self.remote
        )

    # -- states and diffs ------------------------------------------------------------------

    def state(self, spec: str) -> State:
        return self.revisions.state(spec)

    def files(self, state: State, *, include_untracked: bool = False) -> StateFiles:
        """The tracked files of a state (listed once per command)."""
        key = (state.ref, include_untracked and state.kind == "worktree")
        if key not in self._files:
            if state.kind == "revision":
                assert state.commit is not None
                empty = state.commit == self.revisions.empty_tree  # nothing to list
                found = StateFiles({} if empty else git.list_revision(self.root, state.commit))
            elif state.kind == "index":
                listing = self._worktree
                index = listing.index if listing else git.list_index(self.root)
                found = StateFiles(index)
            else:
                found = worktree_files(self.root, self.worktree(), self.settings, key[1])
            self._files[key] = found
        return self._files[key]

    def worktree(self) -> git.WorktreeListing:
        if self._worktree is None:
            self._worktree = git.list_worktree(self.root)
        return self._worktree

    def diff(
        self,
        base: str | State,
        head: str | State,
        paths: Sequence[str] = (),
        *,
        options: LoadOptions | None = None,
        include_untracked: bool = False,
    ) -> RepoDiff:
        """Every watched dataset between two states (revision names, INDEX, WORKTREE)."""
        from datatenet.repo.diff import diff_states

        wanted = [s for s in (base, head) if isinstance(s, str)]
        self.revisions.states(*wanted)  # looked up together
        base_state = base if isinstance(base, State) else self.state(base)
        head_state = head if isinstance(head, State) else self.state(head)
        if {base_state.kind, head_state.kind} == {"index", "worktree"}:
            self.worktree()  # one listing serves both the index and the work tree
        return diff_states(
            self,
            base_state,
            head_state,
            tuple(p.strip("/") for p in paths),
            options=options or self.load_options,
            include_untracked=include_untracked,
        )

    def commit_diff(self, commit: str | CommitInfo) -> RepoDiff:
        """What one commit changed: against its first parent (merges too), or the empty tree."""
        if isinstance(commit, str):
            return self.diff(self.revisions.parent(commit), self.state(commit))
        base = self.revisions.parent_of(commit.parents)
        return self.diff(base, self.revisions.commit(commit.commit))

    def changed_paths(self, base: State, head: State, specs: Sequence[str]) -> list[git.PathChange]:
        """Paths that differ between two states, renames detected (`git diff -M`)."""
        return git.changed_paths(self.root, base.ref, head.ref, specs)

    def staged_data_paths(self, base: State) -> list[str]:
        """Staged paths (against `base`) that could change a watched dataset."""
        if base.ref not in self._staged:
            self._staged[base.ref] = git.staged_paths(self.root, base.ref)
        return [path for path in self._staged[base.ref] if is_data_path(path, self.settings)]

    # -- history and messages --------------------------------------------------------------

    def log(self, *revisions: str) -> list[CommitInfo]:
        """Commits reachable as `git log REVISIONS` says, newest first (topological order),
        each with the paths it changed against its first parent and its trailers."""
        from datatenet.repo.commits import LOG_FORMAT, parse_log

        if revisions not in self._logs:
            self._logs[revisions] = parse_log(git.log(self.root, revisions, LOG_FORMAT))
        return self._logs[revisions]

    def commit_info(self, commit: str) -> CommitInfo:
        """One commit: who, when, its message and trailers, the paths it changed."""
        return self.log("--max-count=1", commit)[0]

    @cached_property
    def message_settings(self) -> dict[str, str]:
        """`core.commentChar`, `core.commentString` and `commit.cleanup`, as configured."""
        return {k: v.strip() for k, v in git.message_settings(self.root).items()}

    def parse_message(self, text: str, comment: str | None = None) -> CommitMessage:
        """A message file's text -> the message git records and its trailers."""
        from datatenet.repo.messages import parse_message

        return parse_message(text, self.root, comment, self.comment_setting)

    @property
    def comment_setting(self) -> str | None:
        settings = self.message_settings
        return settings.get("core.commentstring") or settings.get("core.commentchar") or None

    @property
    def merging(self) -> bool:
        """Is a merge under way (its commit brings commits that state their own behaviours)?"""
        return (self.git_dir / "MERGE_HEAD").is_file()

    def operation_in_progress(self) -> tuple[str, str] | None:
        """(what, how to end it) while a merge, rebase, cherry-pick, revert or `git bisect` is
        under way in this work tree; None when it is at rest."""
        from datatenet.sources.worktrees import operation_in_progress

        return operation_in_progress(self.root)

    # -- writing (the demo) ---------------------------------------------------------------

    def stage(self, *paths: str) -> None:
        from datatenet.sources import git_write

        git_write.stage(self.root, paths)

    def commit(self, message: str) -> CommitOutcome:
        """`git commit` with the hooks; what the Repo knows of HEAD, the index and the log is
        then stale: open the repository again to read the new state."""
        from datatenet.sources import git_write

        return git_write.commit(self.root, message)

    def hooks_dir(self) -> Path:
        return git.hooks_path(self.root)

    def known_path(self, path: str) -> bool:
        """Is a repository-relative path in the working tree or the history, as `git log
        PATH` requires? A DVC output counts when its pointer (or the pointer of a directory
        above it, or any `dvc.lock`) does: its data need not have been pulled."""
        if not path or (self.root / path).exists():
            return True
        pointers = [path, *(f"{p}.dvc" for p in _parents(path))]
        if any((self.root / pointer).exists() for pointer in pointers[1:]):
            return True
        specs = [f":(literal){p}" for p in pointers] + [":(glob)**/dvc.lock"]
        return git.in_history(self.root, *specs)

    def relative(self, path: Path, cwd: Path | None = None) -> str:
        """A path the user typed (relative to `cwd`) -> the repository-relative POSIX path."""
        full = Path(os.path.realpath((cwd or Path.cwd()) / path))
        try:
            relative = full.relative_to(os.path.realpath(self.root))
        except ValueError:
            raise git.GitError(
                f"{path}: outside the repository {self.root}", "name a path inside the repository"
            ) from None
        text = relative.as_posix()
        return "" if text == "." else text


def _parents(path: str) -> list[str]:
    """`a/b/c` -> [`a/b/c`, `a/b`, `a`]: the path and the directories above it."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]

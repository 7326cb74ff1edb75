"""The states of a repository, and the one resolver for the revisions a user names.

A state is a revision (a commit, or a tree such as the empty tree before the first commit),
INDEX (what the next commit records) or WORKTREE (the files on disk). `Revisions` turns what a
user typed (`HEAD~1`, `v1.0`, `main..feature`, `main...feature`) into states, each name looked
up once per command; diff, check-range, log, blame and bisect all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datatenet.sources import git, objects
from datatenet.sources.git import INDEX, SHALLOW_HINT, WORKTREE, GitError

__all__ = [
    "INDEX",
    "INDEX_STATE",
    "WORKTREE",
    "WORKTREE_STATE",
    "Revisions",
    "State",
    "StateKind",
    "parse_range",
]

StateKind = Literal["revision", "index", "worktree"]
_EMPTY_TREES = (objects.empty_tree("sha1"), objects.empty_tree("sha256"))


@dataclass(frozen=True)
class State:
    """One side of a diff."""

    spec: str  # as the user named it: "HEAD~1", "INDEX", "WORKTREE"
    kind: StateKind
    commit: str | None = None  # the resolved commit (or tree) id of a revision

    @property
    def ref(self) -> str:
        """What git commands take for this state."""
        return self.commit or (INDEX if self.kind == "index" else WORKTREE)

    @property
    def label(self) -> str:
        if self.kind == "index":
            return "the index (staged)"
        if self.kind == "worktree":
            return "the working tree"
        assert self.commit is not None
        if self.commit in _EMPTY_TREES:
            return f"{self.spec} (no commits yet)" if self.spec == "HEAD" else "the empty tree"
        short = self.commit[:10]
        return self.spec if self.spec == short else f"{self.spec} ({short})"


INDEX_STATE = State(INDEX, "index")
WORKTREE_STATE = State(WORKTREE, "worktree")


def parse_range(spec: str) -> tuple[str, str, bool] | None:
    """`A..B` -> (A, B, False); `A...B` -> (A, B, True: from the merge base); else None."""
    for separator, use_merge_base in (("...", True), ("..", False)):
        if separator in spec:
            base, _, head = spec.partition(separator)
            return base or "HEAD", head or "HEAD", use_merge_base
    return None


class Revisions:
    """Revision names -> ids and states, each name looked up once (many in one process)."""

    def __init__(self, facts: git.Facts) -> None:
        self._facts = facts
        self._root: Path = facts.root
        self._ids: dict[str, str | None] = {}
        self._parents: dict[str, str] = {}

    @property
    def empty_tree(self) -> str:
        return objects.empty_tree(self._facts.object_format)

    def lookup(self, *specs: str) -> list[str | None]:
        """The commit (else tree) id each spec names, or None; unknown specs in one process."""
        if self._facts.head is not None:
            self._ids.setdefault("HEAD", self._facts.head)
        for spec in specs:
            if "\n" in spec or not spec:
                self._ids[spec] = None  # no name of an object (and unsafe on one line)
        missing = [s for s in dict.fromkeys(specs) if s not in self._ids and s != "HEAD"]
        if missing:
            names = [f"{spec}^{{{kind}}}" for spec in missing for kind in ("commit", "tree")]
            found = git.lookup_revisions(self._root, names)
            for spec in missing:
                self._ids[spec] = found[f"{spec}^{{commit}}"] or found[f"{spec}^{{tree}}"]
        return [self._ids.get(spec) for spec in specs]

    def is_revision(self, text: str) -> bool:
        """Whether `text` names a commit or tree here (never raises)."""
        return not text.startswith("-") and self.lookup(text)[0] is not None

    def resolve(self, spec: str) -> str:
        """A revision as the user wrote it -> the full commit id (or tree id for a tree)."""
        if spec.startswith("-"):
            raise GitError(f"{spec!r} is not a revision", "name a commit, a branch or a tag")
        (found,) = self.lookup(spec)
        if found is not None:
            return found
        if self._facts.shallow:
            raise GitError(
                f"revision {spec!r} is not in this shallow clone (its history was not fetched)",
                SHALLOW_HINT,
            )
        if spec == "HEAD" and self._facts.head is None:
            raise GitError("the repository has no commits yet", "compare against --staged instead")
        raise GitError(
            f"unknown revision {spec!r}",
            "name a commit, branch or tag that exists here; see `git log --oneline`",
        )

    def state(self, spec: str) -> State:
        """INDEX, WORKTREE or a revision; HEAD before the first commit is the empty tree."""
        if spec == INDEX:
            return INDEX_STATE
        if spec == WORKTREE:
            return WORKTREE_STATE
        if spec == "HEAD" and self._facts.head is None:
            return State(spec, "revision", self.empty_tree)
        self.lookup(*[s for s in (spec,) if not s.startswith("-")])
        return State(spec, "revision", self.resolve(spec))

    def states(self, *specs: str) -> list[State]:
        """Several states, their names looked up together."""
        self.lookup(*[s for s in specs if s not in (INDEX, WORKTREE) and not s.startswith("-")])
        return [self.state(spec) for spec in specs]

    def commit(self, commit: str) -> State:
        """The state of a commit whose full id is known already (from `git log`)."""
        return State(commit, "revision", commit)

    def head_or_empty(self) -> State:
        """HEAD, or the empty tree before the first commit."""
        return self.state("HEAD")

    def parent(self, spec: str) -> State:
        """What a commit is compared against: its first parent (merges too), or the empty tree
        for an initial commit."""
        commit = self.resolve(spec)
        if commit not in self._parents:
            ids = git.parents(self._root, commit)
            if ids:
                self._parents[commit] = ids[0]
            elif commit in git.shallow_commits(self._facts.common_dir):
                raise GitError(
                    f"the parent of {spec!r} is not in this shallow clone (its history was not "
                    "fetched)",
                    SHALLOW_HINT,
                )
            else:
                self._parents[commit] = self.empty_tree
        return self.commit(self._parents[commit])

    def parent_of(self, parents: Iterable[str]) -> State:
        """The base of a commit whose parents `git log` listed: the first, or the empty tree."""
        first = next(iter(parents), None)
        return self.commit(first if first is not None else self.empty_tree)

    def merge_base(self, one: str, other: str) -> str:
        """The best common ancestor of two revisions (what a pull request changes)."""
        a, b = self.resolve(one), self.resolve(other)
        found = git.merge_base(self._root, a, b)
        if found is None:
            hint = SHALLOW_HINT if self._facts.shallow else "the two revisions share no history"
            raise GitError(f"{one!r} and {other!r} have no merge base here", hint)
        return found

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Does `descendant` contain `ancestor` in its history (or is it the same commit)?"""
        return git.is_ancestor(self._root, self.resolve(ancestor), self.resolve(descendant))

    def span(self, spec: str) -> tuple[str, str]:
        """`A..B`, `A...B` (from the merge base of A and B) or `A` (meaning A..HEAD) -> the
        ids of its two ends, as a commit range (check-range)."""
        parsed = parse_range(spec)
        base, head, symmetric = parsed if parsed is not None else (spec, "HEAD", False)
        self.lookup(*[s for s in (base, head) if not s.startswith("-")])
        base_id, head_id = self.resolve(base), self.resolve(head)
        if symmetric:
            base_id = self.merge_base(base_id, head_id)
        return base_id, head_id

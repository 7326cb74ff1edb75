"""The commented starter `.datatenet.toml` that `datatenet init` writes: the watched datasets
of the repository as globs, and every default gate with its value, commented."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from datatenet.config import DATASET_SUFFIXES


def starter_config(data_files: Iterable[str], pointers: Iterable[str] = ()) -> str:
    """A commented `.datatenet.toml` for a repository holding these dataset files and pointers."""
    from datatenet.gates import DEFAULT_GATES

    globs: list[str] = []
    for path in sorted(data_files):
        directory = posixpath.dirname(path)
        name = posixpath.basename(path).lower()
        suffixes = [s for s in sorted(DATASET_SUFFIXES, key=len, reverse=True) if name.endswith(s)]
        if not suffixes:
            continue
        suffix = suffixes[0]
        glob = f"{directory}/*{suffix}" if directory else f"*{suffix}"
        if glob not in globs:
            globs.append(glob)
    for pointer in sorted(pointers):
        directory = posixpath.dirname(pointer)
        glob = f"{directory}/*.dvc" if directory else "*.dvc"
        if glob not in globs:
            globs.append(glob)
    lines = [
        "# datatenet configuration (written by `datatenet init`; edit freely).",
        "# Which files are training data: data files, .dvc pointers, DVC outputs (globs).",
        *(
            ["datasets = [" + ", ".join(f'"{g}"' for g in globs) + "]"]
            if globs
            else [
                "# git tracks no dataset yet: until this is set, every tracked file with a",
                "# dataset suffix (.jsonl, .json, .csv, .parquet, ...) and every .dvc pointer",
                "# is watched. `git add` the data, then `datatenet init --force` fills it in.",
                '# datasets = ["data/*.jsonl"]',
            ]
        ),
        "",
        "# Held-out evaluation files, checked for contamination by training changes.",
        '# eval = ["eval/*.jsonl"]',
        "",
        "# A field that identifies samples, like a primary key (optional).",
        '# key = "id"',
        "",
        "# Read a file's own field names as canonical ones:",
        '# [mappings."data/questions.jsonl"]',
        '# prompt = "question"',
        '# response = "answer"',
        "",
        "# [thresholds]",
        "# near_duplicate = 0.8",
        "",
        "# Commits that add or edit samples state the behaviour they reinforce (a `Reinforces:`",
        "# trailer); what counts as specific enough, and the behaviours a commit may name:",
        "# [commit]",
        "# min_words = 4",
        "# strict_behaviours = false",
        "# [behaviours.clarify-first]",
        '# statement = "When a request is ambiguous, ask one clarifying question first."',
        "",
        "# Gates of the pre-commit hook and check-range: error fails the commit, warn only",
        "# prints. Without a [gates] table these defaults apply (a table replaces them all):",
        "# [gates]",
        *(f"# {name} = {_inline_table(spec)}" for name, spec in DEFAULT_GATES.items()),
        "# and, for example, a warning when a change removes over a fifth of a dataset:",
        '# removed_share = { max = 0.2, level = "warn" }',
        "",
    ]
    return "\n".join(lines)


def _inline_table(spec: Mapping[str, Any]) -> str:
    parts = [f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}"
             for key, value in spec.items()]  # fmt: skip
    return "{ " + ", ".join(parts) + " }"

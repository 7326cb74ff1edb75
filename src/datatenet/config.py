"""`.datatenet.toml`, or `[tool.datatenet]` in `pyproject.toml` -> frozen Settings.

```toml
datasets = ["data/**/*.jsonl", "data/*.dvc"]   # data files, .dvc pointers, DVC outputs
eval = ["eval/*.jsonl"]
key = "id"                                     # optional, for every dataset
format = "alpaca"                              # optional: force a schema for every dataset
model = "sentence-transformers/all-MiniLM-L6-v2"
semantic_mode = "cascade"                      # or "exact": every text through the model
model_precision = "auto"                       # or "fp32": never bfloat16 (embeddings/runtime.py)

[mappings."data/x.jsonl"]                      # a path or a glob
prompt = "question"                            # canonical name = the file's field
key = "uid"                                    # `key` and `format` may be set per path too

[thresholds]   # kept as raw tables for the analyses, gates, hooks
[gates]
[commit]       # what a `Reinforces:` trailer must be (see datatenet.intent)
[behaviours.clarify-first]
```

Globs match repository-relative POSIX paths: `*` and `?` stop at `/`, `**` crosses
directories, a pattern without `/` matches the name in any directory, and a pattern that names
a directory matches everything below it. With no `datasets`, every tracked file with a dataset
suffix is watched (and every DVC output with one), except the eval files. Files git does not
track are watched only when a `datasets` entry names them by path (`repo/tree.py`).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.formats.load import LoadOptions

CONFIG_FILE = ".datatenet.toml"
PYPROJECT = "pyproject.toml"
DATASET_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz", ".csv", ".tsv", ".parquet")
# JSON files that are tool configuration, never datasets (skipped when nothing is configured).
NOT_DATASETS = frozenset(
    {
        "dataset_info.json",
        "package.json",
        "package-lock.json",
        "composer.json",
        "composer.lock",
        "tsconfig.json",
        "jsconfig.json",
        "deno.json",
        "renovate.json",
        "manifest.json",
        "devcontainer.json",
        ".eslintrc.json",
        ".prettierrc.json",
        "launch.json",
        "settings.json",
        "tasks.json",
        "extensions.json",
    }
)
NOT_DATASET_DIRS = (".github/", ".vscode/", ".devcontainer/", ".idea/", "node_modules/", ".dvc/")
_KNOWN_KEYS = (
    "datasets",
    "eval",
    "key",
    "format",
    "model",
    "max_seq_length",
    "semantic_mode",
    "model_precision",
    "mappings",
    "thresholds",
    "gates",
    "commit",
    "behaviours",
    "analyses",
)
_PER_PATH_OPTIONS = ("key", "format")


def _empty_table() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class PathOptions:
    """What `[mappings."pattern"]` says about the files it matches."""

    pattern: str
    mapping: Mapping[str, str]  # canonical name -> the file's field
    key: str | None = None
    schema: str | None = None


@dataclass(frozen=True)
class Settings:
    source: Path | None = None  # the file read; None when the defaults apply
    datasets: tuple[str, ...] = ()  # globs; empty: every file with a dataset suffix
    eval: tuple[str, ...] = ()
    key: str | None = None
    schema: str | None = None
    model: str | None = None
    max_seq_length: int | None = None  # tokens the model reads of each text
    semantic_mode: str | None = None  # "cascade" (None: the default) or "exact"
    model_precision: str | None = None  # "auto" (None: the default) or "fp32"
    mappings: tuple[PathOptions, ...] = ()
    thresholds: Mapping[str, Any] = field(default_factory=_empty_table)
    gates: Mapping[str, Any] = field(default_factory=_empty_table)
    commit: Mapping[str, Any] = field(default_factory=_empty_table)  # validated by intent.py
    behaviours: Mapping[str, Any] = field(default_factory=_empty_table)
    analyses: Mapping[str, Any] = field(default_factory=_empty_table)  # see repo/analyses.py

    @property
    def configured(self) -> bool:
        """True when `datasets` names what to watch, rather than the suffix default."""
        return bool(self.datasets)

    def is_eval(self, path: str) -> bool:
        return any(glob_match(pattern, path) for pattern in self.eval)

    def is_dataset(self, path: str, containers: Sequence[str] = ()) -> bool:
        """Is `path` a watched dataset? `containers` are the DVC pointer (or dvc.lock) and
        tracked directory it comes from: naming those in `datasets` watches it too."""
        if self.configured:
            if any(glob_match(pattern, path) for pattern in self.datasets):
                return True
            return has_dataset_suffix(path) and any(
                glob_match(pattern, container)
                for pattern in self.datasets
                for container in containers
            )
        if not has_dataset_suffix(path) or self.is_eval(path):
            return False
        name = posixpath.basename(path)
        return name not in NOT_DATASETS and not any(
            path.startswith(d) or f"/{d}" in path for d in NOT_DATASET_DIRS
        )

    def names(self, path: str) -> bool:
        """Does a `datasets` entry name this very file (a path, not a pattern)? Such a file is
        watched even before git tracks it."""
        return any(
            not any(c in pattern for c in "*?[")
            and pattern.strip().lstrip("/").removeprefix("./") == path
            for pattern in self.datasets
        )

    def path_options(self, path: str, containers: Sequence[str] = ()) -> PathOptions | None:
        """The `[mappings]` entry for a path: an exact path first, then the first glob."""
        candidates = (path, *containers)
        for entry in self.mappings:
            if entry.pattern in candidates:
                return entry
        for entry in self.mappings:
            if any(glob_match(entry.pattern, candidate) for candidate in candidates):
                return entry
        return None

    def load_options(
        self, path: str, base: LoadOptions, containers: Sequence[str] = ()
    ) -> LoadOptions:
        """Options for one dataset: what the command line says wins over the configuration."""
        entry = self.path_options(path, containers)
        mapping = base.mapping or (entry.mapping if entry else {})
        key = base.key or (entry.key if entry and entry.key else None) or self.key
        schema = base.schema or (entry.schema if entry and entry.schema else None) or self.schema
        if mapping is base.mapping and key == base.key and schema == base.schema:
            return base
        return replace(base, mapping=dict(mapping), key=key, schema=schema)


def has_dataset_suffix(path: str) -> bool:
    return path.lower().endswith(DATASET_SUFFIXES)


def glob_match(pattern: str, path: str) -> bool:
    """Does `pattern` match the repository-relative POSIX `path` or a directory above it?"""
    regex = _compile(pattern)
    if regex.fullmatch(path):
        return True
    parent = posixpath.dirname(path)
    while parent:
        if regex.fullmatch(parent):
            return True
        parent = posixpath.dirname(parent)
    return False


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    text = pattern.strip().lstrip("/").removeprefix("./").rstrip("/")
    anywhere = "/" not in text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if text.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in text[index + 2 :]:
            end = text.index("]", index + 2)
            body = text[index + 1 : end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile(("(?:.*/)?" if anywhere else "") + "".join(out))


def load_settings(root: Path) -> Settings:
    """The settings of the repository at `root`: `.datatenet.toml` first, then pyproject."""
    config = root / CONFIG_FILE
    if config.is_file():
        return settings_from_dict(_read_toml(config), config, CONFIG_FILE)
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        document = _read_toml(pyproject)
        tool = document.get("tool")
        if isinstance(tool, dict) and "datatenet" in tool:
            section = tool["datatenet"]
            where = f"{PYPROJECT} [tool.datatenet]"
            if not isinstance(section, dict):
                raise _wrong(where, "[tool.datatenet]", "a table", section, "[tool.datatenet]")
            return settings_from_dict(section, pyproject, where)
    return Settings()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DatatenetError(
            f"{path.name}: not valid TOML ({exc})",
            'fix the syntax; strings need quotes, e.g. datasets = ["data/*.jsonl"]',
        ) from None
    except UnicodeDecodeError:
        raise DatatenetError(f"{path.name}: not UTF-8 text", "save the file as UTF-8") from None
    except OSError as exc:
        raise DatatenetError(
            f"{path.name}: cannot be read ({exc.strerror})", "check its permissions"
        ) from None


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _wrong(where: str, key: str, expected: str, value: Any, example: str) -> DatatenetError:
    return DatatenetError(
        f"{where}: `{key}` must be {expected}, not {_kind(value)}", f"e.g. {example}"
    )


def _globs(document: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = document.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _wrong(where, key, "a list of glob strings", value, f'{key} = ["data/**/*.jsonl"]')
    return tuple(value)


def _string(document: Mapping[str, Any], key: str, where: str, example: str) -> str | None:
    value = document.get(key)
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise _wrong(where, key, "a non-empty string", value, example)
    return value


def _table(document: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise _wrong(where, key, "a table", value, f"[{key}]")
    return MappingProxyType(value)


def settings_from_dict(document: Mapping[str, Any], source: Path | None, where: str) -> Settings:
    """Validate a parsed configuration; every mistake names the file and the key."""
    unknown = sorted(set(document) - set(_KNOWN_KEYS))
    if unknown:
        raise DatatenetError(
            f"{where}: unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
            f"known settings: {', '.join(_KNOWN_KEYS)}",
        )
    schema = _string(document, "format", where, 'format = "alpaca"')
    _check_schema(schema, where, "format")
    return Settings(
        source=source,
        datasets=_globs(document, "datasets", where),
        eval=_globs(document, "eval", where),
        key=_string(document, "key", where, 'key = "id"'),
        schema=schema,
        model=_string(document, "model", where, 'model = "sentence-transformers/all-MiniLM-L6-v2"'),
        max_seq_length=_positive_int(document, "max_seq_length", where, "max_seq_length = 256"),
        semantic_mode=_semantic_mode(document, where),
        model_precision=_model_precision(document, where),
        mappings=_mappings(document, where),
        thresholds=_table(document, "thresholds", where),
        gates=_table(document, "gates", where),
        commit=_table(document, "commit", where),
        behaviours=_table(document, "behaviours", where),
        analyses=_table(document, "analyses", where),
    )


def _positive_int(document: Mapping[str, Any], key: str, where: str, example: str) -> int | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _wrong(where, key, "a positive whole number", value, example)
    return value


SEMANTIC_MODES = ("cascade", "exact")  # analysis/base.py: AnalysisConfig.semantic_mode


def _choice(
    document: Mapping[str, Any], key: str, choices: Sequence[str], where: str, hint: str
) -> str | None:
    """A key whose value is one of `choices` (None: not set); `hint` ends with an example."""
    value = _string(document, key, where, hint.rsplit(": ", 1)[-1])
    if value is not None and value not in choices:
        raise DatatenetError(
            f"{where}: `{key}` must be one of {', '.join(choices)}, not {value!r}", hint
        )
    return value


def _semantic_mode(document: Mapping[str, Any], where: str) -> str | None:
    hint = (
        '"cascade" (the default) lets static embeddings choose what the model confirms; '
        '"exact" embeds every text with the model: semantic_mode = "exact"'
    )
    return _choice(document, "semantic_mode", SEMANTIC_MODES, where, hint)


PRECISIONS = ("auto", "fp32")  # embeddings/runtime.py: ModelEmbedder's `precision`


def _model_precision(document: Mapping[str, Any], where: str) -> str | None:
    hint = (
        '"auto" (the default) runs the model in bfloat16 where the CPU computes it natively'
        ' and OpenVINO is installed; "fp32" never does: model_precision = "fp32"'
    )
    return _choice(document, "model_precision", PRECISIONS, where, hint)


def _check_schema(schema: str | None, where: str, key: str) -> None:
    from datatenet.formats.schemas import SCHEMAS_BY_NAME

    if schema is not None and schema not in SCHEMAS_BY_NAME:
        raise DatatenetError(
            f"{where}: `{key}` names an unknown schema {schema!r}",
            f"known schemas: {', '.join(SCHEMAS_BY_NAME)}",
        )


def _mappings(document: Mapping[str, Any], where: str) -> tuple[PathOptions, ...]:
    from datatenet.formats.schemas import CANONICAL_FIELDS

    example = '[mappings."data/x.jsonl"] prompt = "question"'
    tables = document.get("mappings", {})
    if not isinstance(tables, dict):
        raise _wrong(where, "mappings", "a table of tables", tables, example)
    entries: list[PathOptions] = []
    for pattern, table in tables.items():
        name = f'mappings."{pattern}"'
        if not isinstance(table, dict):
            raise _wrong(where, name, "a table", table, example)
        mapping: dict[str, str] = {}
        for canonical, column in table.items():
            if canonical not in CANONICAL_FIELDS and canonical not in _PER_PATH_OPTIONS:
                raise DatatenetError(
                    f"{where}: `{name}` maps {canonical!r}, which is not a canonical field",
                    f"canonical names: {', '.join(CANONICAL_FIELDS)}; or set key / format",
                )
            if not isinstance(column, str) or not column:
                raise _wrong(where, f"{name}.{canonical}", "a field name", column, example)
            if canonical not in _PER_PATH_OPTIONS:
                mapping[canonical] = column
        _check_schema(table.get("format"), where, f"{name}.format")
        entries.append(
            PathOptions(pattern, MappingProxyType(mapping), table.get("key"), table.get("format"))
        )
    return tuple(entries)

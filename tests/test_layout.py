"""The shape of the code: the arrows between layers that must never exist, and small modules.

The layers are those of the Development section of README.md (face, verbs, renderers, policy,
analyses, embeddings, repository, formats, sources, core); an arrow is an import, lazy ones and
those for type checking included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "datatenet"
MAX_MODULE_LINES = 450

_LAYERS = {
    "Face": ("__main__", "cli", "cli_bisect", "cli_common", "cli_history", "cli_options",
             "cli_report", "diff_args", "exits"),
    "Verbs": ("verbs", "bisect"),
    "Render": ("report",),
    "Policy": ("gates", "intent"),
    "Analysis": ("analysis",),
    "Embed": ("embeddings",),
    "Repo": ("repo", "config", "config_starter", "idcache"),
    "Formats": ("formats",),
    "Sources": ("sources",),
    "Core": ("samples", "version", "diff"),
}  # fmt: skip
NEVER = {
    ("Analysis", "Repo"): "analyses see samples and corpora, not git or settings files",
    ("Embed", "Analysis"): "vectors know nothing of findings or corpora",
    ("Policy", "Sources"): "a policy reads no git itself; the verb hands it what it needs",
    ("Verbs", "Sources"): "verbs go through the Repo front door",
    ("Verbs", "Render"): "verbs return data; only the face renders",
    ("Core", "Repo"): "the diff knows no repository",
    ("Formats", "Repo"): "parsing knows no repository",
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "datatenet" or len(parts) < 2:
        return None
    return next((name for name, tops in _LAYERS.items() if parts[1] in tops), None)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts).removesuffix(".__init__"), path


def imports(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            yield from ((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)


def test_every_module_of_the_layers_is_found() -> None:
    found = {layer_of(module) for module, _ in modules()}
    assert set(_LAYERS) <= found


def test_no_arrow_that_must_never_exist() -> None:
    broken = []
    for module, path in modules():
        source = layer_of(module)
        for imported, line in imports(path):
            target = layer_of(imported)
            if target == "Face" and source != "Face":
                broken.append(f"{module}:{line} imports {imported}: nothing imports the face")
            elif (source, target) in NEVER:
                why = NEVER[(source, target)]
                broken.append(f"{module}:{line} imports {imported}: {why}")
    assert broken == []


def test_the_check_sees_a_broken_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from datatenet.sources.git import Git\n", encoding="utf-8")
    assert ("datatenet.sources.git", 2) in set(imports(bad))
    assert (layer_of("datatenet.verbs.commit"), layer_of("datatenet.sources.git")) in NEVER


def test_no_module_is_over_450_lines() -> None:
    long = {
        module: lines
        for module, path in modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}

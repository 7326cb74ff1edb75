"""`install`: datatenet's hooks into a repository, as plain git hooks (the scripts of `hooks/`)
or as a `repo: local` entry of `.pre-commit-config.yaml`, edited so that its comments and layout
stay as they were."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.errors import DatatenetError
from datatenet.results.install import Installed, Uninstalled

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo

STAGES = ("pre-commit", "commit-msg", "prepare-commit-msg")
HOOK_COMMANDS = {
    "pre-commit": "check",
    "commit-msg": "check-msg",
    "prepare-commit-msg": "prepare-msg",
}
HOOK_MARKER = "# datatenet hook"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


# -- install ---------------------------------------------------------------------------------


def hook_script(stage: str, python: str | None = None) -> str:
    """The plain git hook for a stage: a shim that runs `datatenet <command> "$@"`.

    `python` (the interpreter that ran `datatenet install`) is tried first, so the hook works
    from GUI clients whose PATH lacks the virtualenv; `datatenet` on PATH otherwise."""
    command = HOOK_COMMANDS[stage]
    baked = python or ""
    return f"""#!/bin/sh
{HOOK_MARKER} ({stage}): runs `datatenet {command}`. Installed by `datatenet install`.
# A commit that adds or edits training samples must state, in a `Reinforces:` trailer, the
# behaviour they reinforce; the pre-commit stage applies the gates of .datatenet.toml.
# Skip the hooks once with `git commit --no-verify` (CI's `datatenet check-range` still sees it).
DATATENET_PYTHON="${{DATATENET_PYTHON:-{baked}}}"
if [ -n "$DATATENET_PYTHON" ] && [ -x "$DATATENET_PYTHON" ]; then
    exec "$DATATENET_PYTHON" -m datatenet {command} "$@"
fi
if command -v datatenet >/dev/null 2>&1; then
    exec datatenet {command} "$@"
fi
echo "datatenet {stage} hook: datatenet is not installed here (pip install datatenet)," >&2
echo "  or skip the hook once with git commit --no-verify" >&2
exit 1
"""


def install(repo: Repo, *, pre_commit: bool = False, python: str | None = None) -> Installed:
    """Install the three hooks into the repository, refusing to overwrite foreign hooks; or,
    with `pre_commit`, add a `repo: local` entry to `.pre-commit-config.yaml`."""
    if pre_commit:
        installed = _install_pre_commit(repo.root)
        return replace(installed, plain_hooks=tuple(plain_hooks(repo)))
    directory = repo.hooks_dir()
    foreign: list[tuple[Path, str]] = []
    for stage in STAGES:
        target = directory / stage
        if target.exists():
            try:
                existing = target.read_text(encoding="utf-8", errors="replace")
            except OSError:
                existing = ""
            if HOOK_MARKER not in existing:
                foreign.append((target, _who_wrote(existing)))
    if foreign:
        listed = "; ".join(f"{path} ({who})" for path, who in foreign)
        uses_framework = any(who == "the pre-commit framework" for _, who in foreign)
        hints = [
            "nothing was installed. Either",
            "use the pre-commit framework: `datatenet install --pre-commit`, then "
            "`pre-commit install` (DVC's hooks sit beside ours: `dvc install "
            "--use-pre-commit-tool`)",
            'or call datatenet from your hook: add `datatenet check-msg "$1"` to commit-msg, '
            '`datatenet prepare-msg "$@"` to prepare-commit-msg, `datatenet check` to '
            "pre-commit",
        ]
        if uses_framework:
            hints.insert(1, "this repository uses the pre-commit framework already:")
        raise DatatenetError(f"hooks exist already: {listed}", "\n    ".join(hints))
    directory.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, str]] = []
    for stage in STAGES:
        target = directory / stage
        target.write_text(hook_script(stage, python), encoding="utf-8")
        target.chmod(0o755)
        written.append((target, HOOK_COMMANDS[stage]))
    return Installed(tuple(written))


def _ours(path: Path) -> bool:
    try:
        return HOOK_MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def plain_hooks(repo: Repo) -> list[Path]:
    """datatenet's plain hooks in the hooks directory, and the copies of them that
    `pre-commit install` keeps as `<hook>.legacy` (it then runs them too: migration mode)."""
    directory = repo.hooks_dir()
    candidates = [directory / name for stage in STAGES for name in (stage, f"{stage}.legacy")]
    return [path for path in candidates if path.is_file() and _ours(path)]


def uninstall(repo: Repo) -> Uninstalled:
    """Remove the plain hooks `datatenet install` wrote (and pre-commit's `.legacy` copies of
    them); any other hook is left alone and named."""
    removed = plain_hooks(repo)
    for path in removed:
        path.unlink()
    directory = repo.hooks_dir()
    kept = tuple(
        path
        for stage in STAGES
        for path in (directory / stage, directory / f"{stage}.legacy")
        if path.is_file() and path not in removed
    )
    return Uninstalled(directory, tuple(removed), kept)


def _who_wrote(text: str) -> str:
    if "pre-commit.com" in text or "File generated by pre-commit" in text:
        return "the pre-commit framework"
    if "dvc git-hook" in text or "dvc " in text:
        return "DVC"
    if "husky" in text:
        return "husky"
    return "not datatenet's"


PRE_COMMIT_ENTRY = """\
  # datatenet: data commits state the behaviour they reinforce; gates over the staged change
  - repo: local
    hooks:
      - id: datatenet-check
        name: datatenet check (staged data change, gates)
        entry: datatenet check
        language: system
        always_run: true
        pass_filenames: false
        stages: [pre-commit]
      - id: datatenet-check-msg
        name: datatenet check-msg (Reinforces trailer)
        entry: datatenet check-msg
        language: system
        always_run: true
        stages: [commit-msg]
      - id: datatenet-prepare-msg
        name: datatenet prepare-msg (pre-fill the message)
        entry: datatenet prepare-msg
        language: system
        always_run: true
        stages: [prepare-commit-msg]
"""
OUR_HOOK_TYPES = ("pre-commit", "commit-msg", "prepare-commit-msg")
_LEGACY_STAGES = {"commit": "pre-commit", "push": "pre-push", "merge-commit": "pre-merge-commit"}


def _hook_types(document: dict[str, object]) -> str:
    """`default_install_hook_types` for ours and the stages the file's other hooks use (DVC's
    pre-push and post-checkout, say), so that `pre-commit install` installs them all."""
    types = list(OUR_HOOK_TYPES)
    repos = document.get("repos")
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            stages = hook.get("stages") if isinstance(hook, dict) else None
            for stage in stages if isinstance(stages, list) else []:
                if not isinstance(stage, str) or stage == "manual":
                    continue
                stage = _LEGACY_STAGES.get(stage, stage)
                if stage not in types:
                    types.append(stage)
    return f"default_install_hook_types: [{', '.join(types)}]\n"


def _install_pre_commit(root: Path) -> Installed:
    import yaml

    path = root / PRE_COMMIT_CONFIG
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        document = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise DatatenetError(
            f"{PRE_COMMIT_CONFIG}: not valid YAML ({exc})", "fix it, then run this again"
        ) from None
    if not isinstance(document, dict):
        raise DatatenetError(f"{PRE_COMMIT_CONFIG}: not a mapping", "it should start with repos:")
    repos = document.get("repos") or []
    hook_ids = {
        hook.get("id")
        for repo in repos
        if isinstance(repo, dict)
        for hook in repo.get("hooks") or []
        if isinstance(hook, dict)
    }
    if "datatenet-check-msg" in hook_ids:
        return Installed(pre_commit_config=path, already=True)
    updated = _add_repo_entry(text, document)
    try:
        check = yaml.safe_load(updated)
        ok = any(
            isinstance(r, dict) and r.get("repo") == "local"
            and any(h.get("id") == "datatenet-check-msg" for h in r.get("hooks", []))
            for r in check.get("repos", [])
        )  # fmt: skip
    except (yaml.YAMLError, AttributeError):
        ok = False
    if not ok:
        raise DatatenetError(
            f"{PRE_COMMIT_CONFIG}: could not add datatenet's entry to this file's layout",
            "add it under `repos:` by hand:\n" + PRE_COMMIT_ENTRY,
        )
    path.write_text(updated, encoding="utf-8")
    types = document.get("default_install_hook_types")
    missing = types is not None and not {"commit-msg", "prepare-commit-msg"} <= set(types)
    return Installed(pre_commit_config=path, missing_hook_types=missing)


def _add_repo_entry(text: str, document: dict[str, object]) -> str:
    """Append our entry to the `repos:` list, keeping the file's comments and layout.
    (A flow-style list other than `[]` is left as it is: the caller's check then fails.)"""
    header = "" if "default_install_hook_types" in document else _hook_types(document)
    if "repos" not in document or not text.strip():
        base = text if not text.strip() or text.endswith("\n") else text + "\n"
        return header + base + "repos:\n" + PRE_COMMIT_ENTRY
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("repos:"))
    value = lines[start].split("#", 1)[0].strip().removeprefix("repos:").strip()
    if value == "[]":
        lines[start] = "repos:\n"
    elif value:
        return header + text
    end = len(lines)
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line.strip() and not line[0].isspace() and not line.startswith(("-", "#")):
            end = index
            break
    items = [line for line in lines[start + 1 : end] if line.lstrip().startswith("- ")]
    indent = "  "
    if items:
        indent = items[0][: len(items[0]) - len(items[0].lstrip())]
    entry = "".join(
        (indent + line[2:] if line.startswith("  ") else line) + "\n"
        for line in PRE_COMMIT_ENTRY.splitlines()
    )
    block = lines[start + 1 : end]
    while block and not block[-1].strip():
        block.pop()
    body = "".join(lines[: start + 1]) + "".join(block)
    if not body.endswith("\n"):
        body += "\n"
    rest = "".join(lines[end:])
    return header + body + entry + ("\n" + rest if rest else "")

"""`datatenet demo` as a newcomer runs it: the README's main-job command, word for word, in a
copy of this checkout with a fresh virtual environment (the base install: no model, so the
lexical checks); then every report it wrote is opened in real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from datatenet.report.sections import SECTION_IDS
from tests.browser import open_page, screenshot
from tests.conftest import ROOT

HISTORY_SECTIONS = ("composition", "commits", "notes")
COPIED = ("src", "templates", "pyproject.toml", "README.md")


def main_job_command() -> str:
    """The README's command that runs the main job: the quick start's line running the demo."""
    readme = (ROOT / "README.md").read_text("utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (line,) = [x for x in quick_start.splitlines() if x.startswith("python3 -m venv .venv")][:1]
    assert "datatenet demo" in line, line
    return line


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    checkout = tmp_path_factory.mktemp("newcomer") / "datatenet"
    checkout.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(source, checkout / name, symlinks=True, ignore=ignored)
        else:
            shutil.copy2(source, checkout / name)
    scratch = checkout.parent / "tmp"  # where the demo makes its temporary directory
    scratch.mkdir()
    result = subprocess.run(
        ["bash", "-c", main_job_command()],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    history = re.search(r"^history: (.+\.html)$", result.stdout, re.MULTILINE)
    assert history is not None, result.stdout
    return result.stdout, Path(history.group(1)).parent


def test_the_main_job_plays_the_story_with_the_lexical_checks(demo_run: tuple[str, Path]) -> None:
    output, reports = demo_run
    assert "checks: lexical" in output
    assert output.count("[committed]") == 6 and output.count("[REFUSED by the hooks]") == 1
    assert "'more data'" in output  # what the commit-msg hook said, shown with the refusal
    seconds = float(re.search(r"done in ([\d.]+) s", output).group(1))  # type: ignore[union-attr]
    assert seconds > 0  # the figure is the bench's (bench/report_bench.py --demo)
    pages = sorted(reports.glob("*.html"))
    assert [p.name for p in pages][:3] == [
        "01-handbook.html",
        "02-lost-notes.html",
        "03-vague.html",
    ]
    assert len(pages) == 8 and len(list(reports.glob("*.md"))) == 8


def test_every_report_of_the_demo_opens_clean(demo_run: tuple[str, Path], tmp_path: Path) -> None:
    _, reports = demo_run
    for page in sorted(reports.glob("*.html")):
        sections = HISTORY_SECTIONS if page.stem == "history" else SECTION_IDS
        with open_page(page, tmp_path / "profile") as visit:
            for section in sections:
                assert visit.page.locator(f"section#{section}").count() == 1, (page, section)
            assert visit.requests == [page.resolve().as_uri()], page
            assert not visit.errors, (page, visit.errors)
            assert not [m for m in visit.console if m[0] in ("error", "warning")], page
            if page.stem in ("05-logs", "06-friendly", "history"):
                screenshot(visit.page, f"demo-{page.stem}.png")


def test_each_step_reports_what_it_shows(demo_run: tuple[str, Path], tmp_path: Path) -> None:
    _, reports = demo_run
    expected = {
        "03-vague": ("#statement .badge.error", "refused"),
        "04-duplicates": ("#pairs [data-kind='exact-duplicate']", None),
        "05-logs": ("#pairs [data-kind='contradiction']", None),
        "06-friendly": ("#style [data-kind='style-drift']", None),
        "07-misc": ("#coverage [data-kind='coverage-shift']", None),
    }
    for stem, (selector, text) in expected.items():
        page = reports / f"{stem}.html"
        with open_page(page, tmp_path / "profile") as visit:
            found = visit.page.locator(selector)
            assert found.count() >= 1, (stem, selector)
            if text is not None:
                assert text in found.first.inner_text(), stem
    logs = (reports / "05-logs.md").read_text("utf-8")
    assert "noise" in logs and "contradiction" in logs
    friendly = (reports / "06-friendly.html").read_text("utf-8")
    assert "what changed: the new answers against the existing ones" in friendly

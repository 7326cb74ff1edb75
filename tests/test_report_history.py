"""The history report of a real repository: one row per data commit and the composition by
behaviour over time, from `log` and `blame`; opened in real Chromium."""

from __future__ import annotations

from pathlib import Path

from datatenet import history
from datatenet.demo.corpus import DATA_DIR
from datatenet.report.history import log_document
from datatenet.report.history_view import build_history_view
from datatenet.report.html import render_history_html
from tests.browser import open_page
from tests.repos import Repo

STEPS = (
    ("support.jsonl", "Answer how-to questions with numbered steps for the user's platform."),
    ("lost_notes.jsonl", "When notes are missing, look in the Trash and the version history."),
    ("misc.jsonl", ""),
)


def test_history_rows_and_composition(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    text = ""
    for name, statement in STEPS:
        text += (DATA_DIR / name).read_text("utf-8")
        repo.write("data/support.jsonl", text)
        trailer = f"\n\nReinforces: {statement}" if statement else ""
        repo.commit(f"Add {name}{trailer}")
    entries = history.log(repo.path, "data/support.jsonl")
    composition = []
    for entry in entries:
        blame = history.blame(repo.path, "data/support.jsonl", revision=entry.commit)
        parts = {part.behaviour: part.samples for part in blame.composition}
        if blame.unstated:
            parts["(no statement)"] = blame.unstated
        composition.append(parts)
    view = build_history_view(
        log_document(entries),
        title="data/support.jsonl",
        composition=composition,
        measures=[{"style_drift_auc": 0.5 + i / 10} for i in range(len(entries))],
    )
    assert [row.counts[0] for row in view.rows] == [12, 18, 180]
    assert view.rows[-1].behaviour == STEPS[0][1]
    assert view.rows[0].behaviour == "(no statement)"
    assert view.score_names == ("style_drift_auc",)
    assert view.chart is not None and len(view.chart.rects) == 1 + 2 + 3
    assert dict(view.behaviours) == {STEPS[0][1]: 180, STEPS[1][1]: 18, "(no statement)": 12}

    page = tmp_path / "history.html"
    page.write_text(render_history_html(view), "utf-8")
    with open_page(page, tmp_path / "profile") as visit:
        assert visit.page.locator("#composition svg rect").count() >= 6
        assert visit.page.locator("#commits tbody tr").count() == 3
        assert not visit.errors and not [m for m in visit.console if m[0] == "error"]
        assert visit.requests == [page.resolve().as_uri()]

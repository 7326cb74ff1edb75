"""The history report of a real repository: one row per data commit, and the composition by
behaviour carried forward from each commit's diff, which must agree with `blame` at every
commit (adds, removals, edits, copies of one sample, a range that starts mid-history)."""

from __future__ import annotations

import json
from pathlib import Path

from datatenet.demo.corpus import DATA_DIR
from datatenet.repo.repository import Repo as DataRepo
from datatenet.report.history_view import build_history_view, history_document
from datatenet.report.html import render_history_html
from datatenet.report.markdown import render_history_markdown
from datatenet.verbs.blame import blame
from datatenet.verbs.history_report import history_report
from tests.browser import open_page
from tests.repos import Repo

DATASET = "data/support.jsonl"
LOST = "When notes are missing, look in the Trash and the version history."
HANDBOOK = "Answer how-to questions with numbered steps for the user's platform."


def lines(name: str) -> list[str]:
    return (DATA_DIR / name).read_text("utf-8").splitlines(keepends=True)


def edited(line: str) -> str:
    record = json.loads(line)
    record["messages"][2]["content"] += " (edited)"
    return json.dumps(record, ensure_ascii=False) + "\n"


def build(path: Path) -> Repo:
    """Six data commits: the handbook; a focused batch; copies of handbook samples with no
    statement; some removed and some edited; the focused batch's first samples removed;
    misc samples added with a statement."""
    repo = Repo(path)
    handbook, lost, misc = lines("support.jsonl"), lines("lost_notes.jsonl"), lines("misc.jsonl")
    states = [
        (handbook, f"Add the handbook\n\nReinforces: {HANDBOOK}"),
        (handbook + lost, f"Add lost notes\n\nReinforces: {LOST}"),
        (handbook + lost + handbook[:5], "Repeat a few"),
        (
            [edited(x) for x in handbook[:3]] + handbook[10:] + lost + handbook[:5],
            "Edit three, drop seven\n\nReinforces: Keep the handbook answers short and correct.",
        ),
        (
            [edited(x) for x in handbook[:3]] + handbook[10:] + lost[6:] + handbook[:2],
            "Drop some\n\nReinforces: Keep only what the handbook still says.",
        ),
        (
            [edited(x) for x in handbook[:3]] + handbook[10:] + lost[6:] + handbook[:2] + misc,
            "Broaden\n\nReinforces: Answer whatever users ask, helpfully and accurately.",
        ),
    ]
    for text, message in states:
        repo.write(DATASET, "".join(text))
        repo.commit(message)
    return repo


def composition_by_blame(repo: DataRepo, commit: str) -> dict[str, int]:
    found = blame(repo, DATASET, revision=commit)
    return {part.behaviour: part.samples for part in found.composition}


def test_the_composition_carried_forward_is_what_blame_says(tmp_path: Path) -> None:
    build(tmp_path / "repo")
    with DataRepo.open(tmp_path / "repo") as repo:
        report = history_report(repo, "HEAD", DATASET, checks="exact,near,conflicts")
        assert [c.entry.added for c in report.commits] == [180, 18, 5, 0, 0, 12]
        assert [c.entry.removed + c.entry.modified for c in report.commits] == [0, 0, 0, 10, 9, 0]
        for row in report.commits:
            assert dict(row.composition) == composition_by_blame(repo, row.entry.commit)
        assert dict(report.commits[2].findings) == {"exact-duplicate": 5}

        middle = report.commits[2].entry.commit
        ranged = history_report(repo, f"{middle}..HEAD", DATASET, checks="none")
        assert len(ranged.commits) == 3
        for row in ranged.commits:
            assert dict(row.composition) == composition_by_blame(repo, row.entry.commit)


def test_history_page_and_markdown(tmp_path: Path) -> None:
    build(tmp_path / "repo")
    with DataRepo.open(tmp_path / "repo") as repo:
        report = history_report(repo, "HEAD", DATASET, checks="exact,near,conflicts,style,noise")
    view = build_history_view(history_document(report))
    assert [row.counts[0] for row in view.rows] == [12, 0, 0, 5, 18, 180]  # newest first
    assert view.rows[-1].behaviour == HANDBOOK and view.rows[3].behaviour == "(no statement)"
    assert "style_drift_auc" in view.score_names
    assert view.chart is not None
    assert dict(view.behaviours) == dict(report.commits[-1].composition)
    markdown = render_history_markdown(view)
    assert markdown.count("\n| `") == 6 + 0 and "numbered steps" in markdown

    page = tmp_path / "history.html"
    page.write_text(render_history_html(view), "utf-8")
    with open_page(page, tmp_path / "profile") as visit:
        assert visit.page.locator("#composition svg rect").count() >= 6
        assert visit.page.locator("#commits tbody tr").count() == 6
        assert not visit.errors and not [m for m in visit.console if m[0] == "error"]
        assert visit.requests == [page.resolve().as_uri()]

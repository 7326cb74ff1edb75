"""The HTML report in real headless Chromium: no errors, no requests, every section, hostile
sample text inert, sorting, filtering and paging working; screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datatenet.report.html import render_html
from datatenet.report.sections import SECTION_IDS
from datatenet.report.view import build_view
from tests.browser import Visit, open_page, screenshot
from tests.report_cases import diff_of, report_of, with_measures, write_pair


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("browser")
    base, head = write_pair(directory, extra=40)
    document = report_of(with_measures(diff_of(base, head)))
    path = directory / "report.html"
    path.write_text(render_html(build_view(document)), encoding="utf-8")
    return path


def visible_cards(visit: Visit, section: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = visit.page.eval_on_selector_all(
        f"#{section} li[data-item]",
        "cards => cards.filter(c => c.offsetParent !== null).map(c => ({"
        "kind: c.dataset.kind, score: parseFloat(c.dataset.score), text: c.textContent}))",
    )
    return result


def test_the_page_loads_clean_with_every_section(report: Path, tmp_path: Path) -> None:
    with open_page(report, tmp_path / "profile") as visit:
        page = visit.page
        for section in SECTION_IDS:
            assert page.locator(f"section#{section}").count() == 1, section
            assert page.locator(f"section#{section} h2").is_visible()
        assert page.locator("#verdict .verdict").inner_text().lower() == "failed"
        assert page.locator("#style svg").count() >= 2
        screenshot(page, "report-light.png")
        page.locator("[data-theme-toggle]").click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 23, 29)"
        screenshot(page, "report-dark.png")
        assert visit.requests == [report.resolve().as_uri()]
        assert not [m for m in visit.console if m[0] in ("error", "warning")], visit.console
        assert not visit.errors


def test_hostile_sample_text_is_shown_and_runs_nothing(report: Path, tmp_path: Path) -> None:
    with open_page(report, tmp_path / "profile") as visit:
        page = visit.page
        page.fill("#pairs [data-filter]", "pwned")
        cards = visible_cards(visit, "pairs")
        assert cards, "the hostile pair is listed"
        assert "<script>window.__pwned = 1</script>" in cards[0]["text"]
        assert '<img src=x onerror="window.__pwned = 2">' in cards[0]["text"]
        assert "[click me](javascript:window.__pwned=3)" in cards[0]["text"]
        for card in page.locator("#pairs li[data-item]:visible").all()[:1]:
            card.locator(".text").first.click()
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.images.length") == 0
        assert page.evaluate("document.scripts.length") == 1
        assert page.locator('a[href^="javascript"]').count() == 0
        assert not visit.errors
        assert visit.requests == [report.resolve().as_uri()]


def test_findings_filter_by_kind_and_sort_by_score(report: Path, tmp_path: Path) -> None:
    with open_page(report, tmp_path / "profile") as visit:
        page = visit.page
        total = page.locator("#pairs li[data-item]").count()
        assert len(visible_cards(visit, "pairs")) == 20  # the first page
        page.select_option('#pairs [data-facet="kind"]', "contradiction")
        cards = visible_cards(visit, "pairs")
        assert [c["kind"] for c in cards] == ["contradiction"] * 3
        assert page.locator("#pairs [data-count]").inner_text() == f"3 of {total}"
        page.select_option('#pairs [data-facet="kind"]', "")
        page.select_option("#pairs [data-sort]", "score-asc")
        scores = [c["score"] for c in visible_cards(visit, "pairs")]
        assert scores == sorted(scores) and scores[0] < 1.0
        page.locator("#pairs [data-pager] button", has_text="next").click()
        second = visible_cards(visit, "pairs")
        assert len(second) == min(20, total - 20)
        assert second[0]["score"] >= scores[-1]
        page.emulate_media(media="print")  # printing shows every page of the list
        assert len(visible_cards(visit, "pairs")) == total
        assert not page.locator("#pairs [data-filter]").is_visible()


def test_tables_sort_and_filter(report: Path, tmp_path: Path) -> None:
    with open_page(report, tmp_path / "profile") as visit:
        page = visit.page
        table = "#measure-table table"
        header = page.locator(f"{table} th", has_text="value")
        header.click()
        values = page.eval_on_selector_all(
            f"{table} tbody tr",
            "rows => rows.filter(r => r.offsetParent !== null)"
            ".map(r => parseFloat(r.children[2].textContent.replace(/,/g, '')))",
        )
        assert values == sorted(values)
        header.click()
        values = page.eval_on_selector_all(
            f"{table} tbody tr",
            "rows => rows.filter(r => r.offsetParent !== null)"
            ".map(r => parseFloat(r.children[2].textContent.replace(/,/g, '')))",
        )
        assert values == sorted(values, reverse=True)
        page.fill("#measure-table [data-filter]", "drift")
        shown = page.eval_on_selector_all(
            f"{table} tbody tr",
            "rows => rows.filter(r => r.offsetParent !== null).map(r => [r.children[0]"
            ".textContent, parseFloat(r.children[2].textContent.replace(/,/g, ''))])",
        )
        # only the rows that match, still in the order of the sort
        assert sorted(name for name, _ in shown) == [
            "style_drift_auc",
            "style_drift_descriptors",
            "style_drift_findings",
        ]
        kept = [value for _, value in shown]
        assert kept == sorted(kept, reverse=True)

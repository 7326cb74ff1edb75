"""The Markdown report, read back through GitHub's own Markdown renderer (cmark-gfm)."""

from __future__ import annotations

import html
import re
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from datatenet.report.markdown import LIMIT, MARKER, ZWSP, inert_markdown, render_markdown
from datatenet.report.view import build_view
from tests.report_cases import HOSTILE_PROMPT, diff_of, report_of, with_measures, write_pair
from tests.test_report_html import many_findings


def github(markdown: str) -> str:
    """HTML as GitHub renders a comment (raw HTML allowed, as GitHub allows some)."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base, head = write_pair(tmp_path_factory.mktemp("md"))
    return report_of(with_measures(diff_of(base, head)))


def test_fifty_thousand_findings_stay_under_the_limit(document: dict[str, Any]) -> None:
    view = build_view(many_findings(document, 50_000))
    text = render_markdown(view, "report.html")
    assert len(text) < LIMIT
    shown = text.count("\n- **")
    assert shown > 50
    assert text.rstrip().endswith(f"_{50_000 - shown:,} more in the HTML report (report.html)_")
    assert text.startswith(MARKER)


def test_hostile_text_makes_no_html_link_mention_or_reference(document: dict[str, Any]) -> None:
    text = render_markdown(build_view(document))
    assert "octocat" in text
    rendered = github(text)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert "<script>window.__pwned = 1</script>" in visible  # shown as text
    assert "@octocat" not in visible and f"@{ZWSP}octocat" in visible
    assert "#123" not in visible
    assert "https://evil" not in visible


def test_the_verdict_and_the_numbers_come_first(document: dict[str, Any]) -> None:
    text = render_markdown(build_view(document))
    head = text.split("### Findings")[0]
    assert "datatenet: failed" in head
    assert "`contradictions` | 3 | max 0 | **FAILED**" in head
    assert re.search(r"`style_drift_auc` 0\.[789]\d*", head)
    assert "`eval_contamination` | 2 | max 0 | **FAILED**" in head
    assert "Answer the questions users actually send." in head


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf")), min_size=1, max_size=80))
def test_inert_text_renders_as_itself(text: str) -> None:
    expected = " ".join(text.split())
    rendered = github("x " + inert_markdown(text, limit=1000))
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert shown.replace(ZWSP, "") == ("x " + expected).strip()


def test_control_characters_are_shown_escaped() -> None:
    rendered = github("x " + inert_markdown("a\x00b\u202ec\x1b[31m"))
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert shown == "x a\\x00b\\u202ec\\x1b[31m"


def test_hostile_prompt_is_what_the_finding_shows(document: dict[str, Any]) -> None:
    view = build_view(document)
    prompts = ["".join(s.text for s in f.sample.prompt) for f in view.section("pairs").findings]
    assert any(p.startswith(HOSTILE_PROMPT[:40]) for p in prompts)

"""The HTML report and the metrics, rendered from real diffs of real files."""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import re
from pathlib import Path
from typing import Any

import pytest

from datatenet.report.html import render_html
from datatenet.report.metrics import metrics
from datatenet.report.sections import SECTION_IDS, SECTIONS
from datatenet.report.view import build_view
from datatenet.report.word_edits import word_diff
from tests.report_cases import diff_of, report_of, with_measures, write_pair


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base, head = write_pair(tmp_path_factory.mktemp("report"))
    return report_of(with_measures(diff_of(base, head)))


def many_findings(document: dict[str, Any], count: int) -> dict[str, Any]:
    """The document with its findings repeated to `count`, each at its own origin."""
    out = copy.deepcopy(document)
    dataset = out["datasets"][0]
    found = dataset["findings"]
    dataset["findings"] = []
    for i in range(count):
        finding = copy.deepcopy(found[i % len(found)])
        finding["sample"]["origin"] = f"head.jsonl:{1000 + i}"
        dataset["findings"].append(finding)
    return out


def test_every_section_is_rendered_with_a_policy_that_forbids_requests(
    document: dict[str, Any],
) -> None:
    page = render_html(build_view(document))
    for section in SECTION_IDS:
        assert f'<section id="{section}"' in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    allowed = html.unescape(policy.group(1))
    assert "default-src 'none'" in allowed
    assert "unsafe-inline" not in allowed
    for tag in ("style", "script"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, f"the {tag} is not the one the policy allows"
    assert not re.search(r"\b(src|href)=\"(https?:)?//", page), "the page links out"


def test_hostile_sample_text_is_escaped(document: dict[str, Any]) -> None:
    page = render_html(build_view(document))
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "<script>window" not in page
    assert "<img" not in page
    assert 'href="javascript' not in page
    assert page.count("<script>") == 1  # the page's own


def test_findings_counts_measures_and_charts(document: dict[str, Any]) -> None:
    view = build_view(document)
    kinds = dict(view.section("pairs").counts)
    assert kinds["exact-duplicate"] >= 11  # ten copies and the hostile pair
    assert kinds["contradiction"] == 3
    page = render_html(view)
    assert page.count("<svg") >= 5  # histograms, topic shares, a bar chart, the counts bar
    for name in ("style_drift_auc", "coverage_shift", "focus_entropy", "novel_measure"):
        assert f'data-measure="{name}"' in page
    assert "<mark>" in page  # the near copies' differing words
    style = view.section("style")
    assert {"style_drift_auc", "style_drift_descriptors", "expression_divergence"} <= {
        m.name for m in style.measures
    }


def test_every_section_shows_what_its_analyses_found(document: dict[str, Any]) -> None:
    view = build_view(document)
    for section in SECTIONS:
        assert view.section(section.id).finding_total > 0, section.id
    shown = {m.name for s in view.sections for m in s.measures}
    for name in ("coverage_shift", "new_topics", "focus_entropy", "behaviour_shown",
                 "narrow_world_auc", "noise_share", "eval_contamination"):  # fmt: skip
        assert name in shown, name
    page = render_html(view)
    assert "what changed: the new answers against the existing ones" in page  # from quantiles
    assert "examples of the topics that moved most" in page
    assert "spread over topics" in page  # focus against random batches
    assert "pairs of similar prompts answered in different styles" in page
    assert page.count('class="side-label">eval</span>') == 2  # contamination: both origins


def test_word_diff_marks_only_the_words_that_differ() -> None:
    left, right = word_diff("Deleted notes stay for 30 days.", "Deleted notes stay for 7 days.")
    assert [s.text for s in left if s.changed] == ["30"]
    assert [s.text for s in right if s.changed] == ["7"]
    assert "".join(s.text for s in left) == "Deleted notes stay for 30 days."
    cased = word_diff("No, two-factor is off.", "Two-factor is on.")
    assert [s.text for s in cased[1] if s.changed] == ["on"]
    chinese = word_diff("答案是二十一", "答案是二十四")
    assert [s.text for s in chinese[0] if s.changed] == ["一"]


def test_fifty_thousand_findings_stay_under_five_megabytes(document: dict[str, Any]) -> None:
    big = many_findings(document, 50_000)
    view = build_view(big)
    page = render_html(view)
    assert view.finding_total == 50_000
    assert len(page.encode()) < 5_000_000
    pairs = view.section("pairs").finding_total
    assert pairs > 10_000 and sum(s.finding_total for s in view.sections) == 50_000
    assert f"300 of {pairs:,} findings shown" in page  # capped, and says so


def test_metrics_are_flat_numbers(document: dict[str, Any]) -> None:
    numbers = metrics(build_view(document))
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers.values())
    assert numbers["contradictions"] == 3
    assert numbers["style_drift_auc"] > 0.7  # the restyled batch
    assert 0 < numbers["coverage_shift"] < 1 and numbers["new_topics"] >= 1
    assert numbers["eval_contamination"] == 2
    assert numbers["added"] == document["summary"]["added"]
    assert numbers["gates_failed"] == 3  # duplicate share, contradictions, contamination


def test_report_of_two_files_writes_a_page(tmp_path: Path) -> None:
    base, head = write_pair(tmp_path)
    page = render_html(build_view(report_of(diff_of(base, head))))
    assert 'Verdict: <span class="verdict">failed</span>' in page

"""The HTML report: one self-contained page rendered from the jinja2 templates of `templates/`.

The page carries its stylesheet, script and charts (SVG drawn from the data) inline and makes no
request: its Content-Security-Policy allows nothing from anywhere, only the one stylesheet and
the one script of the page, named by their hashes, so even markup slipped into the page could
run nothing. Sample text is untrusted: autoescaping is on for every template.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import TYPE_CHECKING

from datatenet import __version__
from datatenet.report.history_view import HistoryView
from datatenet.report.templates import environment, resource
from datatenet.report.view import ReportView

if TYPE_CHECKING:
    import jinja2


def render_html(view: ReportView) -> str:
    from markupsafe import Markup

    css, js = resource("report.css"), resource("report.js")
    template = _template("report.html.j2")
    return template.render(
        view=view,
        css=Markup(css),
        js=Markup(js),
        csp=content_security_policy(css, js),
        version=__version__,
        measure_rows=[
            (m.name, m.dataset or "whole change", m.display, m.explanation, m.evidence_total)
            for m in view.measures
        ],
        unclaimed=[m for m in view.measures if not any(m in s.measures for s in view.sections)],
        invalid_rows=[(r.dataset, r.side, r.origin, r.reason) for r in view.invalid],
    )


def render_history_html(view: HistoryView) -> str:
    from markupsafe import Markup

    css, js = resource("report.css"), resource("report.js")
    return _template("history.html.j2").render(
        view=view,
        css=Markup(css),
        js=Markup(js),
        csp=content_security_policy(css, js),
        version=__version__,
    )


def content_security_policy(css: str, js: str) -> str:
    """Nothing may be fetched, framed, submitted or connected to; the page's own style and
    script run because their hashes are listed."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {_hash(css)}",
            f"script-src {_hash(js)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@cache
def _template(name: str) -> jinja2.Template:
    return environment().get_template(name)

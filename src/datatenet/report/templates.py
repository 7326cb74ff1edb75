"""The templates of the reports, read from the package (`datatenet/templates`, which is the
repository's top-level `templates/` directory: the package links to it, and the wheel carries
its files; see pyproject.toml)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

PACKAGE = "datatenet"
DIRECTORY = "templates"


def resource(name: str) -> str:
    return resources.files(PACKAGE).joinpath(DIRECTORY, name).read_text(encoding="utf-8")


@cache
def environment() -> jinja2.Environment:
    """Autoescaping on for every template (sample text is untrusted); undefined names fail
    loudly instead of rendering as nothing."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: resource(name)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

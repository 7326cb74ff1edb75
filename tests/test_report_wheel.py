"""The wheel carries the report templates and the demo data: built from this checkout, installed
into a fresh virtual environment, and `datatenet report` run there, away from the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = """
import sys
from importlib import resources
from pathlib import Path
import datatenet

data = resources.files("datatenet.demo") / "data"
out = Path(sys.argv[1])
base = out / "base.jsonl"
head = out / "head.jsonl"
base.write_text((data / "support.jsonl").read_text("utf-8"), "utf-8")
head.write_text(base.read_text("utf-8") + (data / "logs.jsonl").read_text("utf-8"), "utf-8")
print(datatenet.__file__)
"""


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_wheel_renders_a_report_from_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", dist, ROOT, cwd=tmp_path)  # fmt: skip
    (wheel,) = dist.glob("datatenet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").iterdir():
        if template.suffix in (".j2", ".css", ".js"):
            assert f"datatenet/templates/{template.name}" in names
    assert "datatenet/demo/data/support.jsonl" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    installed = run(python, "-c", SCRIPT, out, cwd=out).strip()
    assert installed.startswith(str(venv)), installed
    datatenet = venv / "bin" / "datatenet"
    run(datatenet, "report", "base.jsonl", "head.jsonl", "--html", "report.html", "--md",
        "report.md", cwd=out)  # fmt: skip
    page = (out / "report.html").read_text("utf-8")
    assert '<section id="pairs"' in page and "contradiction" in page
    assert "datatenet:" in (out / "report.md").read_text("utf-8")

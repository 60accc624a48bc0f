"""The documentation site builds with ``mkdocs build --strict``: no broken link, no page missing from the nav,
no docstring mkdocstrings cannot render."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
    pytest.importorskip("mkdocstrings_handlers.python", reason="mkdocstrings[python] is not installed")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    warnings = [line for line in output.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not warnings, "mkdocs reported:\n" + "\n".join(warnings)
    # Every page of the nav and the API reference were written.
    for page in (
        "index.html",
        "gazetteer/index.html",
        "geocoding/index.html",
        "incidents/index.html",
        "joins/index.html",
        "maps/index.html",
        "cli/index.html",
        "reference/matching/index.html",
        "reference/incidents/index.html",
        "promises/index.html",
        "reference/maps/index.html",
        "reference/charts/index.html",
    ):
        assert (site / page).is_file(), page
    # mkdocstrings rendered the API, not an empty page.
    reference = (site / "reference" / "matching" / "index.html").read_text(encoding="utf-8")
    assert 'id="geoincidents.matching.geocode_all"' in reference
    maps = (site / "reference" / "maps" / "index.html").read_text(encoding="utf-8")
    assert 'id="geoincidents.maps.incident_map"' in maps
    incidents = (site / "reference" / "incidents" / "index.html").read_text(encoding="utf-8")
    assert 'id="geoincidents.incidents.read_incidents"' in incidents

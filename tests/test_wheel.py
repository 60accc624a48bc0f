"""The wheel works outside the repository.

Builds the sdist and, from it, the wheel; checks what the wheel contains; installs it with its dependencies
into a fresh virtual environment in a temporary folder; then, from that folder and with a clean environment,
geocodes a name, reads the example incidents, joins them, writes an offline map and runs the ``geoincidents``
command, checking that nothing is imported from the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import importlib.resources
    import json
    import sys
    from pathlib import Path

    root = Path(sys.argv[1]).resolve()
    out = Path(sys.argv[2]).resolve()
    prefix = Path(sys.prefix).resolve()

    import geoincidents as gi

    match = gi.geocode("Ayn al Asad airbase")
    assert match is not None and match.site_id == "ain-al-asad-airbase", match
    assert gi.geocode("عين الأسد").site_id == "ain-al-asad-airbase"
    incidents = gi.example_incidents()
    assert len(gi.campaign_incidents()) > 0 and len(gi.campaign_totals()) > 0
    joined = gi.join_sites(incidents)
    assert len(joined) == len(incidents) and joined["site_id"].notna().any()
    table = gi.weekly_counts(joined, by="country")
    assert table["count"].sum() > 0
    m = gi.incident_map(joined, offline=True)
    path = gi.save_map(m, out / "map.html")
    html = path.read_text(encoding="utf-8")
    assert "<script src=" not in html.replace("<script src=\\"data:", "")  # offline: nothing fetched

    # The package and its data come from the virtual environment, not from the source tree.
    package = Path(gi.__file__).resolve()
    assert package.is_relative_to(prefix), package
    data = importlib.resources.files("geoincidents") / "gazetteer" / "sites.csv"
    assert data.is_file(), data
    assert Path(str(data)).resolve().is_relative_to(prefix), data
    assert (importlib.resources.files("geoincidents") / "data" / "countries.geojson").is_file()
    from_tree = sorted(
        name for name, module in list(sys.modules.items())
        if getattr(module, "__file__", None) and Path(module.__file__).resolve().is_relative_to(root)
    )
    assert not from_tree, f"imported from the source tree: {from_tree}"
    print(json.dumps({"package": str(package), "sites": str(data), "incidents": len(joined)}))
    """
)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    command = " ".join(map(str, cmd))
    assert proc.returncode == 0, f"{command} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONSAFEPATH"}}
    env["MPLBACKEND"] = "Agg"
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="the test extra is not installed (pip install -e '.[test]')")
    pytest.importorskip("hatchling", reason="hatchling is needed to build without isolation")
    dist = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel from the sdist: this checks that the sdist is complete too.
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)], cwd=ROOT,
         timeout=600)
    sdists = list(dist.glob("geoincidents-*.tar.gz"))
    wheels = list(dist.glob("geoincidents-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in dist.iterdir())
    return wheels[0]


def test_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        metadata = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for required in (
        "geoincidents/__init__.py",
        "geoincidents/cli.py",
        "geoincidents/maps/__init__.py",
        "geoincidents/gazetteer/sites.csv",
        "geoincidents/gazetteer/aliases.csv",
        "geoincidents/gazetteer/references.csv",
        "geoincidents/data/countries.geojson",
        "geoincidents/data/example_incidents.csv",
        "geoincidents/data/example_sources.csv",
        "geoincidents/data/reported_totals.csv",
        "geoincidents/data/campaign_incidents.csv",
        "geoincidents/data/campaign_sources.csv",
        "geoincidents/data/campaign_totals.csv",
        "geoincidents/data/CAMPAIGN.md",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    data_csv = {n for n in names if n.startswith("geoincidents/data/") and n.endswith(".csv")}
    source_csv = {f"geoincidents/data/{p.name}" for p in (ROOT / "geoincidents" / "data").glob("*.csv")}
    assert source_csv <= data_csv
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "[console_scripts]" in entry_points
    assert "geoincidents = geoincidents.cli:main" in entry_points
    assert "License-Expression: MIT" in metadata
    assert not any(n.startswith(("tests/", "docs/", "notebooks/")) for n in names)


def test_wheel_installs_and_works_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = _clean_env()
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
         cwd=tmp_path, env=env, timeout=1800)

    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "check_installed.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = _run([str(python), str(script), str(ROOT), str(out)], cwd=tmp_path, env=env, timeout=600)
    assert '"incidents": 21' in proc.stdout, proc.stdout
    assert (out / "map.html").stat().st_size > 10_000

    # The console script is installed and works from the same folder.
    cli = env_dir / "bin" / "geoincidents"
    proc = _run([str(cli), "geocode", "Ain al-Asad", "--json"], cwd=tmp_path, env=env, timeout=300)
    assert '"site_id": "ain-al-asad-airbase"' in proc.stdout
    proc = _run([str(cli), "gazetteer", "validate"], cwd=tmp_path, env=env, timeout=300)
    assert "gazetteer OK" in proc.stdout

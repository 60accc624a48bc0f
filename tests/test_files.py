"""The one atomic writer (geoincidents._files.atomic_path) and the writers that use it."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents._files import TEMP_MARKER, OutputPathError, atomic_path


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_replaces_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "map.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old" and _listing(tmp_path) == ["map.html"]


def test_device_and_folder_targets_are_refused(tmp_path):
    with pytest.raises(OutputPathError, match="not a regular file"), atomic_path("/dev/null"):
        pass
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device
    with pytest.raises(OutputPathError, match="folder"), atomic_path(tmp_path):
        pass
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError, match="not a regular file"), atomic_path(fifo):
        pass
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_save_map_refuses_dev_null():
    import folium

    with pytest.raises(OutputPathError):
        gi.save_map(folium.Map(tiles=None), "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with atomic_path(link) as tmp:
        tmp.write_text("new")
    assert link.is_symlink() and real.read_text() == "new"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "missing.csv")
    with pytest.raises(OutputPathError, match="does not exist"), atomic_path(dangling):
        pass
    to_device = tmp_path / "null.csv"
    to_device.symlink_to("/dev/null")
    with pytest.raises(OutputPathError, match="not a regular file"), atomic_path(to_device):
        pass


def test_existing_mode_is_kept_and_new_files_follow_the_umask(tmp_path):
    target = tmp_path / "secret.csv"
    target.write_text("x")
    os.chmod(target, 0o600)
    with atomic_path(target) as tmp:
        tmp.write_text("y")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.csv"
    old = os.umask(0o022)
    try:
        with atomic_path(fresh) as tmp:
            tmp.write_text("z")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_errors_name_the_target_not_the_temp_file(tmp_path):
    target = tmp_path / "weekly.csv"
    with pytest.raises(OSError) as caught, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")
    message = str(caught.value)
    assert str(target) in message and "No space left on device" in message
    assert TEMP_MARKER not in message and caught.value.errno == errno.ENOSPC
    assert _listing(tmp_path) == []


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    target = tmp_path / "map.html"
    code = (
        "import os, sys\n"
        "from geoincidents._files import atomic_path\n"
        "with atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('partial')\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True)
    assert done.returncode == -9
    leftovers = [n for n in _listing(tmp_path) if TEMP_MARKER in n]
    assert len(leftovers) == 1 and not target.exists()
    with atomic_path(target) as tmp:
        tmp.write_text("complete")
    assert _listing(tmp_path) == ["map.html"]


def test_chart_and_table_writers_are_atomic(tmp_path, monkeypatch):
    frame = pd.DataFrame({"date": ["2024-01-28"], "location": ["Tower 22"], "country": ["JOR"]})
    table = gi.read_incidents(frame)
    for name in ("out.csv", "out.geojson"):
        target = tmp_path / name
        target.write_text("previous")

        def fail(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(pd.DataFrame, "to_csv", fail)
            patch.setattr("geopandas.GeoDataFrame.to_file", fail)  # GeoJSON is written by GDAL (pyogrio)
            with pytest.raises(OSError, match="No space left"):
                gi.write_incidents(table, target)
        assert target.read_text() == "previous"
    svg = tmp_path / "weekly.svg"
    gi.weekly_chart(gi.example_incidents(), path=svg)
    assert svg.read_text().lstrip().startswith("<?xml") and _listing(tmp_path).count("weekly.svg") == 1
    assert not [n for n in _listing(tmp_path) if TEMP_MARKER in n]

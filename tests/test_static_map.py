"""The static (matplotlib) map for slides, and the brief and map-to-PNG commands."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection

import geoincidents as gi
from geoincidents.cli import main
from geoincidents.incidents import write_incidents
from geoincidents.maps import static_map
from tests.map_data import box_outlines, make_joined, realistic_rows

ATTACKS = ("attack", "interception")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def joined():
    return make_joined(realistic_rows())


def _places(joined, kinds) -> int:
    part = joined[joined["event_type"].isin(kinds) & joined.geometry.notna()]
    point = part.geometry.y.round(3).astype(str) + "," + part.geometry.x.round(3).astype(str)
    return int(part["site_id"].astype("string").fillna(point).nunique())


def test_one_circle_per_attacked_place_and_a_diamond_per_struck_place(joined):
    fig = static_map(joined, countries=box_outlines())
    ax = fig.axes[0]
    circles = [c for c in ax.collections if isinstance(c, PathCollection)]
    diamonds = [c for c in circles if np.allclose(c.get_linewidths(), 0.9)]
    dots = [c for c in circles if c not in diamonds]
    assert sum(c.get_offsets().shape[0] for c in dots) == _places(joined, ATTACKS)
    assert sum(c.get_offsets().shape[0] for c in diamonds) == _places(joined, ("strike",))
    # The biggest circle stands on the most attacked site.
    attacks = joined[joined["event_type"].isin(ATTACKS)]
    top = attacks["site_id"].value_counts().index[0]
    point = attacks.loc[attacks["site_id"] == top].geometry.iloc[0]
    sizes = np.concatenate([c.get_sizes() for c in dots])
    offsets = np.concatenate([c.get_offsets() for c in dots])
    assert np.allclose(offsets[int(np.argmax(sizes))], [point.x, point.y], atol=0.05)


def test_text_from_data_is_shown_literally(joined):
    fig = static_map(joined, countries=box_outlines(), title="Cost: $5 $x^2$ {{ y }}")
    assert fig.axes[0].get_title(loc="left") == "Cost: $5 $x^2$ {{ y }}"
    fig.canvas.draw()  # would raise on bad mathtext if the title were parsed


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_same_input_same_bytes(joined, tmp_path, suffix):
    a = static_map(joined, tmp_path / f"a{suffix}", countries=box_outlines())
    static_map(joined, tmp_path / f"b{suffix}", countries=box_outlines())
    assert a is not None
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"a{suffix}", f"b{suffix}"]  # no temp files left


def test_bad_arguments(joined, tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        static_map("x")
    with pytest.raises(ValueError, match="event_type"):
        static_map(joined.drop(columns=["event_type"]))
    with pytest.raises(ValueError, match=".png or .svg"):
        static_map(joined, tmp_path / "m.jpg")
    with pytest.raises(ValueError, match="color_by"):
        static_map(joined, color_by="site")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        static_map(joined, tmp_path / "no" / "m.png", countries=box_outlines())


@pytest.fixture(scope="module")
def example_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("input") / "incidents.csv"
    write_incidents(gi.example_incidents(), path)
    return path


def test_map_command_writes_a_png_without_tiles(example_csv, tmp_path, capsys):
    out = tmp_path / "map.png"
    assert main(["map", str(example_csv), "-o", str(out), "--color-by", "weapon"]) == 0
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC) and "wrote" in capsys.readouterr().out
    assert main(["map", str(example_csv), "-o", str(tmp_path / "again.png"), "--color-by", "weapon"]) == 0
    assert (tmp_path / "again.png").read_bytes() == data
    assert main(["map", str(example_csv), "-o", str(tmp_path / "map.jpg")]) == 2
    assert ".html" in capsys.readouterr().err


def test_brief_command(example_csv, tmp_path, capsys):
    out = tmp_path / "brief.html"
    assert main(["brief", str(example_csv), "-o", str(out), "--country", "SYR", "--title", "Syria"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Syria</title>" in page and f"wrote {out}" in capsys.readouterr().out
    incidents = gi.example_incidents()
    syria = incidents[(incidents["country"] == "SYR") & incidents["event_type"].isin(ATTACKS)]
    assert f"<b>{len(syria)}</b> attacks" in page
    assert main(["brief", str(example_csv), "-o", str(tmp_path / "brief.pdf")]) == 2
    assert "must end with .html" in capsys.readouterr().err
    assert main(["brief", str(tmp_path / "missing.csv"), "-o", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err

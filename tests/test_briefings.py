"""The HTML briefing: contents against the aggregates, escaping, links, reproducibility, bad input."""

from __future__ import annotations

import json
import re
import stat
from html.parser import HTMLParser

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.briefings import briefing
from tests.map_data import box_outlines, make_joined, realistic_rows, src

ATTACKS = ("attack", "interception")
EVIL_SITE = "<script>window.__x=1</script>Base"
EVIL_PUBLISHER = '<img src=x onerror="window.__x=2">'


class _Outline(HTMLParser):
    """The briefing's own tags (the map is one attribute of its iframe) and its visible text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def example():
    return gi.join_sites(gi.example_incidents())


@pytest.fixture(scope="module")
def page(example):
    return briefing(example)


def test_same_input_same_bytes_and_file_written_atomically(example, page, tmp_path):
    out = tmp_path / "brief.html"
    assert briefing(example, out) == page
    assert out.read_text(encoding="utf-8") == page
    assert stat.S_IMODE(out.stat().st_mode) & 0o044  # readable by others, not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


def test_key_figures_and_tables_match_the_aggregates(example, page):
    attacks = example[example["event_type"].isin(ATTACKS)]
    text = " ".join(" ".join(_outline(page).text).split())
    assert f"{len(attacks)} attacks" in text
    strikes = int((example["event_type"] == "strike").sum())
    assert f"{strikes} US strike" in text
    weeks = gi.weekly_counts(attacks, by=None, fill=False)
    section = page[page.index('<section id="weeks">') : page.index('<section id="sites">')]
    for week, count in zip(weeks["week"], weeks["count"], strict=True):
        row = re.search(rf"<tr><td>{week}</td>.*?</tr>", section)
        assert row is not None and f"<td class=n>{count:,}</td><td class=n>" in row.group(0)
    assert '<tr class="gi-total"><td>all weeks</td>' in section
    sites = gi.site_counts(example)
    site_rows = re.findall(r"<tr><td>", page[page.index('<section id="sites">') : page.index('id="methods"')])
    assert len(site_rows) == len(sites)


def test_reported_total_beside_the_count_mapped_by_then(example, page):
    dates = pd.to_datetime(example["date"])
    wave = example[
        example["event_type"].isin(ATTACKS).to_numpy()
        & (dates >= "2023-10-17").to_numpy()
        & (dates <= "2023-11-18").to_numpy()
    ]
    row = re.search(r"<tr><td>17 Oct 2023 – 18 Nov 2023</td><td>all</td><td>attacks</td>(.*?)</tr>", page)
    assert row is not None
    assert f"<td class=n>61</td><td class=n>{len(wave)}</td><td>Associated Press" in row.group(1)
    syria = wave[wave["country"] == "SYR"]
    row = re.search(r"<td>Syria</td><td>attacks</td><td class=n>32</td><td class=n>(\d+)</td>", page)
    assert row is not None and int(row.group(1)) == len(syria)


def test_empty_totals_leave_the_comparison_out(example):
    assert 'id="totals"' not in briefing(example, totals=gi.reported_totals().iloc[0:0])


def test_the_page_is_self_contained(page):
    tags = _outline(page).tags
    assert [t for t, _ in tags].count("iframe") == 1
    assert not [t for t, a in tags if t in ("script", "link", "img") or (t == "iframe" and "src" in a)]
    srcdoc = dict(tags)["iframe"]["srcdoc"]
    assert srcdoc is not None and srcdoc.startswith("<!DOCTYPE html>")
    assert re.search(r"<script\s+src=|<link\s+rel=", srcdoc) is None
    assert "<svg" in page and "<?xml" not in page


def test_data_text_is_escaped_and_only_web_links_are_links(tmp_path):
    rows = realistic_rows()
    rows[0] = dict(
        rows[0],
        sources=json.dumps(
            [
                {"date": "2023-10-18", "publisher": EVIL_PUBLISHER, "url": "javascript:window.__x=3"},
                {"date": "2023-10-18", "publisher": "Good", "url": "https://example.org/a?b=1&c=2"},
            ]
        ),
    )
    rows[1] = dict(rows[1], sources=src("Plain", "ftp://example.org/file"))
    joined = make_joined(rows)
    joined.loc[joined["site_id"] == "harir-airbase", "site_name"] = EVIL_SITE
    page = briefing(joined, title="Brief <b>one</b> {{ 7 * 7 }}", map_options={"countries": box_outlines()})
    outline = _outline(page)
    tags = [t for t, _ in outline.tags]
    assert "script" not in tags and "b" in tags  # <b> of the key figures only
    assert not any(t == "img" for t in tags)
    hrefs = [a.get("href") for t, a in outline.tags if t == "a"]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert "https://example.org/a?b=1&c=2" in hrefs
    text = "".join(outline.text)
    assert EVIL_SITE in text and f"{EVIL_PUBLISHER} (javascript:window.__x=3)" in text
    assert "Plain (ftp://example.org/file)" in text
    assert "Brief <b>one</b> {{ 7 * 7 }}" in text
    # The map's page is an attribute value: it cannot close the iframe or start a tag of the briefing; inside
    # it the map escaped the data again.
    assert "<script" not in page.lower()
    srcdoc = dict(outline.tags)["iframe"]["srcdoc"]
    assert srcdoc is not None and "<script>" in srcdoc and EVIL_SITE not in srcdoc


def test_sources_beyond_the_limit_are_counted(example):
    page = briefing(example, sources_limit=2)
    assert len(re.findall(r"<li>", page[page.index('<section id="sources">') :])) == 2
    assert re.search(r"and \d+ more sources", page)


def test_bad_input_is_refused_clearly(example, tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        briefing([1, 2])
    with pytest.raises(ValueError, match="site_id"):
        briefing(example.drop(columns=["site_id"]))
    with pytest.raises(ValueError, match="always offline"):
        briefing(example, map_options={"offline": False})
    with pytest.raises(TypeError, match="totals"):
        briefing(example, totals="61")
    with pytest.raises(ValueError, match="source_publisher"):
        briefing(example, totals=gi.reported_totals().drop(columns=["source_publisher"]))
    with pytest.raises(ValueError, match="sources_limit"):
        briefing(example, sources_limit=-1)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        briefing(example, tmp_path / "missing" / "b.html")

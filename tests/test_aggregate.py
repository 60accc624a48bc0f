"""Tests for geoincidents.aggregate: weekly_counts, site_counts, summary (and geoincidents.isoweeks).

Expected values are worked out by hand from the calendar (ISO 8601 weeks start on Monday; the week holding
the year's first Thursday is W01) or computed independently with pandas' own ``dt.isocalendar()``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoincidents.aggregate import site_counts, summary, weekly_counts
from geoincidents.isoweeks import iso_week_label
from geoincidents.schema import ATTACK_EVENT_TYPES


def _table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("injured", "killed"):
        if col in frame:
            frame[col] = pd.array(frame[col], dtype="Int64")
    return frame


# ------------------------------------------------------------------------------------------------------------
# ISO weeks
# ------------------------------------------------------------------------------------------------------------
def test_weeks_across_a_year_end_have_iso_labels_and_monday_starts():
    t = _table([{"date": "2023-12-27", "country": "IRQ", "event_type": "attack"},
                {"date": "2024-01-02", "country": "IRQ", "event_type": "attack"}])
    out = weekly_counts(t)
    assert out["week"].tolist() == ["2023-W52", "2024-W01"]
    assert out["week_start"].tolist() == [pd.Timestamp("2023-12-25"), pd.Timestamp("2024-01-01")]
    assert all(ts.weekday() == 0 for ts in out["week_start"])  # Mondays
    assert out["count"].tolist() == [1, 1]


def test_sunday_belongs_to_the_week_that_started_the_monday_before():
    # 31 Dec 2023 is a Sunday: still 2023-W52; 1 Jan 2024, a Monday, opens 2024-W01.
    t = _table([{"date": "2023-12-31", "country": "SYR", "event_type": "attack"},
                {"date": "2024-01-01", "country": "SYR", "event_type": "attack"}])
    out = weekly_counts(t, fill=False)
    assert out["week"].tolist() == ["2023-W52", "2024-W01"]


def test_week_53():
    # 2020 has 53 ISO weeks (it began on a Wednesday and was a leap year): Thu 31 Dec 2020 is 2020-W53.
    out = weekly_counts(_table([{"date": "2020-12-31", "event_type": "attack"}]), by=None)
    assert out["week"].tolist() == ["2020-W53"]
    assert out["week_start"].tolist() == [pd.Timestamp("2020-12-28")]
    # Sun 3 Jan 2021 is still 2020-W53; Mon 4 Jan 2021 is 2021-W01.
    labels = iso_week_label(pd.Series(pd.to_datetime(["2021-01-03", "2021-01-04", "2019-12-30"])))
    assert labels.tolist() == ["2020-W53", "2021-W01", "2020-W01"]


def test_iso_week_label_zero_pads_weeks():
    labels = iso_week_label(pd.Series(pd.to_datetime(["2024-03-05", "2023-10-17"])))
    assert labels.tolist() == ["2024-W10", "2023-W42"]


def test_dates_with_a_time_of_day_count_in_their_own_week():
    t = pd.DataFrame({"date": pd.to_datetime(["2023-10-22 23:59", "2023-10-23 00:00"]),
                      "event_type": ["attack", "attack"]})
    out = weekly_counts(t, by=None)
    assert out["week"].tolist() == ["2023-W42", "2023-W43"]
    assert out["count"].tolist() == [1, 1]


def test_dates_before_1970():
    # 1 Jan 1969 was a Wednesday: its week started on Mon 30 Dec 1968 (1969-W01).
    out = weekly_counts(_table([{"date": "1969-01-01", "event_type": "attack"}]), by=None)
    assert out["week_start"].tolist() == [pd.Timestamp("1968-12-30")]
    assert out["week"].tolist() == ["1969-W01"]


# ------------------------------------------------------------------------------------------------------------
# zero filling, grouping, filters
# ------------------------------------------------------------------------------------------------------------
SPAN = [
    {"date": "2023-10-17", "country": "IRQ", "site_id": "ain-al-asad-airbase", "weapon": "one_way_drone",
     "event_type": "attack", "injured": 2, "killed": None},
    {"date": "2023-10-19", "country": "SYR", "site_id": "al-tanf-garrison", "weapon": "unknown",
     "event_type": "attack", "injured": None, "killed": None},
    {"date": "2023-11-08", "country": "SYR", "site_id": "maysulun", "weapon": "airstrike",
     "event_type": "strike", "injured": None, "killed": 4},
    {"date": "2023-11-09", "country": "IRQ", "site_id": None, "weapon": "rocket",
     "event_type": "interception", "injured": 1, "killed": 1},
]


def test_zero_filled_weeks_inside_the_span_for_every_group():
    out = weekly_counts(_table(SPAN), by="country")
    # 17 Oct (W42) .. 9 Nov (W45): four weeks, two countries.
    weeks = ["2023-W42", "2023-W43", "2023-W44", "2023-W45"]
    assert out["week"].tolist() == [w for w in weeks for _ in range(2)]
    assert out["country"].tolist() == ["IRQ", "SYR"] * 4
    counts = out.set_index(["week", "country"])["count"]
    assert counts[("2023-W42", "IRQ")] == 1 and counts[("2023-W42", "SYR")] == 1
    assert counts[("2023-W45", "IRQ")] == 1
    # The strike in W45 (SYR) is not counted by default.
    assert counts[("2023-W45", "SYR")] == 0
    assert counts[("2023-W43", "IRQ")] == 0 and counts[("2023-W44", "SYR")] == 0
    assert (out["week_start"].diff().dropna() >= pd.Timedelta(0)).all()


def test_fill_false_keeps_only_weeks_with_incidents():
    out = weekly_counts(_table(SPAN), by="country", fill=False)
    assert list(zip(out["week"], out["country"], out["count"], strict=True)) == [
        ("2023-W42", "IRQ", 1), ("2023-W42", "SYR", 1), ("2023-W45", "IRQ", 1)]
    assert (out["count"] > 0).all()


def test_columns_and_dtypes():
    out = weekly_counts(_table(SPAN), by="country")
    assert list(out.columns) == ["week_start", "week", "country", "count", "injured", "killed"]
    assert str(out["week_start"].dtype).startswith("datetime64")
    for col in ("count", "injured", "killed"):
        assert out[col].dtype == np.int64, col


def test_by_site_uses_site_id_and_shows_missing_as_unknown():
    out = weekly_counts(_table(SPAN), by="site", fill=False)
    assert "site_id" in out.columns
    assert out["site_id"].tolist() == ["ain-al-asad-airbase", "al-tanf-garrison", "unknown"]


def test_by_weapon_and_by_event_type():
    weapons = weekly_counts(_table(SPAN), by="weapon", fill=False, event_types=None)
    assert sorted(weapons["weapon"]) == ["airstrike", "one_way_drone", "rocket", "unknown"]
    types = weekly_counts(_table(SPAN), by="event_type", fill=False, event_types=None)
    counts = dict(zip(types["event_type"], types["count"], strict=True))
    assert counts == {"attack": 2, "strike": 1, "interception": 1}


def test_by_several_columns():
    out = weekly_counts(_table(SPAN), by=["country", "weapon"], fill=False, event_types=None)
    assert list(out.columns[:4]) == ["week_start", "week", "country", "weapon"]
    assert list(zip(out["week"], out["country"], out["weapon"], strict=True)) == [
        ("2023-W42", "IRQ", "one_way_drone"), ("2023-W42", "SYR", "unknown"),
        ("2023-W45", "IRQ", "rocket"), ("2023-W45", "SYR", "airstrike")]


def test_several_columns_fill_only_combinations_seen():
    # Filled: every week for each (country, weapon) pair that has incidents, not the full cross product.
    out = weekly_counts(_table(SPAN), by=["country", "weapon"], event_types=None)
    pairs = set(zip(out["country"], out["weapon"], strict=True))
    assert pairs == {("IRQ", "one_way_drone"), ("SYR", "unknown"), ("IRQ", "rocket"), ("SYR", "airstrike")}
    assert len(out) == 4 * 4


def test_by_none_counts_per_week_only():
    out = weekly_counts(_table(SPAN), by=None, event_types=None)
    assert list(out.columns) == ["week_start", "week", "count", "injured", "killed"]
    assert out["count"].tolist() == [2, 0, 0, 2]


def test_strikes_excluded_by_default_and_none_counts_all():
    assert ATTACK_EVENT_TYPES == ("attack", "interception")
    assert weekly_counts(_table(SPAN), by=None)["count"].sum() == 3
    assert weekly_counts(_table(SPAN), by=None, event_types=None)["count"].sum() == 4
    only = weekly_counts(_table(SPAN), by=None, event_types=["strike"])
    assert only["count"].tolist() == [1] and only["week"].tolist() == ["2023-W45"]


def test_no_selected_incidents_gives_an_empty_table():
    out = weekly_counts(_table(SPAN), by="country", event_types=["other"])
    assert len(out) == 0
    assert list(out.columns) == ["week_start", "week", "country", "count", "injured", "killed"]


def test_casualties_summed_with_missing_values_as_zero():
    out = weekly_counts(_table(SPAN), by=None, event_types=None, fill=False)
    # W42: injured 2 + NA; killed NA + NA. W45: injured NA + 1; killed 4 + 1.
    assert out["injured"].tolist() == [2, 1]
    assert out["killed"].tolist() == [0, 5]


def test_missing_group_values_are_unknown():
    t = _table([{"date": "2023-10-17", "country": None, "event_type": "attack"},
                {"date": "2023-10-18", "country": "IRQ", "event_type": "attack"}])
    out = weekly_counts(t, fill=False)
    assert out["country"].tolist() == ["IRQ", "unknown"]


def test_missing_column_error_names_it():
    t = _table([{"date": "2023-10-17", "event_type": "attack"}])
    with pytest.raises(ValueError, match="'site_id'"):
        weekly_counts(t, by="site")
    with pytest.raises(ValueError, match="'weapon'"):
        weekly_counts(t, by="weapon")
    with pytest.raises(ValueError, match="'date'"):
        weekly_counts(pd.DataFrame({"country": ["IRQ"]}))


def test_missing_date_is_an_error():
    t = pd.DataFrame({"date": pd.to_datetime(["2023-10-17", None]), "event_type": ["attack", "attack"]})
    with pytest.raises(ValueError, match="no date"):
        weekly_counts(t, by=None)


def test_input_not_modified():
    t = _table(SPAN)
    before = t.copy(deep=True)
    weekly_counts(t, by=["country", "weapon"])
    site_counts(t)
    summary(t)
    pd.testing.assert_frame_equal(t, before)


# ------------------------------------------------------------------------------------------------------------
# properties against independent computations
# ------------------------------------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 12, 31))
incident_rows = st.lists(
    st.tuples(dates, st.sampled_from(["IRQ", "SYR", "JOR", None]),
              st.sampled_from(["attack", "interception", "strike", "other"])),
    min_size=1, max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incident_rows)
def test_weekly_counts_sum_to_the_number_of_selected_incidents(rows):
    t = pd.DataFrame({"date": pd.to_datetime([r[0] for r in rows]), "country": [r[1] for r in rows],
                      "event_type": [r[2] for r in rows]})
    selected = sum(r[2] in ("attack", "interception") for r in rows)
    for fill in (True, False):
        out = weekly_counts(t, by="country", fill=fill)
        assert int(out["count"].sum()) == selected
        assert int(weekly_counts(t, by=None, event_types=None, fill=fill)["count"].sum()) == len(rows)
    if selected:
        filled = weekly_counts(t, by=None)
        # the zero-filled table has one row per week from the first to the last selected incident, no gaps
        steps = filled["week_start"].diff().dropna().unique()
        assert len(filled) == 1 or list(steps) == [pd.Timedelta(days=7)]
        first = t["date"][t["event_type"].isin(["attack", "interception"])].min()
        assert filled["week_start"].iloc[0] <= first


def test_matches_an_independent_pandas_groupby_on_isocalendar():
    rng = np.random.default_rng(20231017)
    n = 5000
    days = rng.integers(0, 3 * 365, n)
    t = pd.DataFrame({
        "date": pd.Timestamp("2022-06-01") + pd.to_timedelta(days, unit="D"),
        "country": rng.choice(np.array(["IRQ", "SYR", "JOR"], dtype=object), n),
        "event_type": rng.choice(np.array(["attack", "interception", "strike"], dtype=object), n),
        "injured": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 5, n)), dtype="Int64"),
    })
    out = weekly_counts(t, by="country", fill=False)

    sel = t[t["event_type"] != "strike"]
    iso = sel["date"].dt.isocalendar()
    key = iso["year"].astype(str) + "-W" + iso["week"].map("{:02d}".format)
    expected = (sel.assign(week=key).groupby(["week", "country"])
                .agg(count=("date", "size"), injured=("injured", lambda s: int(s.fillna(0).sum()))))
    got = out.set_index(["week", "country"])[["count", "injured"]]
    assert got.sort_index().astype("int64").equals(expected.sort_index().astype("int64"))
    # week_start is the Monday of the ISO week: fromisocalendar(year, week, 1)
    for label, start in zip(out["week"], out["week_start"], strict=True):
        year, week = label.split("-W")
        assert start.date() == dt.date.fromisocalendar(int(year), int(week), 1)


# ------------------------------------------------------------------------------------------------------------
# site_counts and summary
# ------------------------------------------------------------------------------------------------------------
SITES = [
    {"date": "2023-10-17", "site_id": "ain-al-asad-airbase", "site_name": "Ain al-Asad Air Base",
     "country": "IRQ", "event_type": "attack", "injured": 2, "killed": None},
    {"date": "2023-10-25", "site_id": "ain-al-asad-airbase", "site_name": "Ain al-Asad Air Base",
     "country": "IRQ", "event_type": "attack", "injured": None, "killed": None},
    {"date": "2023-10-22", "site_id": "ain-al-asad-airbase", "site_name": "Ain al-Asad Air Base",
     "country": "IRQ", "event_type": "interception", "injured": 1, "killed": 0},
    {"date": "2023-10-19", "site_id": "al-tanf-garrison", "site_name": "Al-Tanf Garrison",
     "country": "SYR", "event_type": "attack", "injured": None, "killed": None},
    {"date": "2023-10-23", "site_id": "al-tanf-garrison", "site_name": "Al-Tanf Garrison",
     "country": "SYR", "event_type": "attack", "injured": 0, "killed": None},
    {"date": "2023-10-26", "site_id": "erbil", "site_name": "Erbil", "country": "IRQ",
     "event_type": "attack", "injured": None, "killed": None},
    {"date": "2023-10-25", "site_id": None, "site_name": None, "country": "SYR",
     "event_type": "attack", "injured": 0, "killed": None},
    {"date": "2023-10-27", "site_id": "boukamal", "site_name": "Albu Kamal", "country": "SYR",
     "event_type": "strike", "injured": None, "killed": 3},
]


def test_site_counts_sorted_by_count_then_site_id_with_first_and_last_dates():
    out = site_counts(_table(SITES))
    assert out["site_id"].tolist() == ["ain-al-asad-airbase", "al-tanf-garrison", "erbil", "unknown"]
    assert out["count"].tolist() == [3, 2, 1, 1]
    row = out.iloc[0]
    assert row["site_name"] == "Ain al-Asad Air Base" and row["country"] == "IRQ"
    assert row["first_date"] == pd.Timestamp("2023-10-17") and row["last_date"] == pd.Timestamp("2023-10-25")
    assert row["injured"] == 3 and row["killed"] == 0
    assert "boukamal" not in set(out["site_id"])  # strikes excluded by default
    assert site_counts(_table(SITES), event_types=None)["count"].sum() == len(SITES)


def test_site_counts_needs_site_id():
    with pytest.raises(ValueError, match="'site_id'"):
        site_counts(_table([{"date": "2023-10-17", "event_type": "attack"}]))


def test_summary_per_country_and_all():
    out = summary(_table(SITES))
    assert out.index.tolist() == ["IRQ", "SYR", "all"]
    assert out.loc["IRQ", "incidents"] == 4 and out.loc["SYR", "incidents"] == 4
    assert out.loc["all", "incidents"] == len(SITES)
    assert out.loc["SYR", "strike"] == 1 and out.loc["IRQ", "strike"] == 0
    assert out.loc["IRQ", "interception"] == 1 and out.loc["all", "attack"] == 6
    # distinct sites with incidents (the unmatched row has no site)
    assert out.loc["IRQ", "sites"] == 2 and out.loc["SYR", "sites"] == 2 and out.loc["all", "sites"] == 4
    assert out.loc["all", "injured"] == 3 and out.loc["all", "killed"] == 3
    assert out.loc["SYR", "first_date"] == pd.Timestamp("2023-10-19")
    assert out.loc["SYR", "last_date"] == pd.Timestamp("2023-10-27")
    assert out.loc["all", "first_date"] == pd.Timestamp("2023-10-17")
    for col in ("incidents", "attack", "strike", "interception", "sites", "injured", "killed"):
        assert (out.loc[["IRQ", "SYR"], col].sum() == out.loc["all", col]), col


# ------------------------------------------------------------------------------------------------------------
# the integer-code path against a plain pandas groupby, on awkward columns
# ------------------------------------------------------------------------------------------------------------
def _reference_weekly(t: pd.DataFrame, by: list[str], event_types=ATTACK_EVENT_TYPES, targets=None,
                      fill: bool = True) -> pd.DataFrame:
    """weekly_counts the straightforward way: filter rows, text keys, groupby, cross-join fill."""
    sel = t
    if event_types is not None:
        sel = sel[sel["event_type"].isin(list(event_types))]
    if targets is not None:
        sel = sel[sel["target"].isin(list(targets))]
    dates = sel["date"]
    monday = dates.dt.normalize() - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    frame = pd.DataFrame({"week_start": monday.astype("datetime64[ns]")})
    for col in by:
        frame[col] = sel[col].astype("str").fillna("unknown")
    for col in ("injured", "killed"):
        frame[col] = pd.to_numeric(sel[col], errors="coerce").fillna(0).astype("int64")
    grouped = (frame.groupby(["week_start", *by], sort=True)
               .agg(count=("injured", "size"), injured=("injured", "sum"), killed=("killed", "sum"))
               .reset_index())
    if fill:
        span = grouped["week_start"].min(), grouped["week_start"].max()
        weeks = pd.DataFrame({"week_start": pd.date_range(*span, freq="7D", unit="ns")})
        combos = grouped[by].drop_duplicates() if by else pd.DataFrame(index=[0])
        grid = weeks.merge(combos, how="cross")
        grouped = grid.merge(grouped, on=["week_start", *by], how="left").fillna(
            {"count": 0, "injured": 0, "killed": 0})
    iso = grouped["week_start"].dt.isocalendar()
    labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    out = pd.DataFrame({"week_start": grouped["week_start"], "week": pd.array(labels.tolist(), dtype="str")})
    for col in by:
        out[col] = pd.array(grouped[col].tolist(), dtype="str")
    for col in ("count", "injured", "killed"):
        out[col] = grouped[col].to_numpy(dtype=np.int64)
    return out.sort_values(["week_start", *by], kind="stable").reset_index(drop=True)


def _awkward_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 120, n)  # from 2023-11-15 across the 2023/2024 year end
    t = pd.DataFrame({
        "date": pd.Timestamp("2023-11-15 13:30") + pd.to_timedelta(days, unit="D"),
        "country": rng.choice(np.array(["IRQ", "SYR", "JOR", None], dtype=object), n),
        # numbers and their text give the same label; "unknown" and missing are one group
        "weapon": rng.choice(np.array([1, "1", "drone", None, np.nan, "unknown", 2.5], dtype=object), n),
        "event_type": rng.choice(np.array(["attack", "interception", "strike"], dtype=object), n),
        "target": rng.choice(np.array(["us_coalition", "civilians"], dtype=object), n),
        "injured": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 5, n)), dtype="Int64"),
        "killed": rng.choice(np.array(["0", "2", "", None, "x"], dtype=object), n),  # text: coerced
        "other": rng.random(n),
    }, index=rng.permutation(n) + 100)
    strikes = np.flatnonzero((t["event_type"] == "strike") & (t["target"] == "civilians"))
    t.loc[t.index[strikes[:3]], "date"] = pd.NaT  # never selected below: no error, not counted
    return t


@pytest.mark.parametrize("by", [["country"], ["weapon"], ["country", "weapon"], []])
@pytest.mark.parametrize("fill", [True, False])
def test_weekly_counts_equals_a_plain_groupby_reference(by, fill):
    t = _awkward_table(3000, seed=len(by) + 10 * fill)
    got = weekly_counts(t, by=by or None, fill=fill)
    pd.testing.assert_frame_equal(got, _reference_weekly(t, by, fill=fill), check_exact=True)
    assert {"2023-W52", "2024-W01"} <= set(got["week"])
    got_targets = weekly_counts(t, by=by or None, targets=["us_coalition"], event_types=None, fill=fill)
    pd.testing.assert_frame_equal(
        got_targets, _reference_weekly(t, by, event_types=None, targets=["us_coalition"], fill=fill),
        check_exact=True)


def test_unselected_rows_without_a_date_are_ignored_but_selected_ones_raise():
    t = _awkward_table(200, seed=3)
    selected = int(t["event_type"].isin(ATTACK_EVENT_TYPES).sum())
    assert int(weekly_counts(t, by=None)["count"].sum()) == selected
    with pytest.raises(ValueError, match="3 incident"):
        weekly_counts(t, by=None, event_types=None)

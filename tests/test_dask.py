"""geoincidents.dask on a dask.distributed LocalCluster (2 worker processes, loopback only): every answer
equals the in-memory path on the same data."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest

import geoincidents as gi

dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
gdask = pytest.importorskip("geoincidents.dask")

N_FILES = 4


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _table(seed: int, n: int = 400) -> pd.DataFrame:
    """Incidents with names as reports write them, points, countries and a few bad rows."""
    rng = np.random.default_rng(seed)
    names = np.array(
        [
            "Ain al-Asad",
            "Ayn al Asad airbase",
            "al-Tanf",
            "At Tanf",
            "Al-Shadadi",
            "Hawler",
            "Irbil",
            "the Conoco gas field",
            "Tower 22",
            "Rmelan",
            "Kabul",
            "Harir",
        ]
    )
    dates = pd.Timestamp("2023-10-17") + pd.to_timedelta(rng.integers(0, 110, n), unit="D")
    frame = pd.DataFrame(
        {
            "incident_id": [f"f{seed}-{i}" for i in range(n)],
            "date": dates.strftime("%Y-%m-%d"),
            "location": rng.choice(names, n),
            "lat": np.round(rng.uniform(32.0, 36.8, n), 4),
            "lon": np.round(rng.uniform(38.0, 44.5, n), 4),
            "event_type": rng.choice(["attack", "attack", "interception", "strike"], n),
            "weapon": rng.choice(["one-way drone", "rocket", "drone"], n),
            "killed": rng.choice(["", "0", "1"], n),
        }
    )
    frame.loc[frame.index[:: n // 4], "lat"] = np.nan  # name only
    frame.loc[frame.index[:: n // 4], "lon"] = np.nan
    if seed == 1:  # bad rows: a bad date, a missing place
        frame.loc[3, "date"] = "31/31/2023"
        frame.loc[5, "location"] = ""
    return frame


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dataset")
    parquet = folder / "parquet"
    parquet.mkdir()
    csv = folder / "csv"
    csv.mkdir()
    for i in range(N_FILES):
        table = _table(i)
        table.to_parquet(parquet / f"part-{i}.parquet", index=False)
        table.to_csv(csv / f"part-{i}.csv", index=False)
    return {"parquet": parquet, "csv": csv}


def _in_memory(files) -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents, problems = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gi.IncidentWarning)
        for path in files:
            result = gi.read_incidents(path, errors="report")
            incidents.append(result.incidents)
            problems.append(result.problems)
    return pd.concat(incidents, ignore_index=True), pd.concat(problems, ignore_index=True)


@pytest.mark.parametrize("layout", ["parquet", "csv"])
def test_read_gives_the_in_memory_rows_and_problems(client, dataset, layout):
    source = dataset[layout] if layout == "parquet" else str(dataset[layout] / "*.csv")
    result = gdask.read_incidents(source)
    assert result.incidents.npartitions == N_FILES
    incidents = result.incidents.compute().reset_index(drop=True)
    problems = result.problems.compute().reset_index(drop=True)
    expected, expected_problems = _in_memory(result.files)
    pd.testing.assert_frame_equal(incidents, expected)
    pd.testing.assert_frame_equal(problems, expected_problems)
    assert (
        sorted(problems["row"].tolist()) == [5, 7] and problems["file"].str.endswith(f"part-1.{layout}").all()
    )
    rejected = result.rejected.compute()
    assert len(incidents) + len(rejected) == N_FILES * 400  # every row accounted for


def test_geocode_join_and_weekly_equal_the_in_memory_path(client, dataset):
    result = gdask.read_incidents(dataset["parquet"])
    frame, _ = _in_memory(result.files)
    lazy = result.incidents

    coded = gdask.geocode_all(lazy["location"]).compute()
    pd.testing.assert_frame_equal(coded.reset_index(drop=True), gi.geocode_all(frame["location"]))
    hinted = gdask.geocode_all(lazy["location"], lazy["country"]).compute()
    pd.testing.assert_frame_equal(
        hinted.reset_index(drop=True), gi.geocode_all(frame["location"], frame["country"])
    )

    joined_lazy = gdask.join_sites(lazy)
    joined = joined_lazy.compute().reset_index(drop=True)
    expected = gi.join_sites(frame)
    expected.attrs = {}
    pd.testing.assert_frame_equal(
        pd.DataFrame(joined.drop(columns="geometry")), pd.DataFrame(expected.drop(columns="geometry"))
    )
    assert joined.geometry.to_wkt().fillna("").tolist() == expected.geometry.to_wkt().fillna("").tolist()

    for by in ("country", "site", "weapon", None, ["country", "event_type"]):
        got = gdask.weekly_counts(joined_lazy, by=by)
        pd.testing.assert_frame_equal(got, gi.weekly_counts(expected, by=by))
    got = gdask.weekly_counts(joined_lazy, by="country", event_types=None, fill=False)
    pd.testing.assert_frame_equal(got, gi.weekly_counts(expected, by="country", event_types=None, fill=False))


def test_the_gazetteer_is_one_key_of_the_graph(dataset):
    lazy = gdask.read_incidents(dataset["parquet"]).incidents
    graph = dict(gdask.join_sites(lazy).__dask_graph__())
    gazetteers = [
        k
        for k, v in graph.items()
        if type(v).__name__ == "Gazetteer" or type(getattr(v, "value", None)).__name__ == "Gazetteer"
    ]
    assert len(gazetteers) == 1


def test_nothing_to_read_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no .parquet or .csv files"):
        gdask.read_incidents(tmp_path)
    with pytest.raises(FileNotFoundError, match="no files match"):
        gdask.read_incidents(str(tmp_path / "*.csv"))

"""The same pipeline on Dask, for data that outgrows one machine: read -> geocode -> join -> weekly counts.

Install with ``pip install geoincidents[dask]`` (``dask[dataframe,distributed]`` and ``dask-geopandas``).
Every function here hands each partition to the in-memory function of the same name, so the answers are the
in-memory answers:

* :func:`read_incidents` reads a partitioned Parquet dataset (a folder of ``.parquet`` files) or a CSV glob;
  each file is one partition, validated by :func:`geoincidents.read_incidents` with the same row-level
  problems (file and row named). It returns a :class:`DaskReadResult` of lazy frames.
* :func:`geocode_all` and :func:`join_sites` run per partition with ``map_partitions``; the gazetteer goes
  into the task graph once (one key, shipped once to each worker), not once per partition.
* :func:`weekly_counts` counts each partition, sums the partial counts with a Dask groupby, then fills the
  empty weeks: the result equals :func:`geoincidents.weekly_counts` on the concatenated table.

What changes on a real cluster is only where the scheduler is (``distributed.Client("tcp://scheduler:8786")``)
and where the files are (``s3://...`` paths read through fsspec): see ``docs/dask.md``.

Examples
--------
>>> import pandas as pd, dask.dataframe as dd, geoincidents
>>> frame = geoincidents.example_incidents()
>>> lazy = dd.from_pandas(frame, npartitions=3)
>>> counts = weekly_counts(lazy, by="country")
>>> counts.equals(geoincidents.weekly_counts(frame, by="country"))
True
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .schema import ATTACK_EVENT_TYPES

try:
    import dask
    import dask.dataframe as dd
    from dask.dataframe.utils import make_meta
except ImportError as exc:  # pragma: no cover - the extra is missing
    raise ImportError(
        "geoincidents.dask needs Dask: install geoincidents[dask] "
        "(dask[dataframe,distributed], dask-geopandas)"
    ) from exc

__all__ = ["DaskReadResult", "read_incidents", "geocode_all", "join_sites", "weekly_counts"]

_FILE_PATTERNS = {".parquet": "*.parquet", ".csv": "*.csv"}


@dataclass
class DaskReadResult:
    """What :func:`read_incidents` returns: lazy frames with one partition per input file.

    Attributes
    ----------
    incidents : dask.dataframe.DataFrame
        The valid rows, in the incident schema.
    rejected : dask.dataframe.DataFrame
        The rejected rows (``file``, ``row``, ``column``, ``value``, ``reason``; raw input values are not kept
        here, since files may differ in their columns).
    problems : dask.dataframe.DataFrame
        One row per problem: ``file``, ``row``, ``column``, ``value``, ``reason``.
    files : list of str
        The files read, in partition order.
    """

    incidents: Any
    rejected: Any
    problems: Any
    files: list[str]


def read_incidents(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    strict: bool = False,
    file_format: str | None = None,
) -> DaskReadResult:
    """Read many incident files lazily, one partition per file, each validated like the in-memory reader.

    Parameters
    ----------
    source : str, path-like or sequence of them
        A folder (every ``*.parquet`` in it, else every ``*.csv``), a glob (``"exports/*.csv"``) or a list of
        files.
    strict : bool, default False
        As in :func:`geoincidents.read_incidents`.
    file_format : str, optional
        As in :func:`geoincidents.read_incidents`.

    Returns
    -------
    DaskReadResult
        Always in report mode: every input row is in exactly one of ``incidents`` and ``rejected``.

    Raises
    ------
    FileNotFoundError
        When nothing matches ``source``.
    """
    files = _files(source)
    parts = [_read_file(path, strict, file_format) for path in files]
    meta = _read_file_now(files[0], strict, file_format)
    incidents = dd.from_delayed([p[0] for p in parts], meta=meta[0].iloc[:0], verify_meta=False)
    rejected = dd.from_delayed([p[1] for p in parts], meta=meta[1].iloc[:0], verify_meta=False)
    problems = dd.from_delayed([p[2] for p in parts], meta=meta[2].iloc[:0], verify_meta=False)
    return DaskReadResult(incidents, rejected, problems, [str(f) for f in files])


def geocode_all(
    names: Any, country: Any = None, *, gazetteer: Any = None, min_score: float | None = None
) -> Any:
    """:func:`geoincidents.geocode_all` on a Dask Series, partition by partition.

    Parameters
    ----------
    names : dask.dataframe.Series
        Place names.
    country : str or dask.dataframe.Series, optional
        One hint for all, or a Series aligned with ``names`` (same partitions).
    gazetteer : Gazetteer, optional
        Defaults to the bundled one; put into the graph once.
    min_score : float, optional

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :data:`geoincidents.matching.RESULT_COLUMNS`, index aligned with ``names``.
    """
    from .matching import FUZZY_THRESHOLD
    from .matching import geocode_all as geocode_frame

    score = FUZZY_THRESHOLD if min_score is None else min_score
    gaz = _gazetteer(gazetteer)
    meta = geocode_frame(pd.Series([], dtype=object), gazetteer=_gazetteer_now(gazetteer))
    if isinstance(country, dd.Series):
        frame = dd.concat([names.rename("name"), country.rename("country")], axis=1)
        return frame.map_partitions(_geocode_partition, gaz, score, meta=meta)
    return names.map_partitions(_geocode_series, country, gaz, score, meta=meta)


def join_sites(incidents: Any, gazetteer: Any = None, **kwargs: Any) -> Any:
    """:func:`geoincidents.join_sites` on a Dask DataFrame, partition by partition.

    Parameters
    ----------
    incidents : dask.dataframe.DataFrame
        Incidents, e.g. ``read_incidents(...).incidents``.
    gazetteer : Gazetteer, optional
        Defaults to the bundled one; put into the graph once.
    **kwargs
        ``how``, ``max_distance_m``, ``min_score``, as for the in-memory join.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        The joined partitions (points in EPSG:4326).
    """
    import dask_geopandas  # noqa: F401 - registers GeoDataFrame metadata with dask

    from .join import join_sites as join_frame

    meta = join_frame(make_meta(incidents), _gazetteer_now(gazetteer), **kwargs)
    return incidents.map_partitions(_join_partition, _gazetteer(gazetteer), kwargs, meta=meta)


def weekly_counts(
    joined: Any,
    by: str | Sequence[str] | None = "country",
    *,
    event_types: Sequence[str] | None = ATTACK_EVENT_TYPES,
    fill: bool = True,
) -> pd.DataFrame:
    """:func:`geoincidents.weekly_counts` of a Dask DataFrame, as a Dask aggregation; computed.

    Each partition is counted in memory (no zero-filling), the partial counts are summed with a Dask groupby,
    and the weeks without incidents are filled on the (small) result, so the table equals the in-memory one.

    Parameters
    ----------
    joined : dask.dataframe.DataFrame
    by, event_types, fill
        As for :func:`geoincidents.weekly_counts`.

    Returns
    -------
    pandas.DataFrame
    """
    from .aggregate import combine_weekly_counts
    from .aggregate import weekly_counts as count_frame

    meta = count_frame(make_meta(joined), by=by, event_types=event_types, fill=False)
    partial = joined.map_partitions(count_frame, by=by, event_types=event_types, fill=False, meta=meta)
    keys = [c for c in meta.columns if c not in ("count", "injured", "killed", "week")]
    summed = partial.groupby(keys, dropna=False, sort=False)[["count", "injured", "killed"]].sum().compute()
    return combine_weekly_counts(summed.reset_index(), keys[1:], fill=fill)


# -- helpers -------------------------------------------------------------------------------------------------
def _files(source: Any) -> list[Path]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            for pattern in _FILE_PATTERNS.values():
                found = sorted(path.rglob(pattern))
                if found:
                    return found
            raise FileNotFoundError(f"no .parquet or .csv files in {str(path)!r}")
        if any(ch in str(source) for ch in "*?["):
            found = [Path(p) for p in sorted(glob.glob(str(source), recursive=True))]
            if not found:
                raise FileNotFoundError(f"no files match {str(source)!r}")
            return found
        if not path.exists():
            raise FileNotFoundError(f"no such incident file: {str(path)!r}")
        return [path]
    files = [Path(p) for p in source]
    if not files:
        raise FileNotFoundError("no files given")
    return files


def _read_file_now(path: Path, strict: bool, file_format: str | None) -> tuple[Any, Any, Any]:
    import warnings

    from .incidents import IncidentWarning
    from .incidents import read_incidents as read_frame

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncidentWarning)  # a warning is about one file, on a worker
        result = read_frame(path, errors="report", strict=strict, file_format=file_format)
    problems = result.problems
    rejected = result.rejected[["row", "column", "value", "reason"]].copy()
    rejected.insert(0, "file", result.file)
    return result.incidents, rejected, problems


_read_file = dask.delayed(_read_file_now, nout=3, pure=True)


def _gazetteer_now(gazetteer: Any) -> Any:
    from .gazetteer import default_gazetteer

    return gazetteer if gazetteer is not None else default_gazetteer()


def _gazetteer(gazetteer: Any) -> Any:
    """The gazetteer as one delayed object: one key in the graph, sent once to each worker."""
    return dask.delayed(_gazetteer_now(gazetteer), pure=True)


def _geocode_series(names: pd.Series, country: Any, gaz: Any, min_score: float) -> pd.DataFrame:
    from .matching import geocode_all as geocode_frame

    return geocode_frame(names, country, gazetteer=gaz, min_score=min_score)


def _geocode_partition(frame: pd.DataFrame, gaz: Any, min_score: float) -> pd.DataFrame:
    from .matching import geocode_all as geocode_frame

    return geocode_frame(frame["name"], frame["country"], gazetteer=gaz, min_score=min_score)


def _join_partition(frame: pd.DataFrame, gaz: Any, kwargs: dict[str, Any]) -> Any:
    from .join import join_sites as join_frame

    joined = join_frame(frame, gaz, **kwargs)
    joined.attrs = {}  # per-partition summaries do not add up; compute JoinSummary.of on the result
    return joined

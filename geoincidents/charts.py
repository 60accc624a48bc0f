"""Weekly attack counts as a stacked bar chart, ready for a slide.

matplotlib is imported inside :func:`weekly_chart`, so ``import geoincidents`` stays light. The chart is
drawn on
a :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no global figure state), and saved files
carry no date or version metadata: the same input gives the same SVG bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._files import atomic_path
from .schema import ATTACK_EVENT_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

_SUFFIXES = (".png", ".svg")
_MAX_TICKS = 20
_FALLBACK_COLORS = ("#56B4E9", "#F0E442", "#CC79A7", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#999999")


def weekly_chart(
    joined: pd.DataFrame,
    by: str = "country",
    *,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    event_types: Sequence[str] | None = ATTACK_EVENT_TYPES,
    targets: Sequence[str] | None = None,
) -> Figure:
    """Stacked bars of attacks (``attack`` and ``interception``) per ISO week, one colour per group.

    Parameters
    ----------
    joined : pandas.DataFrame
        Incident table (joined or not); needs ``date`` and ``event_type`` and the ``by`` column.
    by : str, default "country"
        Stack by ``"country"``, ``"weapon"``, ``"site"`` or any column :func:`geoincidents.weekly_counts`
        accepts.
    path : str or os.PathLike, optional
        Save the chart there too; the name must end in ``.png`` or ``.svg``.
    title : str, optional
        Chart title; default "Attacks on US/coalition forces per week, <first week> – <last week>" (it
        names what ``event_types``/``targets`` select).
    event_types, targets : sequence of str or None
        What to count (see :func:`geoincidents.weekly_counts`); by default attacks on US/coalition forces.

    Returns
    -------
    matplotlib.figure.Figure
        The chart (Agg canvas); one bar container per group, one bar per week.

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, a missing column or an unsupported file suffix.

    Examples
    --------
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2023-10-17", "2023-10-25"]),
    ...                    "event_type": ["attack", "attack"], "country": ["IRQ", "SYR"]})
    >>> fig = weekly_chart(df)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['2023-W42', '2023-W43']
    """
    if not isinstance(joined, pd.DataFrame):
        raise TypeError(f"joined must be a DataFrame, not {type(joined).__name__}")
    if not isinstance(by, str) or not by:
        raise TypeError("by must be a column name")
    if path is not None and Path(path).suffix.lower() not in _SUFFIXES:
        raise ValueError(f"path must end in .png or .svg, not {Path(path).suffix or '(no suffix)'}")
    if title is not None and not isinstance(title, str):
        raise TypeError("title must be a string or None")

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from .aggregate import selection_label, weekly_counts

    counts = weekly_counts(joined, by=by, event_types=event_types, targets=targets)
    group_col = _group_column(counts)
    weeks = counts[["week_start", "week"]].drop_duplicates().sort_values("week_start")
    labels = list(weeks["week"])

    fig = Figure(figsize=(11, 5.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    if labels:
        table = counts.pivot_table(
            index="week", columns=group_col, values="count", aggfunc="sum", fill_value=0
        )
        table = table.reindex(index=labels, fill_value=0)
        # Largest group at the bottom, where bars are easiest to compare; ties alphabetically.
        order = sorted(table.columns, key=lambda c: (-int(table[c].to_numpy().sum()), _label(by, c)))
        bottom = [0] * len(labels)
        bars, names = [], []
        for i, group in enumerate(order):
            heights = [int(v) for v in table[group]]
            names.append(_label(by, group))
            bar = ax.bar(
                x,
                heights,
                bottom=bottom,
                width=0.8,
                label=names[-1],
                color=_color(by, group, i),
                edgecolor="white",
                linewidth=0.5,
            )
            bars.append(bar)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        step = max(1, -(-len(labels) // _MAX_TICKS))
        ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
        # Handles and labels given explicitly: matplotlib leaves out of an automatic legend every label that
        # starts with "_", so a group named "_x" would vanish from it.
        ax.legend(
            bars, names, title=_by_title(by), frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
    else:
        ax.text(0.5, 0.5, "No attacks in the table", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
    ax.set_xlabel("ISO week")
    ax.set_ylabel("Attacks per week")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    if title is None:
        what = selection_label(event_types, targets)
        title = f"{what[:1].upper()}{what[1:]} per week"
        if labels:
            title += f", {labels[0]} – {labels[-1]}" if len(labels) > 1 else f", {labels[0]}"
    ax.set_title(title, fontsize=14, loc="left")
    plain_text(fig)
    if path is not None:
        save_figure(fig, Path(path))
    return fig


def _group_column(counts: pd.DataFrame) -> str:
    rest = [c for c in counts.columns if c not in ("week_start", "week", "count", "injured", "killed")]
    if len(rest) != 1:  # pragma: no cover - weekly_counts returns exactly one group column for one `by`
        raise ValueError(f"expected one group column, got {rest}")
    return rest[0]


def _label(by: str, value: object) -> str:
    from . import style

    text = str(value)
    if by == "country":
        return style.country_names().get(text, text)
    if by in style.LABELS:
        return style.LABELS[by].get(text, text)
    return text


def _color(by: str, value: object, index: int) -> str:
    from . import style

    palette = style.country_colors() if by == "country" else style.WEAPON_COLORS if by == "weapon" else {}
    return palette.get(str(value), _FALLBACK_COLORS[index % len(_FALLBACK_COLORS)])


def _by_title(by: str) -> str:
    return {"country": "Country", "weapon": "Weapon", "site": "Site", "event_type": "Event type"}.get(by, by)


def plain_text(fig: Figure) -> Figure:
    """Show every text of ``fig`` as written: no mathtext.

    matplotlib reads text between two ``$`` as TeX math, so a label from the data such as ``US$5 to $6``
    would lose its dollar signs and ``$\\frac$`` would make saving fail. Call this after the figure's texts
    are set (charts and the static map do, before they return or save).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, changed in place.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> text = fig.add_subplot().set_title("US$5 to $6")
    >>> plain_text(fig).axes[0].title.get_parse_math()
    False
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


def save_figure(fig: Figure, path: Path, dpi: int = 150) -> None:
    """Save a figure as PNG or SVG (by suffix), atomically, with no timestamp or software version in the file,
    so the same figure gives the same bytes (charts and the static map use it)."""
    import matplotlib

    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".svg":
            with matplotlib.rc_context({"svg.hashsalt": "geoincidents", "svg.fonttype": "path"}):
                fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
        else:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})

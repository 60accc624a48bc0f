#!/usr/bin/env python3
"""Regenerate the site table of ``docs/gazetteer.md`` from ``gazetteer/sites.csv`` and ``references.csv``.

The table sits between the ``BEGIN``/``END GENERATED SITE TABLE`` markers; everything else on the page is
hand-written. ``tests/test_gazetteer_references.py`` fails when the page is out of date.

Usage::

    python scripts/build_gazetteer_docs.py          # rewrite docs/gazetteer.md
    python scripts/build_gazetteer_docs.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from geoincidents._files import atomic_path  # noqa: E402
from geoincidents.gazetteer import load_gazetteer  # noqa: E402
from geoincidents.references import site_table_markdown  # noqa: E402

PAGE = REPO_ROOT / "docs" / "gazetteer.md"
BEGIN = "<!-- BEGIN GENERATED SITE TABLE: scripts/build_gazetteer_docs.py -->"
END = "<!-- END GENERATED SITE TABLE -->"


def render(page_text: str) -> str:
    """The page with the generated table replaced by one built from the current data.

    Parameters
    ----------
    page_text : str
        The current page; must contain the two markers, in order.

    Returns
    -------
    str
    """
    head, sep, rest = page_text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{PAGE}: markers {BEGIN!r} and {END!r} not found")
    return f"{head}{BEGIN}\n{site_table_markdown(load_gazetteer())}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite or check the page; see the module docstring.

    Parameters
    ----------
    argv : list of str, optional

    Returns
    -------
    int
        0 on success, 1 when ``--check`` finds the page out of date.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the page is up to date")
    args = parser.parse_args(argv)
    text = PAGE.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(f"{PAGE.relative_to(REPO_ROOT)} is out of date: run scripts/build_gazetteer_docs.py")
            return 1
        return 0
    with atomic_path(PAGE) as tmp:
        tmp.write_text(new, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

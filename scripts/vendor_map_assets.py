"""Rebuild ``geoincidents/maps/vendor/``: the folium assets that no PyPI package ships, from npm packages.

folium's Map loads Leaflet.awesome-markers 2.0.2 (``folium.Icon``) and Bootstrap 3's glyphicons (the icons
``Icon`` draws by default) from CDNs. Offline maps inline them; the PyPI XStatic packages do not carry them,
so this script takes them from the npm registry with ``npm pack`` (MIT licences kept beside the files):

- ``drmonty-leaflet-awesome-markers@2.0.2`` (a republished copy of lvoogdt/Leaflet.awesome-markers 2.0.2):
  ``leaflet.awesome-markers.js``, ``leaflet.awesome-markers.css`` and its ``images/``;
- ``bootstrap@3.4.1``: only the glyphicon rules of ``dist/css/bootstrap.css`` (``glyphicons.css``) and the
  WOFF2/WOFF fonts.

Run ``python scripts/vendor_map_assets.py`` (needs ``npm``); the output is deterministic.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geoincidents" / "maps" / "vendor"
MARKERS = "drmonty-leaflet-awesome-markers@2.0.2"
BOOTSTRAP = "bootstrap@3.4.1"


def _pack(spec: str, folder: Path) -> Path:
    done = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=folder, check=True, capture_output=True, text=True
    )
    tgz = folder / done.stdout.strip().splitlines()[-1]
    target = folder / tgz.stem
    with tarfile.open(tgz) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def _glyphicon_rules(css: str) -> str:
    """The @font-face of Glyphicons Halflings and every rule whose selector names a glyphicon."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    for block in re.finditer(r"([^{}]+)\{([^{}]*)\}", css):
        selector, body = block.group(1).strip(), block.group(2).strip()
        if selector.startswith("@font-face") and "Glyphicons Halflings" in body:
            body = (
                "font-family: 'Glyphicons Halflings'; "
                'src: url("fonts/glyphicons-halflings-regular.woff2") format("woff2"), '
                'url("fonts/glyphicons-halflings-regular.woff") format("woff");'
            )
            out.append(f"@font-face {{ {body} }}")
        elif selector.startswith(".glyphicon") and all(
            s.strip().startswith(".glyphicon") for s in selector.split(",")
        ):
            body = " ".join(body.split())
            out.append(f"{' '.join(selector.split())} {{ {body} }}")
    return "/* Glyphicons rules of Bootstrap 3.4.1 (MIT, see LICENSE-bootstrap) */\n" + "\n".join(out) + "\n"


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "images").mkdir(parents=True)
    (OUT / "fonts").mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        markers = _pack(MARKERS, folder)
        shutil.copyfile(markers / "js" / "leaflet.awesome-markers.js", OUT / "leaflet.awesome-markers.js")
        shutil.copyfile(markers / "css" / "leaflet.awesome-markers.css", OUT / "leaflet.awesome-markers.css")
        marker_css = (markers / "css" / "leaflet.awesome-markers.css").read_text(encoding="utf-8")
        for name in sorted(set(re.findall(r"url\('images/([\w@.-]+\.png)'\)", marker_css))):
            shutil.copyfile(markers / "css" / "images" / name, OUT / "images" / name)
        (OUT / "LICENSE-awesome-markers").write_text(
            "Leaflet.awesome-markers 2.0.2, Copyright (C) 2013 L. Voogdt, MIT licence\n"
            "(https://github.com/lvoogdt/Leaflet.awesome-markers), from the npm package " + MARKERS + ".\n",
            encoding="utf-8",
        )
        bootstrap = _pack(BOOTSTRAP, folder)
        css = (bootstrap / "dist" / "css" / "bootstrap.css").read_text(encoding="utf-8")
        (OUT / "glyphicons.css").write_text(_glyphicon_rules(css), encoding="utf-8")
        for ext in ("woff2", "woff"):
            name = f"glyphicons-halflings-regular.{ext}"
            shutil.copyfile(bootstrap / "dist" / "fonts" / name, OUT / "fonts" / name)
        shutil.copyfile(bootstrap / "LICENSE", OUT / "LICENSE-bootstrap")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

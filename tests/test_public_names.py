"""The public surface: every name in ``geoincidents.__all__`` is the documented object, whatever the order of
first use, and the export table, the type-checking imports, ``__all__`` and the reference index agree."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import geoincidents

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "geoincidents"
NAMES = sorted(geoincidents._EXPORTS)


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


# In a fresh interpreter: touch the names in a given order (calling the cheap callables, which imports their
# modules), then check that every name is the object its defining module holds.
_ORDER_SCRIPT = r"""
import importlib, json, sys
import geoincidents as gi
order = json.loads(sys.argv[1]) if len(sys.argv) > 1 else []
calls = {
    "geocode": lambda f: f("Erbil"),
    "geocode_all": lambda f: f(["Erbil"]),
    "nearest_site": lambda f: f(33.8, 42.4),
    "normalize_name": lambda f: f("Ain al-Asad"),
    "to_iso3": lambda f: f("Iraq"),
    "load_gazetteer": lambda f: f(),
    "example_incidents": lambda f: f(),
    "reported_totals": lambda f: f(),
}
for name in ORDER:
    value = getattr(gi, name)
    if name in calls:
        calls[name](value)
bad = []
for name, module in gi._EXPORTS.items():
    expected = getattr(importlib.import_module("geoincidents." + module), name)
    if getattr(gi, name) is not expected:
        bad.append(name)
print(json.dumps(bad))
"""


def _check_order(order: list[str]) -> None:
    code = _ORDER_SCRIPT.replace("ORDER", json.dumps(order))
    assert json.loads(_run(code).strip().splitlines()[-1]) == []


def test_reported_bug_geocode_all_then_geocode():
    code = "import geoincidents as gi; gi.geocode_all(['Erbil']); print(gi.geocode('Erbil').site_id)"
    assert _run(code).strip() == "erbil"


@pytest.mark.parametrize("order", ["sorted", "reversed", "calls-first"])
def test_every_order_of_first_use(order):
    names = {"sorted": NAMES, "reversed": NAMES[::-1]}.get(order)
    if names is None:
        callables = ["geocode_all", "example_incidents", "load_gazetteer", "nearest_site", "geocode"]
        names = callables + [n for n in NAMES if n not in callables]
    _check_order(names)


@pytest.mark.slow
def test_each_name_right_after_every_other():
    # One interpreter per name: import every other module first (as a call of each other name would), then
    # use the name. Batched into one subprocess per name to stay fast.
    for name in NAMES:
        others = [n for n in NAMES if n != name]
        _check_order(others + [name])


def test_no_public_name_is_a_submodule():
    modules = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert not set(NAMES) & modules


def _reference_tables() -> list[dict[str, set[str]]]:
    """The tables of docs/reference/index.md: module -> the names its row lists (identifiers in backticks)."""
    tables: list[dict[str, set[str]]] = []
    current: dict[str, set[str]] | None = None
    for line in (ROOT / "docs" / "reference" / "index.md").read_text().splitlines():
        if line.startswith("| [`geoincidents."):
            if current is None:
                current = {}
                tables.append(current)
            module = line.split("`")[1].removeprefix("geoincidents.")
            cell = line.split("|")[2]
            names = {part for part in cell.split("`")[1::2] if part.isidentifier()}
            current.setdefault(module, set()).update(names)
        elif not line.startswith("|"):
            current = None
    return tables


def test_exports_type_checking_all_and_reference_agree():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                for alias in imp.names:
                    typed[alias.name] = str(imp.module)
    assert typed == geoincidents._EXPORTS
    assert sorted(geoincidents.__all__) == sorted([*NAMES, "__version__"])
    exported, others = _reference_tables()
    by_module: dict[str, set[str]] = {}
    for name, module in geoincidents._EXPORTS.items():
        by_module.setdefault(module, set()).add(name)
    assert exported == by_module  # the first table lists exactly what `gi.<name>` gives
    for module, names in others.items():
        mod = importlib.import_module(f"geoincidents.{module}")
        for name in names:
            assert hasattr(mod, name), f"docs/reference/index.md promises geoincidents.{module}.{name}"
            if name in geoincidents._EXPORTS:  # a namesake (dask.read_incidents) is another object
                exported = getattr(geoincidents, name)
                assert getattr(mod, name) is not exported, f"{name} is exported: list it in the first table"


def test_every_public_module_has_a_reference_page():
    pages = {p.stem for p in (ROOT / "docs" / "reference").glob("*.md")}
    # command-line modules (cli_<command>.py) are documented in the command line guide, not the API reference
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith(("_", "cli_"))}
    packages = [p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    modules |= {p.name for p in packages if not p.name.startswith("_")}
    assert modules <= pages, modules - pages


def test_no_module_imports_another_modules_underscore_name():
    # Private modules (``maps/_data.py``) may be imported inside their package; their names without a leading
    # underscore are the seam. An underscore name never crosses a module boundary (ruff's SLF001 checks the
    # attribute form, ``module._name``).
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name}")
    assert offenders == []

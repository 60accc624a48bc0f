# The two commands a newcomer runs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= build/demo

.PHONY: demo test test-fast docs docs-serve dist bench bench-dask lint browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/geoincidents demo -o $(OUT)

# Debian's Chromium for the browser tests; installed when missing and we are allowed to.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: /usr/bin/chromium missing; browser tests will be skipped"; fi; \
	fi

# Everything, slow tests included (notebooks, strict docs build, wheel in a fresh venv).
test: $(VENV)/.installed browser
	$(BIN)/python -m pytest

# Skip the slow tests while iterating.
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not slow"

# The documentation site, built strictly (any warning fails) into build/site/.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir build/site

docs-serve: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve

# sdist and wheel into dist/.
dist: $(VENV)/.installed
	$(BIN)/python -m build --no-isolation --outdir dist

lint: $(VENV)/.installed
	$(BIN)/ruff check geoincidents tests benchmarks
	$(BIN)/mypy geoincidents

bench: $(VENV)/.installed browser
	$(BIN)/python benchmarks/run.py

# The distributed path (geoincidents.dask) on a LocalCluster: 20M rows by default (ROWS=4000000 for less).
ROWS ?= 20000000
bench-dask: $(VENV)/.installed
	$(BIN)/python benchmarks/dask_pipeline.py --rows $(ROWS)

clean:
	rm -rf $(VENV) build dist .pytest_cache

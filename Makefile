# The two commands a newcomer runs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= build/demo

.PHONY: demo test test-fast docs docs-serve dist bench bench-dask lint browser npm clean

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

# Leaflet and Leaflet Control Geocoder from the npm registry, for the service's browser test
# (tests/test_service_browser.py), into the git-ignored build/npm; skipped with a warning when npm is missing.
NPM_DIR := build/npm
NPM_PACKAGES := leaflet@1.9.4 leaflet-control-geocoder@4.0.0
npm:
	@if [ -f $(NPM_DIR)/node_modules/leaflet-control-geocoder/package.json ] && [ -f $(NPM_DIR)/node_modules/leaflet/package.json ]; then :; \
	elif command -v npm >/dev/null; then \
	  mkdir -p $(NPM_DIR) && npm install --prefix $(NPM_DIR) --no-audit --no-fund --no-save --silent $(NPM_PACKAGES) \
	    || echo "warning: npm install failed; the Leaflet geocoder test will be skipped"; \
	else echo "warning: npm missing; the Leaflet geocoder test will be skipped"; fi

# Everything, slow tests included (notebooks, strict docs build, wheel in a fresh venv).
test: $(VENV)/.installed browser npm
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

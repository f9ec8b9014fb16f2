# jixiao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test lint bench clean web-assets review

# Python environment: a venv with jixiao and its dev tools (re-made when pyproject changes).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(STAMP) web-assets

# Browser libraries (ECharts, htmx) served locally by the web app (no CDN): fetched from the npm
# registry at package-lock.json's versions and digests by a Python script (no Node.js needed).
VENDOR := src/jixiao/web/static/vendor
$(VENDOR)/.installed: package.json package-lock.json scripts/fetch-web-assets.py
	$(PYTHON) scripts/fetch-web-assets.py

web-assets: $(VENDOR)/.installed

# Debian packages the tests need (PostgreSQL server, CJK fonts, ...); idempotent.
system:
	bash scripts/system-deps.sh

# Needs only Python: no system packages (the charts fall back to the font bundled in the package).
demo: setup
	$(BIN)/jixiao demo

test: setup system
	bash scripts/run-tests.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

# Every example's reports and working papers rendered through LibreOffice, one PNG a page, into
# out/review (needs LibreOffice and poppler: make system).
review: setup
	$(BIN)/python scripts/review.py out/review

bench: setup
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) .pgdata out .pytest_cache

# jixiao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test lint bench clean web-assets review compile

# Python environment: a venv with jixiao and its dev tools (re-made when pyproject changes).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# The auditor's hot modules compiled with mypyc (C extensions beside the .py files; the list is in
# scripts/compile-hot.py): rebuilt whenever one of their sources changes. Without a C compiler the
# .py files are used (one line says so); jixiao/compiled.py never loads a stale extension.
COMPILED := src/jixiao/_compiled.json
HOT_SRC  := src/jixiao/numbers.py $(shell find src/jixiao/audit -name '*.py')
$(COMPILED): $(STAMP) $(HOT_SRC) scripts/compile-hot.py
	$(BIN)/python scripts/compile-hot.py

compile:
	$(BIN)/python scripts/compile-hot.py

setup: $(STAMP) web-assets $(COMPILED)

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
	[ ! -x $(BIN)/python ] || $(BIN)/python scripts/compile-hot.py --clean
	rm -rf $(VENV) .pgdata out .pytest_cache build

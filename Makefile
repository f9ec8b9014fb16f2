# jixiao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test lint bench clean

# Python environment: a venv with jixiao and its dev tools (re-made when pyproject changes).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(STAMP)

# Debian packages the tests need (PostgreSQL server, CJK fonts, ...); idempotent.
system:
	bash scripts/system-deps.sh

demo: setup
	$(BIN)/jixiao demo

test: setup system
	bash scripts/run-tests.sh

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) .pgdata out .pytest_cache

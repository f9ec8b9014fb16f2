# jixiao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NPM    ?= npm

.PHONY: setup system demo test lint bench clean web-assets

# Python environment: a venv with jixiao and its dev tools (re-made when pyproject changes).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(STAMP) web-assets

# Browser libraries (ECharts, htmx) from npm, served locally by the web app (no CDN).
VENDOR := src/jixiao/web/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

web-assets: $(VENDOR)/.installed

# Debian packages the tests need (PostgreSQL server, CJK fonts, ...); idempotent.
system:
	bash scripts/system-deps.sh

# Needs only Python: no system packages (the charts fall back to the font bundled in the package)
# and, where npm is missing, no browser libraries (the web pages then draw no charts).
demo: $(STAMP)
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) -s --no-print-directory web-assets; \
	else echo "未找到 npm：跳过网页版的图表库（ECharts、htmx），网页中不显示图表；安装 Node.js 后运行 make web-assets"; fi
	$(BIN)/jixiao demo

test: setup system
	bash scripts/run-tests.sh

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/audit.py

clean:
	rm -rf $(VENV) .pgdata out .pytest_cache

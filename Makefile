# Two commands: `make run` (site on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT   ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# `make bench` creates (and drops) a scratch database on this server.
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
BENCH_ARGS ?=
# All three passes run in parallel (pytest-xdist): one process per core, each with its own
# database, local Stripe and (pass 3) its own served app; browser tests keep each file on one
# process. `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= auto
XDIST  := -n $(TEST_WORKERS) --dist worksteal
# One maths-library thread per test process: xdist already keeps every core busy, and
# BLAS/OpenMP threads on top of it only fight over the same cores.
MATH_THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
FLASK  := $(BIN)/flask --app wsgi

PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

.PHONY: install run test test-sqlite test-postgres test-e2e lint chromium axe-core pdf-libs seed clean bench

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: pdf-libs $(STAMP)

# WeasyPrint (PDF invoices) needs Pango and local fonts; installed only when missing.
pdf-libs:
	@missing=$$(for p in $(PDF_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing $$missing for PDF invoices (WeasyPrint)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || \
	  { echo "Installing Debian's chromium for the browser tests"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core (the browser pass's accessibility check) from the npm registry, pinned in
# package-lock.json; Debian's nodejs and npm are installed first when npm is missing.
axe-core:
	@test -f node_modules/axe-core/axe.min.js || { \
	  command -v npm >/dev/null 2>&1 || { echo "Installing Debian's nodejs and npm for axe-core"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }; \
	  npm ci --no-audit --no-fund; }

run: install
	$(FLASK) db upgrade
	$(BIN)/python -m marketplace.devserver --port $(PORT) --seed-if-empty

seed: install
	$(FLASK) db upgrade
	$(FLASK) seed

lint: install
	$(BIN)/ruff check .

test: install chromium axe-core lint
	@echo "== pass 1/3: SQLite =="
	$(MATH_THREADS) $(BIN)/pytest $(XDIST) --ignore=tests/e2e
	@echo "== pass 2/3: PostgreSQL ($(PG_URL)) =="
	TEST_DATABASE_URL=$(PG_URL) $(MATH_THREADS) $(BIN)/pytest $(XDIST) --ignore=tests/e2e --ignore=tests/matching/engine
	@echo "== pass 3/3: browser (Chromium) =="
	$(MATH_THREADS) $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile tests/e2e --screenshot only-on-failure --output test-results/playwright

# Load test: gunicorn (2 workers) on PostgreSQL with the demo data, an open-loop mix at
# 200 req/s, throughput against hello-world and a minimal real page. Prints figures.
bench: install
	$(BIN)/python bench/load.py --pg $(BENCH_PG) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) test-results .pytest_cache node_modules

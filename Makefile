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
# Passes 1 and 2 run in parallel (pytest-xdist): one process per core, each with its own
# database and local Stripe. `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= auto
XDIST  := -n $(TEST_WORKERS) --dist worksteal
FLASK  := $(BIN)/flask --app wsgi

PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

.PHONY: install run test test-sqlite test-postgres test-e2e lint chromium pdf-libs seed clean bench

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

run: install
	$(FLASK) db upgrade
	$(BIN)/python -m marketplace.devserver --port $(PORT) --seed-if-empty

seed: install
	$(FLASK) db upgrade
	$(FLASK) seed

lint: install
	$(BIN)/ruff check .

test: install chromium lint
	@echo "== pass 1/3: SQLite =="
	$(BIN)/pytest $(XDIST) --ignore=tests/e2e
	@echo "== pass 2/3: PostgreSQL ($(PG_URL)) =="
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest $(XDIST) --ignore=tests/e2e --ignore=tests/matching/engine
	@echo "== pass 3/3: browser (Chromium) =="
	$(BIN)/pytest tests/e2e --screenshot only-on-failure --output test-results/playwright

# Load test: gunicorn (2 workers) on PostgreSQL with the demo data, an open-loop mix at
# 200 req/s, throughput against hello-world and a minimal real page. Prints figures.
bench: install
	$(BIN)/python bench/load.py --pg $(BENCH_PG) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) test-results .pytest_cache

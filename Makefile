# Hadir — attendance for ASN. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt package.json
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed ## Install pinned dependencies and compile translations
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: setup ## Install, migrate, load the demo organisation, serve on 127.0.0.1:8000 (SQLite)
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo
	$(MANAGE) runserver $(HOST)

test: setup ## Run the whole test suite (DATABASE_URL selects the database)
	scripts/ensure-browser
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests — failing on purpose" >&2; exit 1; fi; exit $$rc

lint: setup ## ruff (lint + format check), import contracts, mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: setup ## Rules benchmark (employee-days/s, in one process; seconds)
	$(PY) bench/rules_bench.py

bench-checkin: setup ## Check-in benchmark over HTTP on PostgreSQL (BENCH_ARGS=--fresh rebuilds data)
	$(PY) bench/checkin_bench.py $(BENCH_ARGS)

bench-recap: setup ## Month evaluation + recap of 100k employees, one-day refresh, unit page (PostgreSQL)
	$(PY) bench/recap_bench.py $(BENCH_ARGS)

bench-import: setup ## A Kabupaten's machine-log upload (2,000 employees, a day and a month; PostgreSQL)
	$(PY) bench/import_bench.py $(BENCH_ARGS)

bench-live: setup ## The live page of a KUA, a Kankemenag and a Kanwil of 100k employees (PostgreSQL)
	$(PY) bench/live_bench.py $(BENCH_ARGS)

.PHONY: help setup run test lint bench bench-checkin bench-recap bench-import bench-live

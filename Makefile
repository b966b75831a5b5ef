# Kinship — `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Each live Q&A stream holds a thread (at most LIVE_MAX_STREAMS = 8 per process), so threads
# stay free for ordinary pages however many people watch a meeting live.
THREADS ?= 16
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help install run dev test lint fmt bench loadtest faults migrate demo browser-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the locked requirements (idempotent)

.secret_key:
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

migrate: install .secret_key ## Apply database migrations
	SECRET_KEY=$$(cat .secret_key) $(BIN)/python manage.py migrate --noinput

demo: migrate ## Load demo data if the database is empty
	SECRET_KEY=$$(cat .secret_key) $(BIN)/python manage.py seed_demo --if-empty

run: demo ## Install, migrate, load demo data; serve on HOST:PORT (default 127.0.0.1:8000) with gunicorn, plus the task worker and reminder scheduler
	SECRET_KEY=$$(cat .secret_key) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@SECRET_KEY=$$(cat .secret_key) $(BIN)/python manage.py demo_accounts --address "http://$(HOST):$(PORT)/"
	@# One shell: the worker and scheduler run in the background and are stopped when gunicorn stops.
	export SECRET_KEY=$$(cat .secret_key) SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	$(BIN)/python manage.py run_worker --no-reload & worker=$$!; \
	$(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	trap 'kill -TERM $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/gunicorn kinship.wsgi:application \
		--bind "$(HOST):$(PORT)" --workers $(WORKERS) --threads $(THREADS) --access-logfile - --graceful-timeout 5

dev: demo ## Autoreloading development server (DEBUG on)
	DEBUG=1 $(BIN)/python manage.py runserver "$(HOST):$(PORT)"

browser-deps: ## Debian's chromium and axe-core for the browser tests
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --silent

test: install browser-deps ## Whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
	$(BIN)/python -m pytest -q

lint: install ## ruff, mypy, the missing-migration check, bandit and pip-audit (needs PyPI)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	SECRET_KEY=lint $(BIN)/mypy kinship
	SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit -q -c pyproject.toml -r kinship -x '*/tests/*,kinship/conftest.py,kinship/core/testing.py,kinship/core/smtp_testing.py,kinship/core/worker_testing.py'
	$(BIN)/pip-audit --progress-spinner off --strict -r requirements.txt

fmt: install ## Apply formatting and safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## Seed scale data if missing and measure throughput against the floor view
	$(BIN)/python bench/run.py

loadtest: install ## 50 members read and post for 60 s (LOADTEST_SECONDS) on loopback; fails on a lost or doubled post or a 5xx
	$(BIN)/python loadtest/run.py

faults: install ## RESTARTS a PostgreSQL under load (a throwaway one unless FAULTS_DATABASE_URL) and kills the task worker; never in `make test`
	$(BIN)/python loadtest/faults.py

# RuptureLog: `make run` serves the demo practice, `make test` runs the whole suite.
# Both build the virtualenv from the locked dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run` is a local demo: DEBUG on, so no SECRET_KEY is needed and emails print here.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: run test lint bench demo-code

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --if-empty
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The current two-step code of a demo login, for trying the demo without an authenticator app.
DEMO_EMAIL ?= priya.raman@demo.rupturelog.test
demo-code: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py demo_code $(DEMO_EMAIL)

test: $(STAMP)
	$(BIN)/python -m pytest

# mypy's Django plugin imports the settings, which refuse to load without a SECRET_KEY
# unless DEBUG is on; the checked packages and settings are in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy

# Review benchmark (bench/review_bench.py): needs PostgreSQL; uses BENCH_DATABASE_URL, else a
# rupturelog_bench database on DATABASE_URL's server or on the local one. About 10 minutes.
bench: $(STAMP)
	$(BIN)/python bench/review_bench.py

# Load and fault test (loadtest/run.py): gunicorn + PostgreSQL on loopback, about 3½ minutes.
# It restarts the local PostgreSQL cluster part-way. wrk is Debian's package, installed when
# missing (as CI installs chromium).
.PHONY: loadtest
loadtest: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python loadtest/run.py

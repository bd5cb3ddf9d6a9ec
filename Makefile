# KispFam — the targets a newcomer needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
UV_VERSION := 0.13.8
BIN := $(VENV)/bin
UV := $(BIN)/uv
DEV_ENV := DEBUG=true
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run test install checkers messages migrate demo lint format check ci bench clean

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(BIN)/python
	@touch $@

install: $(VENV)/.installed  ## create .venv and install the locked dependencies

# The outside validators the tests run (ical.js, the Nu HTML Checker) come from npm; the
# tests that need them skip with a reason where npm or Java is missing (and fail in CI).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the ical.js and HTML checker tests will be skipped"; fi

checkers: node_modules/.installed  ## install the outside validators (npm: ical.js, vnu-jar)

messages: install  ## compile the translations
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

migrate: install  ## apply migrations to the (SQLite) database
	$(DEV_ENV) $(BIN)/python manage.py migrate -v0

demo: migrate  ## load the fictional demo data
	$(DEV_ENV) $(BIN)/python manage.py load_demo

run: messages demo  ## serve the demo at http://127.0.0.1:8000 (SQLite)
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: messages checkers  ## run the whole test suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest -n auto

lint: install  ## ruff lint and format check, the layer contract (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install  ## format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install  ## migrations up to date, deployment checks with production settings
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-check-$$(date +%s)-a-long-random-looking-value-for-the-deploy-check \
		ALLOWED_HOSTS=kispfam.example $(BIN)/python manage.py check --deploy --fail-level WARNING

ci:  ## what CI runs (.ci/run)
	bash .ci/run

bench: install  ## generate Kreis- and Land-sized data in PostgreSQL and measure (needs DATABASE_URL)
	$(BIN)/python bench/run.py

clean:  ## remove the virtual environment and the local database
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles

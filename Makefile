# Acuflow: `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate clean screenshots backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## run: create .venv, install, migrate, load demo data, serve http://127.0.0.1:8000 on SQLite
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_translations -v 0
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole suite; uses DATABASE_URL when set, SQLite otherwise. On PostgreSQL the read
## replica is the primary itself, mirrored in tests, so the routing is tested on real connections.
test: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_translations -v 0
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-test-only-not-a-secret} \
	  EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.locmem.EmailBackend} \
	  DATABASE_REPLICA_URL=$${DATABASE_REPLICA_URL:-$${DATABASE_URL:-}} \
	  $(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, and import-linter's one-way rule between apps (pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

## screenshots: make the README's screenshots (docs/screenshots/*.png) with Debian's Chromium
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

## backup: back up the database DATABASE_URL names to BACKUP (make backup BACKUP=/backups/acuflow-2026-01-31.dump)
backup: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make backup BACKUP=FILE" >&2; exit 2; }
	$(BIN)/python manage.py backup "$(BACKUP)"

## restore: replace the tables of the database DATABASE_URL names with the backup in BACKUP (asks first)
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=FILE [NOINPUT=1]" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)" $(if $(NOINPUT),--noinput)

clean:
	rm -rf $(VENV) staticfiles screenshots .pytest_cache

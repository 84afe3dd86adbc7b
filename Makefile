# The two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
# Development server settings for `make run`; production reads its own environment (README).
RUN_ENV := DEBUG=1 PLAIN_STATIC_STORAGE=1

# The first Python 3.12+ found: python3 itself, python3.13/python3.12 on the path, or pyenv's.
FIND_PYTHON = for candidate in python3 python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    echo $$candidate; break; fi; done

.PHONY: run test test-browser bench mutation install assets migrate demo check-deploy serve smoke collectstatic clean

$(VENV)/.created:
	@python=$$($(FIND_PYTHON)); \
	if [ -z "$$python" ]; then echo "Python 3.12 or newer is needed: install it (or pyenv install 3.12) and run make again." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	$$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,browser]'
	@touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/govuk/app.css: node_modules/.installed assets/app.scss assets/_govuk-urls.scss assets/app.js assets/build.mjs
	npm run --silent build

assets: static/govuk/app.css

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --verbosity 1

demo: migrate
	$(RUN_ENV) $(PY) manage.py loaddemo

run: install assets demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install assets
	$(VENV)/bin/ruff check cabinet decisions tests bench
	$(PY) -m pytest

test-browser: install assets
	$(PY) -m pytest -m browser

# Pages of a generated register on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench), then bench/bench_*.py.
bench: install
	$(PY) bench/run.py

# Production settings on this machine: DEBUG off, the manifest static files served by WhiteNoise, gunicorn with
# 2 x cores + 1 workers, on db.sqlite3 or DATABASE_URL. LOCAL_PLAIN_HTTP lets it answer on plain HTTP at
# 127.0.0.1 only (settings.py refuses it for any other host). SECRET_KEY is generated unless set.
SERVE_PORT ?= 8000
SERVE_WORKERS ?= $$(( 2 * $$(nproc) + 1 ))
SERVE_ENV = DEBUG=0 LOCAL_PLAIN_HTTP=1 ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=http://127.0.0.1:$(SERVE_PORT) \
	SECRET_KEY=$${SECRET_KEY:-$$(head -c 48 /dev/urandom | base64)}

collectstatic: install assets
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 1

serve: collectstatic
	$(SERVE_ENV) $(PY) manage.py migrate --verbosity 1
	$(SERVE_ENV) exec $(VENV)/bin/gunicorn cabinet.wsgi:application --bind 127.0.0.1:$(SERVE_PORT) \
	  --workers $(SERVE_WORKERS) --access-logfile -

# Two production servers on one database, every page and static file from both (.ci/smoke.py).
smoke: install assets
	$(PY) .ci/smoke.py

# Mutation testing (docs/testing.md): slow, so not part of `make test`. `make mutation MODULES=cabinet/references.py`
# runs one module; `MODULES="decisions/views.py:_group,dashboard"` only those functions; no MODULES: every listed one.
mutation: install
	$(PY) tests/mutation.py $(MODULES)

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=tracker.example.govt.nz EMAIL_HOST=smtp.example.govt.nz \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/govuk staticfiles db.sqlite3

# Second Look: `make run` serves the app with demo content; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite talks to the real services; a local Redis database of its own by default.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run serve test setup demo worker check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed
	mkdir -p var/media var/private
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) collectstatic --no-input -v 0

demo: setup
	$(MANAGE) load_demo_content

run: demo
	@echo "Serving Second Look at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

# Production-like: gunicorn plus a Celery worker on Redis and PostgreSQL.
# Needs DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS in the environment (see README).
serve: demo
	@test -n "$$DATABASE_URL" || (echo "make serve needs DATABASE_URL (PostgreSQL)"; exit 1)
	@test -n "$$REDIS_URL" || (echo "make serve needs REDIS_URL"; exit 1)
	$(VENV)/bin/celery -A config worker -B -Q default,media --concurrency 2 --loglevel INFO & \
	  WORKER=$$!; trap "kill $$WORKER" EXIT INT TERM; \
	  $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config worker -Q default,media --loglevel INFO

test: $(VENV)/.installed-dev
	bash scripts/ensure_services.sh
	mkdir -p var/media var/private
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(PY) -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed-dev
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

clean:
	rm -rf $(VENV) var staticfiles

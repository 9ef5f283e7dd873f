# Qualiti: `make run` starts the whole app on its embedded default; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test lint format install install-dev migrate seed clean chromium-check

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The CI client (clients/python) is installed editable: the suite runs its tests too.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt clients/python/pyproject.toml $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet -e ./clients/python
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

# Reports are printed to PDF by Debian's Chromium (and the tests picture PDF pages with
# poppler's pdftoppm). Installed with apt-get when this runs as root or with passwordless
# sudo; otherwise the app still runs, says so here, and a report fails saying so.
CHROMIUM ?= $(or $(QUALITI_CHROMIUM_PATH),/usr/bin/chromium)
APT_GET = $(if $(filter 0,$(shell id -u)),apt-get,$(if $(shell sudo -n true 2>/dev/null && echo yes),sudo -n apt-get,))
chromium-check:
	@if ! test -x "$(CHROMIUM)" || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ -n "$(APT_GET)" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium and poppler-utils (reports' PDF engine)…"; \
	    $(APT_GET) update -qq >/dev/null 2>&1; \
	    DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium poppler-utils >/dev/null \
	      || echo "Note: could not install chromium; reports cannot be printed to PDF."; \
	  fi; \
	fi
	@test -x "$(CHROMIUM)" || echo "Note: Chromium is not installed at $(CHROMIUM): reports cannot be printed to PDF until it is (sudo apt-get install -y chromium, or set QUALITI_CHROMIUM_PATH)."

run: seed chromium-check
	$(PY) manage.py collectstatic --no-input --verbosity 0
	DEBUG=$${DEBUG:-false} $(PY) -m qualiti.launcher  # Django's debug pages only when asked for

# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n0 tests/…" runs a part alone.
test: install-dev chromium-check
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# ruff for style; mypy (with django-stubs and djangorestframework-stubs) for types:
# apps/, qualiti/ and the CI client (clients/python), the engine strictly (pyproject.toml).
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf var/test var/test-media tests/artifacts

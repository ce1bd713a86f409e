# Two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: run test install install-test catalogs migrate demo lint format browser-deps report-deps serve-prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Compile the gettext catalogs (.mo files are build output, never committed).
catalogs: install
	$(FLASK) i18n compile

migrate: install
	$(FLASK) db upgrade

## Create the venv, install, compile catalogs, migrate, load the demo once, serve on :5000.
run: catalogs migrate report-deps
	$(FLASK) demo --if-new
	$(FLASK) run --host 127.0.0.1 --port 5000

## Production-style server (see README: DATABASE_URL, RATELIMIT_STORAGE_URI, TLS proxy).
serve-prod: catalogs migrate
	$(BIN)/gunicorn --config gunicorn.conf.py 'portal:create_app()'

## Debian chromium and axe-core for the browser tests; both optional outside CI.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium could not be installed: browser tests will be skipped"
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent \
	  || echo "axe-core could not be installed: accessibility checks will be skipped"

## Pango and Noto fonts for every shipped script (Latin, Arabic and Urdu, Bengali, Devanagari,
## Myanmar, Khmer, Chinese) for the report PDFs (WeasyPrint embeds them); Debian packages.
NOTO := fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
report-deps:
	@{ fc-list : family 2>/dev/null | grep -q "Noto Sans Bengali" \
	  && fc-list : family | grep -q "Noto Sans CJK SC"; } || { [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null 2>&1 && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NOTO) >/dev/null; } \
	  || echo "Noto fonts could not be installed: report PDFs will show boxes for some scripts"

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Lint, then every test (SQLite by default; DATABASE_URL selects PostgreSQL).
test: install-test catalogs browser-deps report-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis test-artifacts
	find translations -name '*.mo' -delete

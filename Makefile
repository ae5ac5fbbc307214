# Two commands: `make run` and `make test`. Everything installs into .venv from requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The real deployment clients the suite runs (sfcc-ci), pinned by tests/clients/package-lock.json.
CLIENTS := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.sitejobs-installed
DATA_DIR ?= var
export SITEJOBS_DATA_DIR ?= $(DATA_DIR)
# Every file a rule names as a prerequisite is defined here, before the rules: make expands a rule's prerequisites
# as it reads the rule, so a variable defined further down is still empty there (`run` then never installed
# SITE_RUNTIME). Debian's Chromium, which the browser tests drive:
CHROMIUM := /usr/bin/chromium
# The libraries published sites load in the browser (RequireJS, Knockout, Mustache, Marked, jQuery): Debian's
# packages, copied into each published site (src/sitejobs/sites/content/runtime).
SITE_RUNTIME_LIBS := libjs-requirejs libjs-requirejs-text node-knockout libjs-mustache libjs-marked libjs-jquery
SITE_RUNTIME := /usr/share/javascript/marked/marked.umd.min.js

.PHONY: run test check lint typecheck bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src > /dev/null
	touch $(STAMP)

# npm ci only when the lock changed; --prefer-offline takes what ~/.npm already holds. Without npm the suite still
# runs and the sfcc-ci tests fail, saying how to install Node.
$(CLIENTS_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@if command -v npm > /dev/null; then \
		npm ci --prefix $(CLIENTS) --prefer-offline --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the tests in $(CLIENTS) will fail, saying how to install Node.js" >&2; fi

# `sitejobs dev` installs the demo template and archive shipped in src/sitejobs/demo; the fixture site templates
# (../shared) too, when that folder is there.
TEMPLATES ?= ../shared/fixtures/oce-site-template

run: $(STAMP) $(SITE_RUNTIME)
	$(BIN)/sitejobs dev $(if $(wildcard $(TEMPLATES)),--templates $(TEMPLATES))

# The browser tests drive Debian's Chromium (never a downloaded browser); installed when missing.
$(CHROMIUM):
	@command -v apt-get > /dev/null && (apt-get install -y -qq chromium > /dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium > /dev/null)) || \
		echo "could not install Debian's chromium: the browser tests will fail, saying how to install it" >&2

# The site runtime libraries (SITE_RUNTIME_LIBS above); installed when missing.
$(SITE_RUNTIME):
	@command -v apt-get > /dev/null && (apt-get install -y -qq $(SITE_RUNTIME_LIBS) > /dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq $(SITE_RUNTIME_LIBS) > /dev/null)) || \
		echo "could not install $(SITE_RUNTIME_LIBS): published sites will lack their custom components" >&2

# Tests run in TEST_PROCESSES processes (pytest-xdist): most of a test's time is spent waiting on a server, a
# worker or a browser, so three share two cores well. TEST_PROCESSES=0 runs them in this one process.
TEST_PROCESSES ?= 3
test: $(STAMP) $(CLIENTS_STAMP) $(CHROMIUM) $(SITE_RUNTIME)
	$(BIN)/python -m pytest -q -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench

bench: $(STAMP)
	command -v wrk > /dev/null || apt-get install -y wrk || echo "wrk not installed: bench.loadgen is used instead"
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) var .pytest_cache $(CLIENTS)/node_modules

# Two commands: `make run` and `make test`. Everything installs into .venv from requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= var
export SITEJOBS_DATA_DIR ?= $(DATA_DIR)

.PHONY: run test check lint typecheck bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src > /dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sitejobs dev

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	command -v wrk > /dev/null || apt-get install -y wrk || echo "wrk not installed: bench.loadgen is used instead"
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) var .pytest_cache

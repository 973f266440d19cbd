# The two commands a newcomer runs (README): `make demo` and `make test`.
# Both create .venv and install the project from pyproject.toml on first use; they need only
# Python 3.11+ with pip (and `make`).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint typecheck check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sbr-inbox demo

test: $(STAMP)
	$(BIN)/pytest -n auto

# The pure tier: no database, server or subprocess (marked by tests/conftest.py), in seconds.
# The folders that hold only service tests are not even imported.
test-fast: $(STAMP)
	$(BIN)/pytest -m pure -q -p no:schemathesis -p no:faker --ignore=tests/cli --ignore=tests/pipeline --ignore=tests/faults \
		--ignore=tests/web --ignore=tests/api

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/cli_parse.py
	$(BIN)/python bench/crm.py
	$(BIN)/python bench/match.py
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info

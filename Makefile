# Every target works on a fresh machine that has only python3: the virtual
# environment is created on first use and refreshed when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.erlen-installed

.PHONY: test lint typecheck pytest run bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench
	$(BIN)/ruff format --check src tests examples bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/python examples/hello/app.py

bench:
	$(MAKE) -C bench run

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .coverage

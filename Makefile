# Everything a fresh machine with Python 3.11+ needs: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TYPECHECK := build/typecheck

.PHONY: demo test lint typecheck bench bench-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m ledger.demo

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src projections tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src projections tests $(wildcard benchmarks)

# mypy cannot follow setuptools' package-dir mapping of projections/ to
# ledger.projections, so it checks a tree of links laid out as the installed package.
typecheck: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/ledger
	ln -s $(CURDIR)/src/ledger/* $(TYPECHECK)/ledger/
	ln -s $(CURDIR)/projections $(TYPECHECK)/ledger/projections
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds

bench-smoke: $(STAMP)
	LEDGER_BENCH_LINES=20000 $(BIN)/python -m pytest benchmarks --benchmark-disable -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks

# Everything a fresh machine with Python 3.11+ needs: `make install`, `make demo`, `make test`.
PYTHON ?= python3
PREFIX ?= $(HOME)/.local
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TYPECHECK := build/typecheck

.PHONY: install uninstall demo test lint typecheck layers tree bench bench-scaling bench-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `ledger` on the PATH: a link in $(PREFIX)/bin (default ~/.local/bin) to the script in
# .venv, which runs with .venv's Python whatever environment is active.
install: $(STAMP)
	mkdir -p $(PREFIX)/bin
	ln -sf $(CURDIR)/$(BIN)/ledger $(PREFIX)/bin/ledger
	@echo "installed: $(PREFIX)/bin/ledger -> $(CURDIR)/$(BIN)/ledger"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) echo "run: ledger --help";; \
	  *) echo "$(PREFIX)/bin is not on your PATH: add it (export PATH=\"$(PREFIX)/bin:\$$PATH\"), or run: source $(BIN)/activate";; esac

uninstall:
	rm -f $(PREFIX)/bin/ledger

demo: $(STAMP)
	$(BIN)/python -m ledger.cli.demo

test: $(STAMP) lint typecheck layers
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src projections tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src projections tests $(wildcard benchmarks)

# mypy and import-linter cannot follow setuptools' package-dir mapping of projections/
# to ledger.projections, so they check a tree of links laid out as the installed package.
tree: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/ledger
	ln -s $(CURDIR)/src/ledger/* $(TYPECHECK)/ledger/
	ln -s $(CURDIR)/projections $(TYPECHECK)/ledger/projections

typecheck: tree
	$(BIN)/mypy

# The layers (facts -> store -> views -> api -> sources / insights / outputs -> cli),
# as contracts in pyproject.toml.
layers: tree
	cd $(TYPECHECK) && PYTHONPATH=. $(CURDIR)/$(BIN)/lint-imports --config $(CURDIR)/pyproject.toml

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds

# The scaling table alone, at LEDGER_BENCH_SCALES touchpoints (default 500000,1000000,2000000;
# e.g. LEDGER_BENCH_SCALES=5000000,10000000 make bench-scaling); merged into results.json.
bench-scaling: $(STAMP)
	$(BIN)/python -m pytest benchmarks/test_scaling.py --benchmark-only --benchmark-columns=min,median,mean,rounds

bench-smoke: $(STAMP)
	LEDGER_BENCH_LINES=20000 $(BIN)/python -m pytest benchmarks --benchmark-disable -q

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks

# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv themselves.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# durable-rules compiles a C extension; -O2 makes it ~15% faster (see ../shared/notes).
export CPPFLAGS := -O2

# durable-rules imports on CPython 3.11 and 3.12 only: pick the first interpreter that fits.
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

.PHONY: demo test lint bench docs clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: screener needs CPython 3.11 or 3.12 (durable-rules does not import on 3.13); none found on PATH" >&2; exit 2; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/screener screen cases/examples/transactions.csv --no-ledger

test: $(VENV)/.installed
	$(BIN)/ruff check screener tests bench
	$(BIN)/python -m pytest

docs: $(VENV)/.installed
	$(BIN)/screener rules doc --output docs/rules.md

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

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
	$(BIN)/python -m pip install --quiet -e '.[dev,web,dask]'
	@touch $@

# The browser tests drive Debian's Chromium (no browser download); install it when missing.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo)
$(CHROMIUM):
	@command -v apt-get >/dev/null 2>&1 || { echo "error: the browser tests need Chromium at $(CHROMIUM); install your system's chromium package (or set CHROMIUM=...)" >&2; exit 2; }
	$(SUDO) apt-get install -y -q chromium >/dev/null || { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q chromium >/dev/null; }

demo: $(VENV)/.installed
	$(BIN)/screener screen cases/examples/transactions.csv --no-ledger
	@echo
	@echo "Web app for officers: $(BIN)/screener serve   (then open http://127.0.0.1:8000/)"

test: $(VENV)/.installed $(CHROMIUM)
	$(BIN)/ruff check screener tests bench
	SCREENER_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

docs: $(VENV)/.installed
	$(BIN)/screener rules doc --output docs/rules.md

bench: $(VENV)/.installed
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

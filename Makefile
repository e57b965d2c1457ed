# credtrace: every set-up step lives here, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := tools/node_modules/.bin
export CREDTRACE_TOOLS := $(CURDIR)/$(BIN)

.PHONY: demo test lint typecheck pytest bench contracts tools postgres chromium clean

demo: $(VENV)/.installed
	$(VENV)/bin/credtrace demo

test: $(VENV)/.installed tools postgres chromium lint typecheck pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Two workers, a test file each at a time (module fixtures build their worlds once): 9 minutes, not 21.
pytest: $(VENV)/.installed tools postgres chromium
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=15

# Every benchmark runs even if an earlier one misses its target; the exit status says if any did.
bench: $(VENV)/.installed $(VENV)/.bench-installed tools postgres
	@failed=""; for b in scripts/bench/*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "targets missed in:$$failed"; exit 1; fi

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

contracts: $(VENV)/.installed tools
	$(PY) scripts/compile_contracts.py

# The Python environment: created if missing, reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Pinned Solidity compiler (npm solc) and Foundry's anvil and cast, exactly as the lockfile says.
tools: tools/node_modules/.installed
tools/node_modules/.installed: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The tests start throwaway PostgreSQL servers from the machine's binaries (Debian's package).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

# The portal's browser tests drive Debian's chromium through Playwright (executable_path): never a
# browser download, so `playwright install` is never run. A CJK font, so its screenshots show the
# Chinese pages as text rather than boxes.
chromium:
	@(test -x /usr/bin/chromium && dpkg -s fonts-wqy-zenhei >/dev/null 2>&1) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)

clean:
	rm -rf $(VENV) tools/node_modules .mypy_cache .ruff_cache .pytest_cache

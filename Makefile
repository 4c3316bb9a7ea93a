# Every target creates or reuses the repo's own virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: lock compile-translations run test test-sqlite test-postgres test-tools lint translations translations-check serve bench audit clean sysdeps-run sysdeps-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly what the lock files say (versions and hashes), then the app itself without
# resolving anything; re-runs when a lock changes. `make lock` regenerates the locks.
RUN_LOCK := requirements/run.lock
DEV_LOCK := requirements/dev.lock
$(VENV)/.installed: $(RUN_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(RUN_LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(DEV_LOCK)
	touch $@

# Resolve pyproject.toml again and rewrite both locks, keeping the locked versions that still
# fit (uv prefers them); the dev lock is constrained by the run lock, so a package has one
# version in both. Upgrade one package: make lock ARGS='--upgrade-package babel'; all: ARGS=--upgrade.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml requirements/build.in --generate-hashes --python-version 3.11 --quiet
lock: $(VENV)/.installed-dev
	$(UV_COMPILE) $(ARGS) -o $(RUN_LOCK)
	$(UV_COMPILE) $(ARGS) --extra dev -c $(RUN_LOCK) -o $(DEV_LOCK)

# Test tools that are not Python: the Nu HTML Checker (vnu.jar, tests/test_html_validity.py),
# exactly as tests/tools/package-lock.json pins it (version and integrity hash). Reused while
# the lock is unchanged. --ignore-scripts: its postinstall would download a Java runtime;
# the tests use Debian's (scripts/sysdeps.sh test).
TOOLS := tests/tools
$(TOOLS)/node_modules/.installed: $(TOOLS)/package-lock.json $(TOOLS)/package.json
	cd $(TOOLS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Ralph, the xAPI Learning Record Store tests/xapi/test_ralph.py starts on 127.0.0.1, in a virtual
# environment of its own (its pins conflict with the app's) inside .venv, exactly as its lock says.
RALPH_VENV := $(VENV)/ralph
$(RALPH_VENV)/.installed: $(TOOLS)/ralph/requirements.lock | $(BIN)/python
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(TOOLS)/ralph/requirements.lock
	touch $@

test-tools: $(TOOLS)/node_modules/.installed $(RALPH_VENV)/.installed

sysdeps-run:
	@scripts/sysdeps.sh run

sysdeps-test:
	@scripts/sysdeps.sh test

# Compiled .mo files are build output (git ignores them); every run/test target builds them.
compile-translations: $(VENV)/.installed
	@$(BIN)/python -m academy.core.catalogues compile

# PORT reaches every step: without ACADEMY_BASE_URL, the links in the demo's certificates
# and e-mails point at http://127.0.0.1:$(PORT) (academy/config.py).
DEV_ENV = ACADEMY_ENV=development PORT=$(PORT) FLASK_RUN_PORT=$(PORT)
run: sysdeps-run $(VENV)/.installed compile-translations
	$(DEV_ENV) $(BIN)/flask db upgrade
	$(DEV_ENV) $(BIN)/flask academy seed-demo
	$(DEV_ENV) $(BIN)/flask academy run-all --host 127.0.0.1 --port $(PORT)

# Production: migrations, then gunicorn (workers from the CPU count; see gunicorn.conf.py) and
# a queue consumer beside it (scripts/serve.sh; ACADEMY_QUEUE_CONSUMER=0 when consumers run elsewhere).
serve: sysdeps-run $(VENV)/.installed compile-translations
	scripts/serve.sh

test: sysdeps-test $(VENV)/.installed-dev compile-translations test-tools lint audit
	@echo "== test suite on SQLite"
	$(BIN)/pytest
	@echo "== test suite on PostgreSQL"
	@scripts/with-postgres.sh $(BIN)/pytest

test-sqlite: $(VENV)/.installed-dev compile-translations test-tools
	$(BIN)/pytest $(ARGS)

test-postgres: $(VENV)/.installed-dev compile-translations test-tools
	scripts/with-postgres.sh $(BIN)/pytest $(ARGS)

# ruff, then the house rule ruff cannot see: no private name (_x) of a third-party package.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check academy tests bench gunicorn.conf.py scripts
	$(BIN)/python scripts/check_private_imports.py academy tests bench
	$(BIN)/python scripts/check_view_transactions.py academy

# bandit on the code, pip-audit on the installed dependencies (scripts/audit.py says when
# the vulnerability service cannot be reached instead of reporting a false all-clear).
audit: $(VENV)/.installed-dev
	$(BIN)/python scripts/audit.py

# Extract → update → compile; leaves no diff when nothing changed. `check` lists what is missing.
translations: $(VENV)/.installed
	$(BIN)/python -m academy.core.catalogues update

translations-check: $(VENV)/.installed
	$(BIN)/python -m academy.core.catalogues check

# Benchmarks, on demand and never in `make test`; each prints its numbers and says its
# targets in its docstring. Pages and the soak (a worker killed mid-run) run on SQLite,
# then on a throwaway PostgreSQL; their figures are in README's production section.
bench: sysdeps-run $(VENV)/.installed-dev compile-translations
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/quiz_submit.py
	$(BIN)/python bench/stats.py
	scripts/with-postgres.sh sh -c '$(BIN)/python -m bench.pages $(ARGS) && $(BIN)/python -m bench.soak'

clean:
	rm -rf $(VENV) instance .pytest_cache $(TOOLS)/node_modules

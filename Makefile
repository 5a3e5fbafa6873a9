# Baken: `make run` starts Baken (and its worker) on http://127.0.0.1:8000, `make test` runs every test.
# Both bootstrap .venv from the hash-locked requirements; nothing is installed by hand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
PORT ?= 8000
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run lighthouse test test-fast lint typecheck format bench lock vendor clean messages check-migrations screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime set only: enough for `make run`.
$(VENV)/.base-installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes -r requirements/base.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Runtime plus test and lint tooling.
$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(PIP) install --quiet --require-hashes -r requirements/dev.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Another port: `PORT=8080 make run`. Static files are collected into var/static first.
# The background worker (e-mail, reminders) runs beside the server, started by it after
# the migrations and stopped with it (Ctrl+C stops both); see docs/adr/0005.
run: $(VENV)/.base-installed
	$(BIN)/baken serve --port $(PORT) --with-worker

# Lighthouse at mobile size on the login page, the handbook, the dossier list, a dossier
# and step 1, against demo data in a temporary folder: a report in var/lighthouse/, not a
# test. Needs Node and npm (Lighthouse is installed into var/lighthouse/ once) and Chromium.
lighthouse: $(VENV)/.base-installed
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python scripts/lighthouse.py

# The suite runs in parallel (pytest-xdist), one test database per worker; PYTEST_WORKERS=0
# runs it in one process. A single test runs in-process: `.venv/bin/pytest tests/x.py::test`.
PYTEST_WORKERS ?= auto
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Everything except the browser tests.
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/baken

format: $(VENV)/.dev-installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_dossier.py
	$(BIN)/python bench/bench_audit.py

# Re-resolve the locks on purpose (the only way they change).
lock: $(VENV)/.dev-installed
	cd requirements && ../$(COMPILE) -o base.txt base.in && ../$(COMPILE) -o dev.txt dev.in

# Refresh the vendored NL Design System CSS and htmx from the npm registry, and subset the
# CSS to the classes the templates use. Run it again after adding a utrecht-* class.
vendor:
	bash scripts/vendor.sh

# Apps with their own message catalogue (src/baken/<app>/locale); the rest share src/baken/locale.
OWN_CATALOGUES := accounts screening comensha lessons

messages: $(VENV)/.dev-installed
	cd src/baken && BAKEN_VAR_DIR=$$(mktemp -d) ../../$(BIN)/django-admin makemessages -l nl \
	  --no-location --no-obsolete $(foreach app,$(OWN_CATALOGUES),--ignore "$(app)/*") \
	  --settings=baken.conf.settings
	for app in $(OWN_CATALOGUES); do \
	  (cd src/baken/$$app && BAKEN_VAR_DIR=$$(mktemp -d) ../../../$(BIN)/django-admin makemessages \
	    -l nl --no-location --no-obsolete --settings=baken.conf.settings) || exit 1; \
	done
	cd src/baken && BAKEN_VAR_DIR=$$(mktemp -d) ../../$(BIN)/django-admin compilemessages \
	  --settings=baken.conf.settings

# Refresh docs/screenshots/ from the browser tests (synthetic data only).
screenshots: $(VENV)/.dev-installed
	BAKEN_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e/test_dossier_browser.py \
	  tests/e2e/test_layout_browser.py -k 'five_steps or fits_a_phone' -q

# Fails when a model change has no migration.
check-migrations: $(VENV)/.dev-installed
	BAKEN_VAR_DIR=$$(mktemp -d) $(BIN)/django-admin makemigrations --check --dry-run \
	  --settings=baken.conf.settings

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Hearth: `make run` serves the demo clinic, `make test` runs every test. Both install what they need into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two workers, each with its own test database (test_<name>_gw0, _gw1). Whole files go to one worker, so a module's
# session fixtures (the OpenID provider, the browser) start once there. `make test XDIST=-n0` runs serially.
XDIST ?= -n 2 --dist loadfile
# Instants the tests marked `dated` also run at (see --at in conftest.py): a month end whose UTC date is already the
# next month's, both sides of the spring-forward gap, both 01:30s of the fall-back night, a leap day, local midnight.
DATED_AT := 2027-01-31T23:30[America/New_York] \
	2027-03-14T01:30[America/New_York] 2027-03-14T03:30[America/New_York] \
	2027-11-07T01:30-04:00[America/New_York] 2027-11-07T01:30-05:00[America/New_York] \
	2028-02-29T12:00[America/New_York] 2027-06-07T00:00[America/New_York]

.PHONY: run test test-dated bench bench-throughput lint format install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# axe-core, injected into pages by the accessibility tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

# Local development serves plain HTTP, so cookies cannot be marked Secure here; production keeps the default.
run: export HEARTH_PUBLIC_PORT = $(PORT)
run: export HEARTH_SECURE_COOKIES ?= false
# The audit sealer's key is made in var/ on first use; its checkpoints go beside it (production: other storage).
run: export HEARTH_AUDIT_CHECKPOINT_PATH ?= $(CURDIR)/var/audit-checkpoints
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Hearth is starting on http://localhost:$(PORT) (it lists the demo clinics) — open the demo clinic at http://demo.localhost:$(PORT)/login/"
	@echo "Press Ctrl+C to stop."
	@$(BIN)/python -m hearth.serve --port $(PORT)

test: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=hearth.test_settings > /dev/null \
		|| (echo "Model changes without a migration: run 'manage.py makemigrations'." && exit 1)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-dated

# The date-sensitive sample, once per instant in DATED_AT.
test-dated: install-dev
	$(BIN)/python -m pytest -m dated -q $(XDIST) $(foreach at,$(DATED_AT),--at='$(at)')

bench: install-dev
	$(BIN)/python -m bench

# The real server with 1 and 2 processes under wrk (Debian's package); DATABASE_URL must name PostgreSQL.
bench-throughput: install-dev
	@command -v wrk > /dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.throughput

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/static var/test-artifacts

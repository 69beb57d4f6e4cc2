# The two commands: `make run` (set up and serve the site) and `make test` (set up and test).
# `make serve`: the same site as in production (gunicorn workers + the search worker).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
INSTANCE_DIR ?= instance
PO := app/translations/vi/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)

.PHONY: run serve test test-postgres fuzz-api setup db seed search-index lint format translations-extract translations-update clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/activate requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(MO): $(PO) $(VENV)/.runtime
	$(BIN)/pybabel compile -d app/translations --statistics

setup: $(VENV)/.runtime $(MO) db seed search-index

db: $(VENV)/.runtime
	$(BIN)/flask db upgrade

# Sample data goes in once; delete $(INSTANCE_DIR)/.seeded to load it again (it only adds).
seed: $(INSTANCE_DIR)/.seeded
$(INSTANCE_DIR)/.seeded:
	$(BIN)/flask seed
	mkdir -p $(INSTANCE_DIR) && touch $@

# Seeding indexes as it goes; rebuild only when the index folder is missing.
search-index: $(VENV)/.runtime
	@[ -f $(INSTANCE_DIR)/search_index/CURRENT ] || $(BIN)/flask search rebuild

run: setup
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask run --host $(HOST) --port $(PORT)

# gunicorn with WEB_CONCURRENCY workers (default 2 × cores) and `flask search worker`, stopped
# together on Ctrl-C (deploy/serve). DATABASE_URL, APP_CONFIG, … pass through.
serve: setup
	BIND=$${BIND:-$(HOST):$(PORT)} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} deploy/serve

# On every core (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

test: $(VENV)/.dev $(MO) node_modules/.installed
	$(PYTEST) $(PYTEST_ARGS)

# axe-core and the Nu Html Checker (vnu.jar, run on Debian's Java) for the accessibility tests,
# pinned in package-lock.json. --ignore-scripts: vnu-jar's own script would download a Java.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm not found (apt-get install npm): the accessibility tests will be skipped"; fi

# The same suite on a throw-away PostgreSQL server (Debian's postgresql package; see
# tests/with-postgres): each test on a database of its own.
test-postgres: $(VENV)/.dev $(MO) node_modules/.installed
	tests/with-postgres $(PYTEST) $(PYTEST_ARGS)

# Schemathesis over every operation of the JSON API, against a throw-away live site (.ci/fuzz-api).
fuzz-api: $(VENV)/.dev $(MO)
	BIN=$(BIN) .ci/fuzz-api

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-extract: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_:1,2 --no-location --sort-output -o app/translations/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

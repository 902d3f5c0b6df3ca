# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck pytest bench locales migration chromium postgres-binaries clean

run: $(RUNTIME_STAMP)
	$(BIN)/pendamping run

test: $(DEV_STAMP) chromium postgres-binaries lint typecheck pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy .

pytest: $(DEV_STAMP)
	$(BIN)/pytest -q -n auto

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.updates
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.desk

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

# The browser test drives Debian's Chromium; install it once, quietly.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium (once)"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The tests start their own throwaway PostgreSQL cluster from these binaries.
postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing postgresql server binaries (once)"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# Interface strings: extract from the code and merge into the catalogs; then translate the
# new entries of locales/id/LC_MESSAGES/messages.po (tests/unit/test_i18n.py names any left).
locales: $(DEV_STAMP)
	$(BIN)/pybabel extract -F locales/babel.cfg --add-comments=Translators: \
		--sort-by-file --no-wrap -k N_ -k html -k nhtml:1,2 -k phtml:1c,2 --project=pendamping-umkm \
		--version=$$($(BIN)/python -c 'import bot; print(bot.__version__)') \
		-o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-wrap --ignore-obsolete \
		--no-fuzzy-matching

# While nothing is released, the schema is one initial migration, regenerated from the models.
migration: $(DEV_STAMP)
	rm -f db/migrations/versions/*_initial.py /tmp/pendamping-migration.db
	$(BIN)/alembic -c db/alembic.ini -x url=sqlite+aiosqlite:////tmp/pendamping-migration.db \
		revision --autogenerate -m initial --rev-id 0001
	$(BIN)/ruff format db/migrations/versions
	$(BIN)/ruff check --fix -q db/migrations/versions || true

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

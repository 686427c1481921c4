# The two commands a newcomer needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app policyhub
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench bench-smoke install install-test clean translations translations-compile

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: migrate the database, load the demo into an empty one, serve on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	POLICYHUB_SECURE_COOKIES=0 $(FLASK) run --host $(HOST) --port $(PORT)  # plain HTTP on loopback

## test: the whole test suite (SQLite; set POLICYHUB_TEST_DATABASE_URL for PostgreSQL)
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: every benchmark in bench/ (several minutes); prints one table and writes bench/results.md
bench: install-test
	$(BIN)/python bench/run.py

## bench-smoke: the benchmarks at tiny sizes, to prove they still run (CI); writes nothing
bench-smoke: install-test
	$(BIN)/python bench/run.py --smoke

TRANSLATIONS := policyhub/translations

## translations: extract every marked string into messages.pot and merge it into each language's .po
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg --ignore-dirs ".* __pycache__" -k _l -k lazy_gettext --no-wrap --sort-by-file --project PolicyHub \
		--copyright-holder "PolicyHub contributors" --msgid-bugs-address "" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update --no-wrap -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

## translations-compile: the .mo files the app reads (committed; tests/test_i18n.py checks they are current)
translations-compile: install
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# Targets (each sets up what it needs first):
#   make site       set up .venv and node_modules, then build content/ into site/
#                   (PRODUCTION=1: also require what a public site needs, e.g. a contact)
#   make test       set up, then run the tests (lint included)
#   make check      validate content/ and report every problem; write nothing
#   make serve      preview on 127.0.0.1 with rebuild on change
#   make lint       ruff over the code, mypy --strict over the package
#   make golden     rewrite tests/trees/*/expected/ from the current build (review the diff!)
#   make bench      build benchmarks on generated content (bench/)
#   make setup      only set up .venv and node_modules
#   make clean      remove build output (site/, caches of tests and tools)
#   make distclean  clean, and remove .venv and node_modules too

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: all setup site check test lint golden serve bench clean distclean

all: site

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)

site: setup
	$(PY) -m generator build --content content --out site $(if $(BASE_URL),--base-url "$(BASE_URL)") $(if $(PRODUCTION),--production)

check: setup
	$(PY) -m generator check content

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check generator tests bench
	$(PY) -m mypy

golden: setup
	$(PY) -m pytest -q tests/test_golden.py --update-golden
	git status --short -- tests/trees

serve: setup
	$(PY) -m generator serve --content content --out site

bench: setup
	$(PY) bench/build_bench.py

clean:
	rm -rf site .site.* bench/out .pytest_cache .hypothesis .mypy_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) node_modules

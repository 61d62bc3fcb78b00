# Quizzer: `make run` serves on http://127.0.0.1:5000, `make test` runs every test.
# Installs come from the hashed locks in requirements/ (see README, "Dependencies"); `make lock` refreshes them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CHROMIUM ?= /usr/bin/chromium
UV_VERSION := 0.13.9
LOCK_FLAGS := --quiet --generate-hashes --universal --python-version 3.11

.PHONY: install install-test run test test-latest check lock bench chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# One stamp per lock: the run lock leaves out the test tools (the anki wheel, Playwright, mypy).
$(VENV)/.run-stamp: requirements/run.txt pyproject.toml | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/run.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-stamp: requirements/test.txt pyproject.toml | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/test.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.run-stamp

install: $(VENV)/.run-stamp

install-test: $(VENV)/.test-stamp

run: install
	$(VENV)/bin/quizzer migrate
	$(VENV)/bin/quizzer import --shared
	$(VENV)/bin/quizzer serve

chromium:
	@test -x $(CHROMIUM) || bash .ci/install-chromium

# The deck lint, ruff, mypy and the import contracts (all configured in pyproject.toml), then every test.
check: install-test
	$(VENV)/bin/quizzer lint decks/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: install-test chromium check
	$(VENV)/bin/pytest

# The newest releases pyproject.toml's ranges allow, in their own venv: a release that breaks us shows here.
test-latest: chromium
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]' \
		-r requirements/build.in
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/versions.txt
	.venv-latest/bin/pytest

lock: | $(PY)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) pyproject.toml requirements/build.in -o requirements/run.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) --extra test pyproject.toml requirements/build.in \
		-o requirements/test.txt

bench: install-test
	$(PY) bench/review_bench.py

clean:
	rm -rf $(VENV) .venv-latest instance .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

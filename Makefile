# Quizzer: `make run` serves on http://127.0.0.1:5000, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench chromium clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/quizzer migrate
	$(VENV)/bin/quizzer import --shared decks/
	$(VENV)/bin/quizzer serve

chromium:
	@test -x $(CHROMIUM) || bash .ci/install-chromium

lint: install
	$(VENV)/bin/quizzer lint decks/

test: install chromium lint
	$(VENV)/bin/pytest

bench: install
	$(PY) bench/review_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache

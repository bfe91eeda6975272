# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000
DEMO := articles/demo/pubmed21n1298_case_reports.xml.gz

.PHONY: run serve test install migrate demo lint format bench-ingest bench-search bench-browse bench-facts

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_mesh
	$(BIN)/python manage.py ingest_pubmed $(DEMO)

run: demo
	$(BIN)/python manage.py runserver $(ADDRESS)

# Production: DEBUG off, static files collected for WhiteNoise, gunicorn (docs/deploy.md).
serve: install
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(BIN)/gunicorn --config casebook/gunicorn.conf.py --bind $(ADDRESS) casebook.wsgi

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-ingest: install
	$(BIN)/python benchmarks/ingest.py

bench-search: install
	$(BIN)/python benchmarks/search.py

bench-browse: install
	$(BIN)/python benchmarks/browse.py all --sizes 100000 1000000

bench-facts: install
	$(BIN)/python benchmarks/facts_eval.py

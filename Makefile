# The two set-up commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA_LIBS := .cache/kafka/libs
KAFKA_STAMP := $(KAFKA_LIBS)/.complete
PYTEST_ARGS ?=
# The front ends: npm packages from the lock, then one Vite build, redone only when web/ changed.
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/workspace/index.html
WEB_SOURCES := $(shell find web/src web/workspace web/self-service -type f 2>/dev/null) web/vite.config.ts web/tsconfig.json web/package.json
# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work on these machines.
CHROMIUM := /usr/bin/chromium
# The documents' font (Latin and Arabic), and pdftoppm for the tests that compare documents with reference images.
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
PDFTOPPM := /usr/bin/pdftoppm

.PHONY: help run run-kafka test test-web lint lock bench bench-scale soak venv kafka-jars web schemas docs clean
.DEFAULT_GOAL := help

## List the targets and what each does.
help:
	@awk '/^## /{doc = doc (doc ? " " : "") substr($$0, 4); next} \
	     /^[a-z][a-z-]*:/{name = substr($$1, 1, index($$1, ":") - 1); if (doc) printf "  make %-10s %s\n", name, doc} {doc = ""}' \
	     $(firstword $(MAKEFILE_LIST))

# The versions come from the lock (requirements/dev.lock, written by `make lock`), so every machine gets the same.
$(STAMP): pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

## Create .venv with the project and its development dependencies (the other targets do it when needed).
venv: $(STAMP)

# Apache Kafka broker jars, pinned in infra/devstack/kafka/pom.xml, fetched by Maven into .cache/.
$(KAFKA_STAMP): infra/devstack/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn --batch-mode --quiet -f infra/devstack/kafka/pom.xml -Dmaven.repo.local=$(CURDIR)/.cache/m2 \
	    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

## Fetch the Kafka broker's jars into .cache/ (Maven).
kafka-jars: $(KAFKA_STAMP)

$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

## Build the front ends into web/dist.
web: $(WEB_BUILD)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core

$(PDFTOPPM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils

## Run the whole system in one process on embedded PostgreSQL (no Kafka needed), the workspace at /workspace/.
run: $(STAMP) $(WEB_BUILD) $(FONT)
	$(VENV)/bin/mtf run

## Same, but events flow through a local single-node Kafka broker.
run-kafka: $(STAMP) $(KAFKA_STAMP) $(WEB_BUILD) $(FONT)
	$(PY) -m infra.devstack.local_stack --kafka -- $(VENV)/bin/mtf run

## Every test, against a real PostgreSQL and a real Kafka broker started here: the front ends'
## component tests, their browser tests in Chromium against the real system, then pytest.
test: $(STAMP) $(KAFKA_STAMP) $(WEB_BUILD) $(CHROMIUM) $(FONT) $(PDFTOPPM)
	cd web && npx vitest run
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- bash -c 'cd web && npx playwright test && cd .. && $(PY) -m pytest $(PYTEST_ARGS)'

## The front ends' tests alone (component, then browser against the real system).
test-web: $(STAMP) $(KAFKA_STAMP) $(WEB_BUILD) $(CHROMIUM) $(FONT)
	cd web && npx vitest run
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- bash -c 'cd web && npx playwright test'

## Write the locks from pyproject.toml: requirements/dev.lock (make, CI) and requirements/prod.lock (the image). Pins are kept unless UPGRADE=1.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra embedded --python-version 3.11 $(if $(UPGRADE),--upgrade) \
	    --custom-compile-command 'make lock' --quiet -o requirements/dev.lock
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 -c requirements/dev.lock \
	    --custom-compile-command 'make lock' --quiet -o requirements/prod.lock

## Lint the Python code: ruff format (110 columns), ruff (pyflakes and pycodestyle rules, import order), then the layer rules (import-linter); settings in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Benchmarks; figures are printed. BENCH_N, BILLING_N, BILLING_WORKERS, COLLECTIONS_CLIENTS, REPLAY_N and
## AGING_INVOICES scale them.
bench: $(STAMP) $(KAFKA_STAMP) $(FONT)
	$(PY) bench/disk.py
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- $(PY) bench/pipeline.py $(if $(BENCH_N),--n $(BENCH_N))
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- $(PY) bench/billing_run.py $(if $(BILLING_N),--n $(BILLING_N)) $(if $(BILLING_WORKERS),--workers $(BILLING_WORKERS))
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- $(PY) bench/collections.py $(if $(COLLECTIONS_CLIENTS),--clients $(COLLECTIONS_CLIENTS))
	$(PY) -m infra.devstack.local_stack --postgres -- $(PY) bench/replay.py $(if $(REPLAY_N),--n $(REPLAY_N))
	$(PY) -m infra.devstack.local_stack --postgres -- $(PY) bench/aging.py $(if $(AGING_INVOICES),--invoices $(AGING_INVOICES))

## The billing run at an operator's scale: a million contracts (43 minutes on two cores, seeding included), with
## BILLING_WORKERS `mtf bill` processes (1 by default).
bench-scale: $(STAMP) $(KAFKA_STAMP) $(FONT)
	$(PY) -m infra.devstack.local_stack --kafka --postgres -- $(PY) bench/billing_run.py --n 1000000 $(if $(BILLING_WORKERS),--workers $(BILLING_WORKERS))

## The fault soak: the distributed system under load while faults are injected (SOAK_FAULTS, 1000 by
## default; SOAK_SEED replays a schedule), then the invariants. It starts its own PostgreSQL and Kafka.
soak: $(STAMP) $(KAFKA_STAMP) $(FONT)
	$(PY) -m tests.soak --faults $(or $(SOAK_FAULTS),1000) $(if $(SOAK_SEED),--seed $(SOAK_SEED))

## Regenerate the printed API documents (docs/api-reference.pdf, docs/api-process-map.pdf) from the OpenAPI
## document and the guides' curl examples, and the sample documents with their preview images.
docs: $(STAMP) $(FONT) $(PDFTOPPM)
	$(VENV)/bin/mtf export-api-docs
	$(PY) -m tests.unit.documents_samples

## Regenerate the exported JSON Schemas, AsyncAPI and OpenAPI documents under schemas/generated/.
schemas: $(STAMP)
	$(VENV)/bin/mtf export-schemas

## Remove what the targets made: .venv, .cache, .mtf, the front ends' modules, build and test results.
clean:
	rm -rf $(VENV) .cache .mtf web/node_modules web/dist web/test-results

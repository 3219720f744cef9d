# The two set-up commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA_LIBS := .cache/kafka/libs
KAFKA_STAMP := $(KAFKA_LIBS)/.complete
PYTEST_ARGS ?=

.PHONY: run run-kafka test bench venv kafka-jars schemas clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

# Apache Kafka broker jars, pinned in infra/kafka/pom.xml, fetched by Maven into .cache/.
$(KAFKA_STAMP): infra/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn --batch-mode --quiet -f infra/kafka/pom.xml -Dmaven.repo.local=$(CURDIR)/.cache/m2 \
	    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

kafka-jars: $(KAFKA_STAMP)

## Run the whole system in one process on embedded PostgreSQL (no Kafka needed).
run: $(STAMP)
	$(VENV)/bin/mtf run

## Same, but events flow through a local single-node Kafka broker.
run-kafka: $(STAMP) $(KAFKA_STAMP)
	$(PY) -m infra.local_stack --kafka -- $(VENV)/bin/mtf run

## Every test, against a real PostgreSQL and a real Kafka broker started here.
test: $(STAMP) $(KAFKA_STAMP)
	$(PY) -m infra.local_stack --kafka --postgres -- $(PY) -m pytest $(PYTEST_ARGS)

## Benchmarks; figures are printed. BENCH_N, BILLING_N and COLLECTIONS_CLIENTS scale them.
bench: $(STAMP) $(KAFKA_STAMP)
	$(PY) bench/disk.py
	$(PY) -m infra.local_stack --kafka --postgres -- $(PY) bench/pipeline.py $(if $(BENCH_N),--n $(BENCH_N))
	$(PY) -m infra.local_stack --kafka --postgres -- $(PY) bench/billing_run.py $(if $(BILLING_N),--n $(BILLING_N))
	$(PY) -m infra.local_stack --kafka --postgres -- $(PY) bench/collections.py $(if $(COLLECTIONS_CLIENTS),--clients $(COLLECTIONS_CLIENTS))

## Regenerate the exported JSON Schemas, AsyncAPI and OpenAPI documents under schemas/generated/.
schemas: $(STAMP)
	$(VENV)/bin/mtf export-schemas

clean:
	rm -rf $(VENV) .cache .mtf

# Jalur Aman — the two commands: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench containers container-check

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/jalur-aman serve --demo

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy bot storage

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/nlu.py

# The compose stack in containers (README, "Deploying"); wheels are built with the venv's pip.
containers: $(STAMP)
	bash scripts/containers.sh up $(or $(WORKERS),2)

# CI's container check: build, run 2 workers behind nginx, chat, staff sign-in, failover.
container-check: $(STAMP)
	bash scripts/containers.sh check

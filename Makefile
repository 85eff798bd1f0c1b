# Co-production Guide: `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
export TF_CPP_MIN_LOG_LEVEL := 3
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore
export PYTHONPATH := $(CURDIR)

.DEFAULT_GOAL := help
.PHONY: help setup run test train shell validate unit bench-nlu bench report clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Create .venv, install pinned packages, build the spaCy pipeline, migrate the database
	@scripts/setup.sh

run: setup ## Set up, train if needed, start everything and print the address (Ctrl-C stops)
	@$(PY) -m bot run

train: setup ## Train the model if data or config changed
	@$(PY) -m bot train

shell: setup ## Chat with the assistant in the terminal
	@$(PY) -m bot shell

validate: setup ## Check the training data (rasa data validate, warnings fail)
	@$(PY) -m rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data data

test: setup ## Run every test: ruff and mypy, data validation, pytest (unit, integration, browser), rasa test stories
	@scripts/test.sh

unit: setup ## Only the fast unit tests
	@$(PY) -m pytest -q tests/unit

bench-nlu: setup ## NLU benchmark: our config vs Rasa's default vs TF-IDF baseline on the held-out set
	@$(PY) scripts/bench_nlu.py

bench: setup ## Load and latency benchmark against the rasa init example bot
	@$(PY) scripts/bench.py

report: setup ## Write the staff insight report to var/report/
	@$(PY) -m bot report

clean: ## Remove the virtualenv, caches, models and local database
	rm -rf .venv .cache .rasa models/*.tar.gz models/.fingerprint var results .pytest_cache

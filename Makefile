# School violence-exposure pipeline. `make` (or `make help`) lists the targets.
#
# Everything runs inside .venv, made from requirements.txt by `make setup`. The demo targets
# (build, test, bench) use synthetic data and a demo pseudonymisation key in .secrets/; a real
# extract goes through `make run` with the force's own key in the environment.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SCALE ?= 1
DROP_PERSON_LEVEL ?= 0
# dbt vars for `make run`, as YAML: VARS='{analysis_start: 2023-04-01, analysis_end: 2024-03-31}'
VARS ?=
SEED ?= 42
RAW_DIR ?= data/raw
TRUTH_DIR ?= data/truth
DB ?= data/school_exposure.duckdb
# Where `make outputs` writes the exports, the report, the transparency record and the docs.
OUT_DIR ?= outputs
DEMO_KEY := .secrets/demo_pseudonymisation.key
# The small world that lint (whose dbt templater compiles against real files) and pytest use.
FIXTURES := data/fixtures

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SCHOOL_EXPOSURE_DB := $(DB)
export SCHOOL_EXPOSURE_RAW_DIR := $(RAW_DIR)

DBT := $(BIN)/dbt

.PHONY: help setup hooks data fixtures build run opendata docs outputs export report transparency static-docs lint test bench clean distclean

help: ## Show this help
	@echo "School violence-exposure pipeline (dbt + DuckDB). Targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "Variables: SCALE=$(SCALE) SEED=$(SEED) RAW_DIR=$(RAW_DIR) DB=$(DB) VARS=$(VARS)"

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "error: python3.11 not found" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		echo "warning: $(PYTHON) is not Python 3.11, the version this project is tested on" >&2
	@echo "[setup] creating $(VENV) and installing the pinned packages (about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --progress-bar off -r requirements.txt
	$(BIN)/python scripts/spatial_extension.py install
	@touch $@

setup: $(STAMP) ## Create .venv, install pinned packages and the DuckDB extensions (spatial, encodings)

hooks: $(STAMP) ## Install the git pre-commit hooks (ruff and sqlfluff from .venv)
	$(BIN)/pre-commit install

$(DEMO_KEY):
	@$(BIN)/python scripts/pseudonymisation.py make-demo-key $@

data: $(STAMP) ## Generate the synthetic demo extract (SCALE, SEED) into RAW_DIR
	$(BIN)/python scripts/generate_synthetic_extract.py --scale $(SCALE) --seed $(SEED) \
		--out $(RAW_DIR) --truth-out $(TRUTH_DIR)

build: $(STAMP) $(DEMO_KEY) data ## Set up, generate the demo extract (SCALE), build it with every test, docs
	SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE=$(DEMO_KEY) $(BIN)/python scripts/run_build.py \
		--db $(DB) --raw-dir $(RAW_DIR) --unit-tests --fail-fast --docs
	@echo "Built $(DB). Docs: target/index.html (make docs serves them)."

run: $(STAMP) ## Build a real extract in RAW_DIR (the force's key in the environment); VARS='{...}', DROP_PERSON_LEVEL=1
	$(BIN)/python scripts/run_build.py --db $(DB) --raw-dir $(RAW_DIR) --fail-fast \
		$(if $(VARS),--vars '$(VARS)') $(if $(filter 1,$(DROP_PERSON_LEVEL)),--drop-person-level)

OPEN_DATA_DIR ?= ../shared/open-data
opendata: $(STAMP) ## Build from public files alone (police.uk, GIAS, ONS, IoD) in OPEN_DATA_DIR; VARS='{...}'
	$(BIN)/python scripts/open_data.py --open-data-dir $(OPEN_DATA_DIR) $(if $(VARS),--vars '$(VARS)')

docs: $(STAMP) ## Generate the dbt docs and serve them on http://localhost:8080
	$(DBT) docs generate
	$(DBT) docs serve --port 8080

outputs: export report transparency static-docs ## After a build: exports, both report editions, transparency record, static docs in OUT_DIR
	@echo "Outputs in $(OUT_DIR)/: exports/ (by audience), report/, transparency-record.md, docs/index.html"

export: $(STAMP) ## Export every mart by audience: GeoParquet, GeoPackage, CSV and a data dictionary
	$(BIN)/python scripts/export_marts.py --db $(DB) --out $(OUT_DIR)/exports

report: $(STAMP) ## Render the static HTML report, VRU and public editions
	$(BIN)/python scripts/report.py --db $(DB) --out $(OUT_DIR)/report

transparency: $(STAMP) ## Write the Algorithmic Transparency Recording Standard record from the project's metadata
	$(BIN)/python scripts/transparency_record.py --db $(DB) --out $(OUT_DIR)/transparency-record.md

static-docs: $(STAMP) ## The dbt docs as one self-contained HTML file
	$(DBT) docs generate --static
	mkdir -p $(OUT_DIR)/docs && cp target/static_index.html $(OUT_DIR)/docs/index.html

fixtures: $(STAMP) ## Generate the small fixture world (scale 0.02) that lint and pytest use
	$(BIN)/python scripts/generate_synthetic_extract.py --scale 0.02 --seed 7 \
		--out $(FIXTURES)/raw --truth-out $(FIXTURES)/truth --quiet

lint: fixtures ## Lint SQL (sqlfluff, dbt templater on the fixtures) and Python (ruff check and format)
	@echo "[lint] Python: ruff check and ruff format --check (scripts, tests, Python models)"
	$(BIN)/ruff check scripts tests models
	$(BIN)/ruff format --check scripts tests models
	@echo "[lint] SQL: sqlfluff (compiles every model against the fixture world; a few minutes)"
	SCHOOL_EXPOSURE_RAW_DIR=$(FIXTURES)/raw SCHOOL_EXPOSURE_DB=$(FIXTURES)/lint.duckdb \
		$(BIN)/sqlfluff lint models macros tests analyses

test: lint ## Set up, lint, then pytest: generator, privacy, and dbt build on the fixtures
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=25 tests/python

bench: $(STAMP) $(DEMO_KEY) ## Time generation, dbt build and memory at scales 0.1 and 1, catchments at national size
	SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE=$(DEMO_KEY) \
		$(BIN)/python scripts/benchmark.py --scales 0.1 1

clean: ## Remove generated data, the database, outputs/, and dbt's target/ and logs/
	rm -rf data target logs outputs .pytest_cache

distclean: clean ## Also remove .venv and the demo key
	rm -rf $(VENV) .secrets

# DCMS Graph — the two commands: `make up` (run) and `make test` (test).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DCMS := $(VENV)/bin/dcms
PYTEST := $(VENV)/bin/pytest
STAMP := $(VENV)/.installed
NODE_STAMP := gateway/node_modules/.installed
WEB := clients/web
WEB_STAMP := $(WEB)/node_modules/.installed
LOCK := requirements.lock

.PHONY: lock upgrade web web-dev bench-stream bench-grab bench-claim bench-alerts bench-morning bench-devices bench-search bench-wave bench-reports soak-wall up install test test-real test-embedded lint schema schema-check loadtest clean

install: $(STAMP) $(NODE_STAMP) $(WEB_STAMP)

# Python packages from the lock (every version pinned, every file's sha256 checked), then the
# project itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	@touch $@

## Lock files: `make lock` after editing pyproject.toml's dependencies (keeps every other pin);
## `make upgrade` moves every Python and npm dependency to its newest release within the ranges.
## uv resolves (a dev dependency, so it comes from the lock itself); npm keeps package-lock.json.
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet \
	--python-version 3.11 --python-platform x86_64-manylinux_2_28 -o $(LOCK)
lock: install
	$(UV_COMPILE)

upgrade: install
	$(UV_COMPILE) --upgrade
	cd gateway && npm update --no-audit --no-fund
	cd $(WEB) && npm update --no-audit --no-fund
	@echo "now: make test, then commit $(LOCK) and the package-lock.json files"

$(NODE_STAMP): gateway/package.json gateway/package-lock.json
	cd gateway && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## The client pages (clients/web): typed operations from the supergraph, type check, build into clients/web/dist.
web: install
	cd $(WEB) && npm run build

## The pages with hot reload on http://127.0.0.1:5173 (run `make up` beside it for the API).
web-dev: install
	cd $(WEB) && npm run dev -- --host 127.0.0.1

## Run: migrate, seed when empty, all five subgraphs in one process + Hive Gateway + the client pages; prints the URLs.
## With Mosquitto on 127.0.0.1:1883, the demo halls' devices come alive, and 20 more in the first hall
## (UP_ARGS="--simulate 0": the halls' only; UP_ARGS="": no simulator).
UP_ARGS ?= --simulate 20
up: install web
	$(DCMS) up $(UP_ARGS)

## Test: the whole suite on PostgreSQL + Redis, then again on the embedded default (SQLite + in-memory).
test: install lint schema-check test-real test-embedded

test-real: install
	DCMS_TEST_STORAGE=real $(PYTEST) -q --durations=15

test-embedded: install
	DCMS_TEST_STORAGE=embedded $(PYTEST) -q -m "not faults" --durations=15

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Regenerate schema/sdl (each subgraph's SDL and the composed supergraph); commit the result.
schema: install
	$(DCMS) schema export

schema-check: install
	$(DCMS) schema check

## Load test: its own stack on spare ports, locust headless for 20 s, prints RPS and p50/p95/p99.
LOADTEST_ARGS ?= --users 30 --spawn-rate 15 --duration 20
loadtest: install
	$(PY) -m loadtest.stack $(LOADTEST_ARGS)

## Subscription fan-out benchmark (loadtest/bench_stream.py): BENCH_STREAM_ARGS="--subscribers 1000 --rate 1"
bench-stream: install
	$(PY) -m loadtest.bench_stream $(BENCH_STREAM_ARGS)

## Grab-storm benchmark (loadtest/bench_grab.py): BENCH_GRAB_ARGS="--grabbers 1000 --needs 100 --concurrency 100"
bench-grab: install
	$(PY) -m loadtest.bench_grab $(BENCH_GRAB_ARGS)

## Claim race (loadtest/bench_claim.py): 200 managers claim one opportunity: BENCH_CLAIM_ARGS="--rounds 5"
bench-claim: install
	$(PY) -m loadtest.bench_claim $(BENCH_CLAIM_ARGS)

## Alert storm with open incidents (loadtest/bench_alerts.py): BENCH_ALERTS_ARGS="--incidents 100 --rate 1000 --minutes 5"
bench-alerts: install
	$(PY) -m loadtest.bench_alerts $(BENCH_ALERTS_ARGS)

## H5 morning page vs its hand-written baseline, and { me { id } } vs a bare handler, alternating in one run
## (loadtest/bench_morning.py): BENCH_MORNING_ARGS="--duration 10 --identity full|signed --peak 1200"
bench-morning: install
	$(PY) -m loadtest.bench_morning $(BENCH_MORNING_ARGS)

## One canvas wave over 100,000 customers vs a baseline of 1,000 (loadtest/bench_wave.py):
## BENCH_WAVE_ARGS="--customers 100000 --baseline 1000 --chunk 500 --postgres postgres://…/postgres"
bench-wave: install
	$(PY) -m loadtest.bench_wave $(BENCH_WAVE_ARGS)

## Month-end business reports over 100,000 customers (loadtest/bench_reports.py):
## BENCH_REPORTS_ARGS="--customers 100000 --chunk 1000 --postgres postgres://…/postgres"
bench-reports: install
	$(PY) -m loadtest.bench_reports $(BENCH_REPORTS_ARGS)

## Device ingestion over MQTT (loadtest/bench_devices.py): BENCH_DEVICES_ARGS="--devices 1000 --duration 60"
bench-devices: install
	$(PY) -m loadtest.bench_devices $(BENCH_DEVICES_ARGS)

## 全文检索: searchArticles over 10,000 Chinese articles vs publishedArticles, in one run
## (loadtest/bench_search.py): BENCH_SEARCH_ARGS="--articles 10000 --queries 300"
bench-search: install
	$(PY) -m loadtest.bench_search $(BENCH_SEARCH_ARGS)

## The wall open for 30 minutes at 10 alerts a second, heap and DOM printed each minute
## (loadtest/soak_wall.py): SOAK_WALL_ARGS="--minutes 30 --rate 10 --max-growth-mb 5"
soak-wall: install
	$(PY) -m loadtest.soak_wall $(SOAK_WALL_ARGS)

clean:
	rm -rf var .pytest_cache .ruff_cache

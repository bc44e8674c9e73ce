# Nexus Commerce — developer commands. `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
# Request threads per worker; Django blocks on the database, so a few per core.
WEB_THREADS ?= 16
# uv from PATH, or the copy `make` installs with pip when there is none.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
MANAGE := $(UV) run --frozen python manage.py
# The OpenAPI schema states PostgreSQL's integer ranges whatever database is configured
# here (SQLite's differ); generating it makes no connection.
SCHEMA := DATABASE_URL=postgres://localhost/nexus $(MANAGE) spectacular --validate --fail-on-warn
GRAPHQL_SCHEMA := DATABASE_URL=postgres://localhost/nexus DJANGO_SETTINGS_MODULE=nexus.config.settings.base \
	$(UV) run --frozen python -c "import django; django.setup(); \
	from strawberry.printer import print_schema; from nexus.api.graphql.schema import schema; \
	print(print_schema(schema))"

# Every queue a worker serves unless told otherwise: `make worker QUEUES=email`.
QUEUES ?= default,email,webhooks,payments,reports

.PHONY: help install run worker relay beat test lint lint-deploy security audit fmt schema bootstrap bench

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.venv/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --locked --compile-bytecode
	@touch $@

install: .venv/.installed ## Install Python and all dependencies into .venv (uv)

bootstrap: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) seed_demo

run: bootstrap ## Serve the whole system on http://$(HOST):$(PORT) (embedded mode unless env says otherwise)
	@echo "Nexus Commerce on http://$(HOST):$(PORT)  —  API docs: http://$(HOST):$(PORT)/api/docs/"
	@rm -rf var/metrics/web && mkdir -p var/metrics/web
	PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/metrics/web exec $(UV) run --frozen granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WEB_WORKERS) --blocking-threads $(WEB_THREADS) \
		--no-ws nexus.config.wsgi:application

worker: install ## A Celery worker on RabbitMQ (CELERY_BROKER_URL), serving QUEUES
	@rm -rf var/metrics/worker && mkdir -p var/metrics/worker
	PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/metrics/worker exec $(UV) run --frozen celery -A nexus.config worker --queues $(QUEUES) --loglevel INFO

relay: install ## The outbox relay: publishes domain events to RabbitMQ as they commit (one or more)
	exec $(MANAGE) relay_outbox

beat: install ## Celery beat: the periodic tasks of CELERY_BEAT_SCHEDULE (run exactly one)
	@mkdir -p var
	exec $(UV) run --frozen celery -A nexus.config beat --loglevel INFO \
		--schedule var/celerybeat-schedule

test: install ## Run the whole test suite against local PostgreSQL, Redis and RabbitMQ
	$(UV) run --frozen pytest

# The previous release (a v* tag, BASE=ref to choose) must keep working on this schema.
.PHONY: migrations-compat
migrations-compat: install ## The previous release's tests on this tree's migrations (expand/contract)
	scripts/check-migrations-compat.sh $(if $(BASE),--base $(BASE))

lint: install ## Ruff, mypy, import contracts, migrations, OpenAPI and GraphQL schema drift
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen lint-imports
	$(MANAGE) makemigrations --check --dry-run
	@tmp=$$(mktemp) && $(SCHEMA) --file $$tmp \
		&& diff -u docs/openapi.yaml $$tmp \
		|| { echo "docs/openapi.yaml is out of date: run 'make schema'"; rm -f $$tmp; exit 1; }; rm -f $$tmp
	@tmp=$$(mktemp) && $(GRAPHQL_SCHEMA) > $$tmp \
		&& diff -u docs/schema.graphql $$tmp \
		|| { echo "docs/schema.graphql is out of date: run 'make schema'"; rm -f $$tmp; exit 1; }; rm -f $$tmp
	@$(MAKE) --no-print-directory lint-deploy security

lint-deploy: install ## Validate the pipelines, container, cluster, script and monitoring files
	$(UV) run --frozen check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(UV) run --frozen check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
	$(UV) run --frozen hadolint Dockerfile
	$(UV) run --frozen shellcheck .ci/run deploy/docker/*.sh scripts/*.sh
	@command -v kubectl >/dev/null 2>&1 || { echo "kubectl (with kustomize) is needed to render deploy/k8s"; exit 1; }
	@tmp=$$(mktemp -d) && for overlay in deploy/k8s/overlays/*/; do \
		kubectl kustomize "$$overlay" > "$$tmp/$$(basename "$$overlay").yaml" || exit 1; done \
		&& $(UV) run --frozen kubernetes-validate --strict --quiet -k 1.30.0 "$$tmp"/*.yaml \
			deploy/k8s/base/migrate-job.yaml deploy/k8s/base/secret.template.yaml; \
		status=$$?; rm -rf "$$tmp"; exit $$status
	$(UV) run --frozen python -m json.tool deploy/monitoring/grafana/dashboards/nexus.json >/dev/null
	@command -v promtool >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq prometheus; }
	promtool check config deploy/monitoring/prometheus.yml
	promtool check rules deploy/monitoring/alerts.yml
	promtool test rules deploy/monitoring/alerts.test.yml

# Production settings with throwaway values: the checks read them, nothing is served.
DEPLOY_CHECK_ENV := NEXUS_ENV=production DJANGO_ALLOWED_HOSTS=shop.example.com \
	DJANGO_SECRET_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	JWT_SIGNING_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	DATABASE_URL=postgres://localhost/nexus

security: install ## Security gates: Django's deployment checks with production settings, bandit
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(UV) run --frozen bandit -c pyproject.toml -r nexus -q

# The locked runtime dependencies (what the image installs) against the Python Packaging
# Advisory Database through PyPI's JSON API. --strict fails when a package cannot be
# looked up, so an unreachable advisory source is a failure, never a silent pass.
audit: install ## Known vulnerabilities in the locked dependencies (pip-audit; needs PyPI's JSON API)
	@tmp=$$(mktemp) && $(UV) export --frozen --no-dev --no-emit-project --format requirements-txt > $$tmp \
		&& $(UV) run --frozen pip-audit --strict --disable-pip --progress-spinner off -r $$tmp; \
		status=$$?; rm -f $$tmp; exit $$status

fmt: install ## Format and auto-fix
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

schema: install ## Regenerate the committed OpenAPI and GraphQL schemas
	$(SCHEMA) --file docs/openapi.yaml
	$(GRAPHQL_SCHEMA) > docs/schema.graphql

bench: install ## Catalog benchmark on PostgreSQL + Redis, 100k products; writes docs/benchmarks.md
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(UV) run --frozen python -m bench.run $(BENCH_ARGS)

.PHONY: rehearse
rehearse: install ## Blue-green rehearsal: two colours behind nginx, switched and rolled back under load
	scripts/rehearse-blue-green.sh $(REHEARSE_ARGS)

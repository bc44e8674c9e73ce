# syntax=docker/dockerfile:1.7
# Nexus Commerce: one image for every process (web, worker, beat, relay, migrate).
#   docker build -t nexus-commerce .
#   docker run --rm nexus-commerce --help
# Both stages use the same base image, so the virtualenv's interpreter links resolve.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the locked virtualenv, production dependencies only -------------------
FROM ${PYTHON_IMAGE} AS builder

# uv at the version that wrote uv.lock; installed here only, never in the runtime image.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11

WORKDIR /src
COPY pyproject.toml uv.lock ./
# --locked: fail if uv.lock does not match pyproject.toml; --no-dev: no test or lint tools.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

# --- runtime ------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# A fixed UID/GID, so volumes and Kubernetes' runAsUser can rely on it.
RUN groupadd --system --gid 10001 nexus \
    && useradd --system --uid 10001 --gid nexus --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin nexus

# NEXUS_ENV=production: without DJANGO_SECRET_KEY, JWT_SIGNING_KEY and
# DJANGO_ALLOWED_HOSTS the container refuses to start (compose sets its own values).
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=nexus.config.settings.base \
    NEXUS_ENV=production \
    NEXUS_DATA_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media \
    HOST=0.0.0.0 \
    PORT=8000 \
    WEB_WORKERS=2 \
    WEB_THREADS=16

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY manage.py ./
COPY nexus ./nexus
COPY deploy/docker/entrypoint.sh /usr/local/bin/nexus-entrypoint

# Static files are collected into the image (served by WhiteNoise); the development
# mode here only lets settings load without secrets, none are used or stored.
# Code stays root-owned and read-only to the app; only the data directory is writable.
RUN NEXUS_ENV=development python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q nexus \
    && mkdir -p /app/var/media \
    && rm -rf /app/var/cache \
    && chown -R 10001:10001 /app/var

USER 10001:10001
EXPOSE 8000

# For the web role; compose gives worker, beat and relay their own checks
# (`nexus-entrypoint healthcheck ROLE`).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=3); sys.exit(r.status != 200)"]

ENTRYPOINT ["/usr/local/bin/nexus-entrypoint"]
CMD ["web"]

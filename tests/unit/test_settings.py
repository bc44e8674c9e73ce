"""Production refuses to start without its secrets; development needs none."""

import os
import subprocess
import sys

import pytest

SNIPPET = "import nexus.config.settings.base as s; print(s.DATABASES['default']['ENGINE'])"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEXUS_", "JWT_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_development_runs_on_sqlite_with_no_environment(tmp_path):
    result = _run({"NEXUS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django_prometheus.db.backends.sqlite3"


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "JWT_SIGNING_KEY"])
def test_production_requires_each_secret(missing):
    env = {
        "NEXUS_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "JWT_SIGNING_KEY": "j" * 50,
        "DATABASE_URL": "postgres://u@db/nexus",
    }
    del env[missing]
    result = _run(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_starts_with_its_secrets():
    result = _run(
        {
            "NEXUS_ENV": "production",
            "DJANGO_SECRET_KEY": "k" * 50,
            "JWT_SIGNING_KEY": "j" * 50,
            "DATABASE_URL": "postgres://u@db/nexus",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django_prometheus.db.backends.postgresql"


def test_access_tokens_longer_than_15_minutes_are_refused(tmp_path):
    result = _run({"NEXUS_DATA_DIR": str(tmp_path), "JWT_ACCESS_MINUTES": "60"})
    assert result.returncode != 0
    assert "JWT_ACCESS_MINUTES" in result.stderr

"""A test run with a service down stops at once and names that service."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "url", "named"),
    [
        ("REDIS_URL", "redis://127.0.0.1:1/0", "Redis is not reachable at redis://127.0.0.1:1/0"),
        ("CELERY_BROKER_URL", "amqp://guest:secret@127.0.0.1:1//", "RabbitMQ is not reachable"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nexus", "PostgreSQL is not reachable"),
    ],
)
def test_unreachable_service_stops_the_run_by_name(variable, url, named):
    env = {**os.environ, variable: url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_docs.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert named in output
    assert "start it with:" in output
    assert "secret" not in output  # passwords are masked
    assert "passed" not in output

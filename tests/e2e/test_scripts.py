"""The operations scripts in scripts/, run as an operator runs them.

The blue-green scripts are checked in their dry run (no cluster here); the database
scripts against the local PostgreSQL; smoke.sh and cleanup.sh against a real server in
embedded mode, started the way `make run` starts it (migrate, collectstatic, demo
data, granian) but from .venv directly: `make run` would first re-sync the
environment, which these tests must not do.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nexus.demo.services import DEMO_CUSTOMER

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
VENV_BIN = ROOT / ".venv" / "bin"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
IMAGE = "registry.example.com/nexus-commerce:1.4.0-rc.1"
# Unset for the embedded server: it is what a machine with no configuration gets.
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "NEXUS_ENV",
    "CACHE_KEY_PREFIX",
    "LOG_LEVEL",
    "MEDIA_ROOT",
)

pytestmark = pytest.mark.e2e


def _database_exists(name: str) -> bool:
    return _psql("SELECT count(*) FROM pg_database WHERE datname = :'name'", name=name) == "1"


def _script(name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [str(SCRIPTS / name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psql(sql: str, database: str = "postgres", **variables: str) -> str:
    """Run SQL with psql; variables are passed as psql variables (:'name' in the SQL)."""
    options = [f"--set={name}={value}" for name, value in variables.items()]
    return subprocess.run(
        [
            "psql",
            f"{POSTGRES}/{database}",
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            *options,
        ],
        input=sql,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


# --- --help --------------------------------------------------------------------------

RUNNABLE = sorted(p.name for p in SCRIPTS.glob("*.sh") if p.name != "lib.sh")


def test_every_script_is_here_and_executable() -> None:
    assert RUNNABLE == [
        "backup-db.sh",
        "check-migrations-compat.sh",
        "cleanup.sh",
        "deploy-blue-green.sh",
        "rehearse-blue-green.sh",
        "restore-db.sh",
        "rollback.sh",
        "smoke.sh",
        "wait-for.sh",
    ]
    for name in RUNNABLE:
        assert os.access(SCRIPTS / name, os.X_OK), name


@pytest.mark.parametrize("name", RUNNABLE)
def test_help_exits_zero(name: str) -> None:
    for flag in ("--help", "-h"):
        result = _script(name, flag)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: "), result.stdout


@pytest.mark.parametrize("name", RUNNABLE)
def test_an_unknown_option_is_a_usage_error(name: str) -> None:
    result = _script(name, "--no-such-option", "x")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "--help" in result.stderr


# --- wait-for.sh ---------------------------------------------------------------------


def test_wait_for_a_port_that_opens() -> None:
    port = _free_port()
    listening = threading.Event()

    def listen_later() -> None:
        time.sleep(1.5)  # the script must see it closed first and keep trying
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen()
            listening.set()
            server.settimeout(15)
            with contextlib.suppress(TimeoutError):
                server.accept()[0].close()

    thread = threading.Thread(target=listen_later)
    thread.start()
    started = time.monotonic()
    result = _script("wait-for.sh", "--interval", "0.2", f"127.0.0.1:{port}", "20")
    elapsed = time.monotonic() - started
    thread.join()
    assert result.returncode == 0, result.stderr
    assert listening.is_set()
    assert 1.0 < elapsed < 15
    assert f"127.0.0.1:{port} is up" in result.stderr


def test_wait_for_a_port_that_never_opens_times_out() -> None:
    port = _free_port()  # closed again: nothing listens there
    started = time.monotonic()
    result = _script("wait-for.sh", "--interval", "0.2", f"127.0.0.1:{port}", "2")
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert 2 <= elapsed < 10
    assert "not up after 2s" in result.stderr


def test_wait_for_refuses_a_bad_target() -> None:
    assert _script("wait-for.sh", "no-port-here").returncode == 2
    assert _script("wait-for.sh", "127.0.0.1:99999").returncode == 2
    assert _script("wait-for.sh", "127.0.0.1:80", "soon").returncode == 2


# --- blue-green dry runs -------------------------------------------------------------


@pytest.fixture
def no_kubectl(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A PATH whose kubectl records any call: a dry run with --live must make none."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "kubectl-calls"
    fake = bin_dir / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    fake.chmod(0o755)
    yield {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    assert not calls.exists(), f"kubectl was called: {calls.read_text()}"


def _patch(colour: str) -> str:
    selector = f'{{"app":"nexus","component":"web","colour":"{colour}"}}'
    return f'-p \'{{"spec":{{"selector":{selector}}}}}\''


@pytest.mark.parametrize(("live", "idle"), [("blue", "green"), ("green", "blue")])
def test_deploy_dry_run_prints_the_release_for_the_live_colour(
    live: str, idle: str, no_kubectl: dict[str, str]
) -> None:
    result = _script(
        "deploy-blue-green.sh",
        "--image",
        IMAGE,
        "--live",
        live,
        "--replicas",
        "3",
        "--namespace",
        "shop",
        "--dry-run",
        "--",
        "--host",
        "shop.example.com",
        env=no_kubectl,
    )
    assert result.returncode == 0, result.stderr
    k = "kubectl --namespace shop"
    job = "nexus-migrate-1-4-0-rc-1"
    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"{k} apply -f /\S+/migrate-job\.yaml", lines[1]), lines[1]
    lines[1] = f"{k} apply -f RENDERED"
    assert lines == [
        f"{k} delete job {job} --ignore-not-found --wait=true",
        f"{k} apply -f RENDERED",
        f"{k} wait --for=condition=complete job/{job} --timeout=600s",
        f"{k} set image deployment/web-{idle} web={IMAGE}",
        f"{k} scale deployment/web-{idle} --replicas=3",
        f"{k} rollout status deployment/web-{idle} --timeout=600s",
        f"{k} port-forward service/web-preview 18080:80 &",
        f"{SCRIPTS}/wait-for.sh 127.0.0.1:18080 30",
        f"{SCRIPTS}/smoke.sh --host shop.example.com http://127.0.0.1:18080",
        f"{k} patch service web --type=merge {_patch(idle)}",
        f"{k} patch service web-preview --type=merge {_patch(live)}",
        (
            f"{k} annotate service web --overwrite nexus-commerce/live-image={IMAGE}"
            f" nexus-commerce/previous-colour={live}"
        ),
        f"{k} set image deployment/worker worker={IMAGE}",
        f"{k} set image deployment/relay relay={IMAGE}",
        f"{k} set image deployment/beat beat={IMAGE}",
        f"{k} rollout status deployment/worker --timeout=600s",
        f"{k} rollout status deployment/relay --timeout=600s",
        f"{k} rollout status deployment/beat --timeout=600s",
    ]
    # The migration Job is the manifest's, with this release's name, image and namespace.
    assert f"name: {job}" in result.stderr
    assert f"image: {IMAGE}" in result.stderr
    assert "namespace: shop" in result.stderr
    assert "nexus-commerce:IMAGE_TAG" not in result.stderr


def test_deploy_dry_run_with_a_preview_url_and_no_workers(no_kubectl: dict[str, str]) -> None:
    result = _script(
        "deploy-blue-green.sh",
        "--image",
        IMAGE,
        "--live",
        "blue",
        "--smoke-url",
        "https://preview.example.com",
        "--skip-workers",
        "--dry-run",
        env=no_kubectl,
    )
    assert result.returncode == 0, result.stderr
    assert f"{SCRIPTS}/smoke.sh https://preview.example.com" in result.stdout.splitlines()
    assert "port-forward" not in result.stdout
    assert "deployment/worker" not in result.stdout
    assert "--replicas=2" in result.stdout


def test_deploy_needs_an_image_and_a_known_colour(no_kubectl: dict[str, str]) -> None:
    assert _script("deploy-blue-green.sh", "--dry-run", "--live", "blue").returncode == 2
    no_tag = _script("deploy-blue-green.sh", "--image", "nexus", "--live", "blue", "--dry-run")
    assert no_tag.returncode == 2
    red = _script("deploy-blue-green.sh", "--image", IMAGE, "--live", "red", "--dry-run")
    assert red.returncode == 2
    # Without --live a dry run would have to ask the cluster: refused.
    asks = _script("deploy-blue-green.sh", "--image", IMAGE, "--dry-run", env=no_kubectl)
    assert asks.returncode == 2


@pytest.mark.parametrize(("live", "target"), [("blue", "green"), ("green", "blue")])
def test_rollback_dry_run_switches_back(live: str, target: str, no_kubectl: dict[str, str]) -> None:
    old = "registry.example.com/nexus-commerce:1.3.2"
    result = _script("rollback.sh", "--live", live, "--image", old, "--dry-run", env=no_kubectl)
    assert result.returncode == 0, result.stderr
    k = "kubectl --namespace nexus"
    assert result.stdout.splitlines() == [
        f"{k} patch service web --type=merge {_patch(target)}",
        f"{k} patch service web-preview --type=merge {_patch(live)}",
        f"{k} annotate service web --overwrite nexus-commerce/previous-colour={live}",
        f"{k} set image deployment/worker worker={old}",
        f"{k} set image deployment/relay relay={old}",
        f"{k} set image deployment/beat beat={old}",
        f"{k} rollout status deployment/worker --timeout=600s",
        f"{k} rollout status deployment/relay --timeout=600s",
        f"{k} rollout status deployment/beat --timeout=600s",
    ]
    selector_only = _script(
        "rollback.sh", "--live", live, "--selector-only", "--dry-run", env=no_kubectl
    )
    assert selector_only.returncode == 0, selector_only.stderr
    assert selector_only.stdout.splitlines() == result.stdout.splitlines()[:3]


def test_rollback_dry_run_needs_the_live_colour(no_kubectl: dict[str, str]) -> None:
    assert _script("rollback.sh", "--dry-run", env=no_kubectl).returncode == 2


@pytest.fixture
def fake_cluster(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A kubectl answering as a cluster with blue live and green at $GREEN_READY pods;
    every call is recorded."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "kubectl-calls"
    fake = bin_dir / "kubectl"
    fake.write_text(
        f"""#!/bin/sh
echo "$@" >> {calls}
case "$*" in
  *"get service web -o jsonpath={{.spec.selector.colour}}") printf blue ;;
  *"get deployment web-green -o jsonpath={{.status.readyReplicas}}") printf "$GREEN_READY" ;;
  *"get deployment web-green -o jsonpath="*image*) printf registry.example.com/nexus:1.3.2 ;;
  *" get "*) exit 1 ;;
esac
"""
    )
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}, calls


def _selector_patch(colour: str) -> str:
    return f'{{"spec":{{"selector":{{"app":"nexus","component":"web","colour":"{colour}"}}}}}}'


def test_rollback_asks_the_cluster_and_refuses_a_colour_without_ready_pods(
    fake_cluster: tuple[dict[str, str], Path],
) -> None:
    env, calls = fake_cluster
    refused = _script("rollback.sh", env={**env, "GREEN_READY": "0"})
    assert refused.returncode == 1
    assert "web-green has no ready pod; start it first or use --force" in refused.stderr
    assert "patch" not in calls.read_text()

    calls.unlink()
    result = _script("rollback.sh", env={**env, "GREEN_READY": "2"})
    assert result.returncode == 0, result.stderr
    k = "--namespace nexus"
    assert calls.read_text().splitlines() == [
        f"{k} get service web -o jsonpath={{.spec.selector.colour}}",
        f"{k} get deployment web-green -o jsonpath={{.status.readyReplicas}}",
        f"{k} patch service web --type=merge -p {_selector_patch('green')}",
        f"{k} patch service web-preview --type=merge -p {_selector_patch('blue')}",
        f"{k} annotate service web --overwrite nexus-commerce/previous-colour=blue",
        (
            f"{k} get deployment web-green -o"
            ' jsonpath={.spec.template.spec.containers[?(@.name=="web")].image}'
        ),
        f"{k} set image deployment/worker worker=registry.example.com/nexus:1.3.2",
        f"{k} set image deployment/relay relay=registry.example.com/nexus:1.3.2",
        f"{k} set image deployment/beat beat=registry.example.com/nexus:1.3.2",
        f"{k} rollout status deployment/worker --timeout=600s",
        f"{k} rollout status deployment/relay --timeout=600s",
        f"{k} rollout status deployment/beat --timeout=600s",
    ]

    forced = _script("rollback.sh", "--force", "--selector-only", env={**env, "GREEN_READY": ""})
    assert forced.returncode == 0, forced.stderr
    assert "switching anyway (--force)" in forced.stderr


# --- backup-db.sh and restore-db.sh --------------------------------------------------


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    suffix = uuid.uuid4().hex[:8]
    source, target = f"nexus_k8s_backup_{suffix}", f"nexus_k8s_restore_{suffix}"
    _psql(f"CREATE DATABASE {source}")
    try:
        yield source, target
    finally:
        _psql(f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
        _psql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")


def test_backup_rotates_and_restore_round_trips(
    scratch_databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = scratch_databases
    _psql(
        "CREATE TABLE product (id int PRIMARY KEY, name text NOT NULL, price numeric(12, 2));"
        "INSERT INTO product VALUES (1, 'Lamp', 19.99), (2, 'Knife ''Chef''', 45.00);"
        "CREATE INDEX product_name ON product (name);",
        source,
    )
    backups = tmp_path / "backups"
    backups.mkdir()
    # Older dumps of this database (names sort by time) and one of another database.
    for stamp in ("20240101T030000Z", "20240102T030000Z", "20240103T030000Z"):
        (backups / f"{source}-{stamp}.dump").write_bytes(b"old")
    other = backups / "otherdb-20240101T030000Z.dump"
    other.write_bytes(b"other")

    result = _script(
        "backup-db.sh",
        "--database-url",
        f"{POSTGRES}/{source}",
        "--dir",
        str(backups),
        "--keep",
        "2",
    )
    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.parent == backups
    assert re.fullmatch(rf"{source}-\d{{8}}T\d{{6}}Z\.dump", dump.name)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert sorted(p.name for p in backups.iterdir()) == sorted(
        [dump.name, f"{source}-20240103T030000Z.dump", other.name]
    )

    refused = _script(
        "restore-db.sh", "--database-url", f"{POSTGRES}/postgres", "--database", target, str(dump)
    )
    assert refused.returncode == 3
    assert "without --yes" in refused.stderr
    assert not _database_exists(target)

    for _ in range(2):  # into a new database, then over the existing one
        restored = _script(
            "restore-db.sh",
            "--database-url",
            f"{POSTGRES}/postgres",
            "--database",
            target,
            "--yes",
            str(dump),
        )
        assert restored.returncode == 0, restored.stderr
        rows = _psql("SELECT id, name, price FROM product ORDER BY id", target)
        assert rows.splitlines() == ["1|Lamp|19.99", "2|Knife 'Chef'|45.00"]
        assert _psql("SELECT indexname FROM pg_indexes WHERE indexname = 'product_name'", target)


def test_restore_refuses_a_file_that_is_no_dump(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.dump"
    bogus.write_text("not a dump")
    result = _script(
        "restore-db.sh",
        "--database-url",
        f"{POSTGRES}/postgres",
        "--database",
        "nexus_k8s_never_created",
        "--yes",
        str(bogus),
    )
    assert result.returncode == 1
    assert not _database_exists("nexus_k8s_never_created")


def test_backup_of_an_unreachable_database_leaves_no_file(tmp_path: Path) -> None:
    port = _free_port()
    result = _script(
        "backup-db.sh",
        "--database-url",
        f"postgres://postgres@127.0.0.1:{port}/nexus",
        "--dir",
        str(tmp_path),
    )
    assert result.returncode == 1
    assert list(tmp_path.iterdir()) == []


# --- smoke.sh and cleanup.sh against a real server -----------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The shop in embedded mode on a free port; yields its URL and data dir."""
    data_dir = tmp_path_factory.mktemp("embedded")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env["NEXUS_DATA_DIR"] = str(data_dir)
    python = str(VENV_BIN / "python")
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_demo"]):
            subprocess.run(
                [python, "manage.py", *step],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=300,
            )
        process = subprocess.Popen(
            [
                str(VENV_BIN / "granian"),
                *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", "1", "--blocking-threads", "8", "--no-ws"),
                "nexus.config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            waited = _script("wait-for.sh", "--interval", "0.25", f"{base_url}/readyz", "120")
            if waited.returncode != 0 or process.poll() is not None:
                pytest.fail(f"server not ready: {log_path.read_text()}")
            yield base_url, data_dir
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _smoke_env(password: str) -> dict[str, str]:
    return {**os.environ, "SMOKE_EMAIL": DEMO_CUSTOMER.email, "SMOKE_PASSWORD": password}


def test_smoke_passes_against_a_running_shop(server: tuple[str, Path]) -> None:
    base_url, _ = server
    result = _script("smoke.sh", base_url, env=_smoke_env(DEMO_CUSTOMER.password))
    assert result.returncode == 0, result.stderr
    for step in ("healthz", "readyz: ready", "catalog: product", "token for", "placed", "paid"):
        assert step in result.stderr, step
    number = re.search(r"order (\w+) paid", result.stderr)
    assert number is not None
    # The order is really there, paid, and the customer's.
    with httpx.Client(base_url=base_url, timeout=10) as http:
        tokens = http.post(
            "/api/v1/auth/token/",
            json={"email": DEMO_CUSTOMER.email, "password": DEMO_CUSTOMER.password},
        ).json()
        order = http.get(
            f"/api/v1/orders/{number.group(1)}/",
            headers={"Authorization": f"Bearer {tokens['access']}"},
        )
        assert order.status_code == 200
        assert order.json()["status"] == "paid"


def test_smoke_as_for_production_a_host_header_and_no_checkout(server: tuple[str, Path]) -> None:
    base_url, _ = server
    env = {**_smoke_env(DEMO_CUSTOMER.password), "SMOKE_HOST": "localhost"}
    env["SMOKE_SKIP_CHECKOUT"] = "1"
    result = _script("smoke.sh", base_url, env=env)
    assert result.returncode == 0, result.stderr
    assert "checkout skipped" in result.stderr
    assert "placed" not in result.stderr
    refused = _script("smoke.sh", base_url, env={**env, "SMOKE_HOST": "not-allowed.example"})
    assert refused.returncode == 1  # DJANGO_ALLOWED_HOSTS is checked on the API
    assert "FAIL catalog list: HTTP 400" in refused.stderr


def test_smoke_fails_on_wrong_credentials(server: tuple[str, Path]) -> None:
    base_url, _ = server
    result = _script("smoke.sh", base_url, env=_smoke_env("not-the-password"))
    assert result.returncode == 1
    assert "FAIL customer token: HTTP 401" in result.stderr


def test_smoke_fails_when_nothing_answers() -> None:
    result = _script(
        "smoke.sh",
        f"http://127.0.0.1:{_free_port()}",
        "--max-time",
        "3",
        env=_smoke_env("irrelevant"),
    )
    assert result.returncode == 1
    assert "FAIL healthz: HTTP 000" in result.stderr


def test_cleanup_deletes_old_files_and_runs_the_shop_clean_ups(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    _, data_dir = server
    media = data_dir / "media"
    old = time.time() - 40 * 86400
    files = {
        "old_export": media / "exports" / "export-job-1.csv",
        "old_import": media / "imports" / "2024" / "01" / "catalog.csv",
        "old_import_errors": media / "imports" / "errors" / "2024" / "01" / "errors.csv",
        "new_export": media / "exports" / "export-job-2.csv",
        "old_image": media / "products" / "2024" / "01" / "lamp.jpg",
    }
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
        if name.startswith("old"):
            os.utime(path, (old, old))
    backups = tmp_path / "backups"
    backups.mkdir()
    old_dump, new_dump = backups / "nexus-old.dump", backups / "nexus-new.dump"
    old_dump.write_text("old")
    new_dump.write_text("new")
    os.utime(old_dump, (old, old))
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env["NEXUS_DATA_DIR"] = str(data_dir)

    dry = _script("cleanup.sh", "--backup-dir", str(backups), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert all(path.exists() for path in files.values())
    assert f"would delete {files['old_export']}" in dry.stderr

    result = _script("cleanup.sh", "--days", "30", "--backup-dir", str(backups), env=env)
    assert result.returncode == 0, result.stderr
    gone = {name for name, path in files.items() if not path.exists()}
    assert gone == {"old_export", "old_import", "old_import_errors"}
    assert not old_dump.exists()
    assert new_dump.exists()
    for task in (
        "expired reservations deleted: ",
        "unpaid orders cancelled: ",
        "abandoned carts deleted: ",
        "expired idempotency records deleted: ",
    ):
        assert task in result.stdout, result.stdout

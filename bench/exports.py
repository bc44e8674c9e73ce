"""The export benchmark: 1,000,000 orders (about 2,000,000 lines) streamed as CSV.

Seeds its own database (``nexus_bench_exports``) in PostgreSQL itself
(``INSERT … SELECT generate_series``: no rows cross the wire), starts the app under
granian like ``bench/run.py`` (production settings, one worker pinned to one core),
downloads ``GET /api/v1/staff/exports/orders/?format=csv`` as a staff member, and
samples the resident memory (VmRSS) of the server and its children meanwhile.

Run with ``python -m bench.exports`` (``--orders``, ``--no-seed`` to reuse the data).
"""

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.run import environment, server_pids, start_server

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "nexus_bench_exports"
PORT_BASE = "http://127.0.0.1:8777"  # where bench.run.start_server listens
GOAL_RSS_MB = 100
GOAL_ROWS_PER_SECOND = 50_000

# Orders with 1-3 lines each (2 on average), made by PostgreSQL in two statements.
_SEED_SQL = """
INSERT INTO orders_order (
    id, number, user_id, email, status, currency, subtotal, shipping_total,
    discount_total, tax_total, total, shipping_address, billing_address, cart_token,
    tracking_number, shipping_method_name, voucher_id, voucher_code, created_at, updated_at
)
SELECT i, 'B' || lpad(i::text, 9, '0'), NULL, 'buyer' || i || '@example.com',
       (ARRAY['paid', 'unpaid', 'shipped', 'delivered'])[1 + i % 4], 'EUR',
       15.00 * (1 + i % 3), 4.90, 0, 0, 15.00 * (1 + i % 3) + 4.90,
       '{{"city": "Oslo", "country": "NO"}}'::jsonb, '{{"city": "Oslo", "country": "NO"}}'::jsonb,
       gen_random_uuid(), '', 'Standard', NULL, '',
       now() - make_interval(secs => {orders} - i), now()
FROM generate_series(1, {orders}) AS i;
INSERT INTO orders_orderline (
    order_id, variant_id, sku, product_name, variant_name, unit_price, quantity, line_total
)
SELECT o, NULL, 'SKU-' || (o % 5000 + l), 'Product number ' || (o % 5000 + l), 'Size M',
       15.00, 1, 15.00
FROM generate_series(1, {orders}) AS o, generate_series(1, 1 + o % 3) AS l;
SELECT setval(pg_get_serial_sequence('orders_order', 'id'), {orders});
ANALYZE orders_order;
ANALYZE orders_orderline;
"""

# Runs inside Django: a staff member with the Staff group, and an access token for them.
_MINT_STAFF_ACCESS = """
from django.contrib.auth.models import Group
from rest_framework_simplejwt.tokens import RefreshToken
from nexus.accounts.models import STAFF_GROUP, User
user, _ = User.objects.get_or_create(email="bench-staff@example.com", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name=STAFF_GROUP))
print(str(RefreshToken.for_user(user).access_token))
"""


def bench_environment() -> dict[str, str]:
    env = environment()
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    return env


def _psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-v",
         "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        cwd=ROOT,
    )  # fmt: skip


def seed(env: dict[str, str], orders: int) -> float:
    _psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    _psql(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    started = time.perf_counter()
    _psql(_SEED_SQL.format(orders=orders), DATABASE)
    return time.perf_counter() - started


def staff_token(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + _MINT_STAFF_ACCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Peak VmRSS of each server process and of all of them together, every 20 ms."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak_total_kb = 0
        self.peak_process_kb = 0
        at_rest = [_rss_kb(pid) for pid in server_pids(root_pid)]
        self.baseline_total_kb, self.baseline_process_kb = sum(at_rest), max(at_rest)
        self._stop_event = threading.Event()

    def run(self) -> None:
        pids = server_pids(self.root_pid)
        while not self._stop_event.wait(0.02):
            sizes = [_rss_kb(pid) for pid in pids]
            self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
            self.peak_process_kb = max(self.peak_process_kb, *sizes)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def download(base_url: str, token: str, path: str) -> tuple[int, int, float, float]:
    """Bytes and CSV rows received, seconds to the first byte and in all."""
    size = newlines = 0
    first_byte = 0.0
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", base_url + path, headers=headers, timeout=600) as response:
        response.raise_for_status()
        for data in response.iter_raw():
            if not size:
                first_byte = time.perf_counter() - started
            size += len(data)
            newlines += data.count(b"\n")
    return size, newlines - 1, first_byte, time.perf_counter() - started  # less the header


def run_export_bench(env: dict[str, str], base_url: str | None = None) -> list[str]:
    """Export every order as CSV over HTTP; markdown lines with what was measured.

    Without ``base_url`` it starts its own server, whose memory it can then sample.
    """
    token = staff_token(env)
    orders = int(
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-Atc",
             "SELECT count(*) FROM orders_order"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    server = None if base_url else start_server(env)
    sampler = RssSampler(server.pid) if server else None
    try:
        if sampler:
            sampler.start()
        size, rows, first_byte, seconds = download(
            base_url or PORT_BASE, token, "/api/v1/staff/exports/orders/?format=csv"
        )
    finally:
        if sampler:
            sampler.stop()
        if server:
            server.terminate()
            server.wait(timeout=30)
    rows_per_second = rows / seconds
    lines = [
        "",
        (
            "| export | orders | CSV rows | MB | seconds | rows/s | orders/s | first byte ms "
            "| peak RSS, all server processes MB | peak RSS, largest process MB |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if sampler:
        total_mb = sampler.peak_total_kb / 1024
        process_mb = sampler.peak_process_kb / 1024
        rss = (
            f"{total_mb:,.0f} (at rest {sampler.baseline_total_kb / 1024:,.0f}) | {process_mb:,.0f}"
        )
    else:
        total_mb = process_mb = float("nan")
        rss = "not sampled (external server) | not sampled"
    lines.append(
        f"| orders, CSV, streamed over HTTP | {orders:,} | {rows:,} | {size / 1e6:,.0f} | "
        f"{seconds:.1f} | {rows_per_second:,.0f} | {orders / seconds:,.0f} | "
        f"{first_byte * 1000:.0f} | {rss} |"
    )
    verdict_rss = "met" if process_mb < GOAL_RSS_MB else "missed"
    verdict_rate = "met" if rows_per_second >= GOAL_ROWS_PER_SECOND else "missed"
    lines += [
        "",
        (
            f"Goals: peak server RSS under {GOAL_RSS_MB} MB — {verdict_rss} "
            f"(largest process {process_mb:,.0f} MB, all processes {total_mb:,.0f} MB); "
            f"at least {GOAL_ROWS_PER_SECOND:,} rows/s — {verdict_rate} "
            f"({rows_per_second:,.0f})."
        ),
        (
            "Command: `.venv/bin/python -m bench.exports` (granian WSGI, 1 worker pinned to "
            "core 0, production settings, PostgreSQL on this machine)."
        ),
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--no-seed", action="store_true", help="reuse the seeded database")
    args = parser.parse_args()
    env = bench_environment()
    if not args.no_seed:
        seconds = seed(env, args.orders)
        print(f"seeded {args.orders:,} orders in {seconds:.0f} s", flush=True)
    print("\n".join(run_export_bench(env)))


if __name__ == "__main__":
    main()

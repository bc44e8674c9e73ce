"""The catalog benchmark: production settings on this machine, 100,000 products.

Brings up PostgreSQL-backed Nexus Commerce under granian (one worker pinned to one
core), seeds the catalog, and drives load from wrk pinned to the other core. Each
scenario is reported as req/s, p50/p99 latency, SQL queries per request, server CPU
per request and its ratio to the baseline: a bare Django view answering a
pre-rendered body of the list page's size. Search + facets latency is also measured
at a fixed request rate (70 % of its saturation). The results replace the
generated part of docs/benchmarks.md.

Then checkout: 50 buyers at once place 1,500 carts, first all on one SKU with 1,000
units (exactly 1,000 orders must result), then spread over 500 SKUs. Then what the
request metrics cost: the baseline, list and detail requests again, alternating between
a server with the production settings and one without django-prometheus's
instrumentation. Then data at scale, each on a database of its own: 1,000,000 orders
exported as CSV over HTTP (bench/exports.py), 100,000 products imported twice
(bench/imports.py), and sales reports over a year of orders (bench/reports.py).

Run with `make bench`. Options: --products, --seconds, --no-seed (reuse the database).
"""

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis

from bench.checkout import CheckoutResult, report_lines, run_checkout

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PORT = 8777
BASE = f"http://127.0.0.1:{PORT}"
DATABASE = "nexus_bench"


@dataclass
class Scenario:
    name: str
    path: str
    cached: bool
    body: str | None = None  # a POST body (GraphQL)


# The REST list scenario's query, asked of GraphQL for the same 24 rows and fields.
GRAPHQL_LIST = json.dumps(
    {
        "query": (
            '{ products(filter: {category: "clothing", minPrice: "10", maxPrice: "200"}, '
            "ordering: PRICE, first: 24) { edges { cursor node { id name slug priceMin "
            "priceMax currency thumbnail thumbnailAlt inStock publishedAt brand { name slug } "
            "category { id name slug } } } pageInfo { hasNextPage endCursor } } }"
        )
    }
)


SCENARIOS = [
    Scenario("baseline: bare view, same body size", "/bench/baseline/", cached=True),
    Scenario(
        "list, filtered, 24 items",
        "/api/v1/products/?category=clothing&min_price=10&max_price=200&ordering=price&page_size=24",
        cached=False,
    ),
    Scenario(
        "list, filtered, 24 items",
        "/api/v1/products/?category=clothing&min_price=10&max_price=200&ordering=price&page_size=24",
        cached=True,
    ),
    Scenario("GraphQL list, filtered, 24 items", "/graphql/", cached=False, body=GRAPHQL_LIST),
    Scenario(
        "list, attribute filter", "/api/v1/products/?attr.color=red&page_size=24", cached=False
    ),
    Scenario("search", "/api/v1/products/?search=alpine%20jacket&page_size=24", cached=False),
    Scenario("search, misspelt", "/api/v1/products/?search=hedphones&page_size=24", cached=False),
    Scenario("facets, category", "/api/v1/products/facets/?category=electronics", cached=False),
    Scenario("facets, category", "/api/v1/products/facets/?category=electronics", cached=True),
    Scenario("detail", "/api/v1/products/{slug}/", cached=False),
    Scenario("detail", "/api/v1/products/{slug}/", cached=True),
]


@dataclass
class Result:
    scenario: Scenario
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    queries: int | None


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEXUS_"))}
    env.update(
        {
            "NEXUS_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "REDIS_URL": "redis://127.0.0.1:6379/13",
            "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
            # Requests beyond the throttles would measure the 429 path.
            "THROTTLE_ANON": "100000000/min",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True, cwd=ROOT
    )


def seed(env: dict[str, str], products: int) -> float:
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    # The generator refuses production settings; the data it writes is the same.
    seed_env = {**env, "NEXUS_ENV": "development"}
    manage(seed_env, "seed_catalog", "--products", str(products), "--seed", "1", "--quiet")
    return time.perf_counter() - started


def process_cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def server_pids(root_pid: int) -> list[int]:
    """The server process and all its descendants, each once."""
    found = [root_pid]
    for pid in found:
        out = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout
        found += [int(child) for child in out.split() if int(child) not in found]
    return found


def start_server(env: dict[str, str], port: int = PORT) -> subprocess.Popen[bytes]:
    command = [
        "taskset",
        "-c",
        "0",
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--blocking-threads",
        "8",
        "--no-ws",
        "nexus.config.wsgi:application",
    ]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)  # polling the new server for readiness; bounded by the deadline
    server.kill()
    raise SystemExit("the server did not start")


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    def ms(value: str) -> float:
        match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
        if not match:  # wrk prints "-nan" when no request finished in time
            return float("nan")
        number, unit = match.groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, flags=re.MULTILINE))
    p50, p99 = ms(percentiles.get("50", "")), ms(percentiles.get("99", ""))
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{output}")
    return rps, p50, p99, total


def _wrk_script(scenario: Scenario) -> tuple[list[str], dict[str, str]]:
    """wrk's options and environment for what the scenario sends."""
    env = dict(os.environ)
    if scenario.body is not None:
        env["BENCH_BODY"] = scenario.body
        return ["-s", str(ROOT / "bench" / "graphql.lua")], env
    if not scenario.cached:
        env["BENCH_PATH"] = scenario.path
        env["BENCH_RUN"] = secrets.token_hex(4)
        return ["-s", str(ROOT / "bench" / "nocache.lua")], env
    return [], env


def run_wrk(
    scenario: Scenario, *, seconds: int, pids: list[int], base: str = BASE
) -> tuple[float, ...]:
    path = scenario.path
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c16", f"-d{seconds}s"]
    command += ["--timeout", "30s", "--latency"]
    script, env = _wrk_script(scenario)
    command += script
    before = process_cpu_seconds(pids)
    output = subprocess.run(
        [*command, f"{base}{path}"], capture_output=True, text=True, check=True, env=env
    ).stdout
    cpu = process_cpu_seconds(pids) - before
    rps, p50, p99, total = parse_wrk(output)
    return rps, p50, p99, cpu * 1000 / total


def warm_up(scenario: Scenario, base: str = BASE) -> None:
    """The first requests fill connection pools and caches: not measured."""
    script, env = _wrk_script(scenario)
    subprocess.run(
        ["wrk", "-t1", "-c4", "-d2s", *script, f"{base}{scenario.path}"],
        capture_output=True,
        check=True,
        env=env,
    )


def metrics_cost(env: dict[str, str], scenarios: list[Scenario], seconds: int) -> list[str]:
    """Throughput and server CPU per request with and without the per-request metrics.

    Two servers side by side on the same core, one with the production settings and
    one without django-prometheus's middleware, database engine and cache backend
    (bench/settings_unmetered.py); each measurement alternates between them, three
    rounds, so that a drift of the machine's speed hits both alike. Medians reported.
    """
    ports = {"with": PORT, "without": PORT + 1}
    bases = {kind: f"http://127.0.0.1:{port}" for kind, port in ports.items()}
    settings = {"with": "bench.settings", "without": "bench.settings_unmetered"}
    servers = {
        kind: start_server({**env, "DJANGO_SETTINGS_MODULE": settings[kind]}, port)
        for kind, port in ports.items()
    }
    lines = [
        (
            "| scenario | cache | req/s with | req/s without | CPU ms/req with "
            "| CPU ms/req without | metrics' CPU ms/req |"
        ),
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    try:
        pids = {kind: server_pids(server.pid) for kind, server in servers.items()}
        for scenario in scenarios:
            figures: dict[str, list[tuple[float, ...]]] = {"with": [], "without": []}
            for base in bases.values():
                warm_up(scenario, base)
            for _ in range(3):
                for kind, base in bases.items():
                    rps, _p50, _p99, cpu = run_wrk(
                        scenario, seconds=seconds, pids=pids[kind], base=base
                    )
                    figures[kind].append((rps, cpu))
            rates = {kind: statistics.median(f[0] for f in runs) for kind, runs in figures.items()}
            cpus = {kind: statistics.median(f[1] for f in runs) for kind, runs in figures.items()}
            line = (
                f"| {scenario.name} | {'hit' if scenario.cached else 'miss'} | "
                f"{rates['with']:,.0f} | {rates['without']:,.0f} | {cpus['with']:.3f} | "
                f"{cpus['without']:.3f} | {cpus['with'] - cpus['without']:+.3f} |"
            )
            print(line)
            lines.append(line)
    finally:
        for server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    return lines


def count_queries(env: dict[str, str], paths: list[str]) -> dict[str, int]:
    """SQL per request, counted in-process on the same database (cache bypassed)."""
    script = (
        "import django, json, sys\n"
        "django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "client = Client(HTTP_HOST='127.0.0.1')\n"
        "counts = {}\n"
        "for n, path in enumerate(json.loads(sys.argv[1])):\n"
        "    sep = '&' if '?' in path else '?'\n"
        "    client.get(f'{path}{sep}warm={n}')\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        response = client.get(f'{path}{sep}count={n}')\n"
        "    assert response.status_code == 200, (path, response.status_code)\n"
        "    counts[path] = len(queries)\n"
        "print(json.dumps(counts))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {k: int(v) for k, v in json.loads(out.strip().splitlines()[-1]).items()}


async def fixed_rate(paths: list[str], rate: float, seconds: float) -> tuple[list[float], int]:
    """Open-loop load: requests start on schedule whatever the answers take.

    Returns the latencies of the answered requests and the number that failed or
    took longer than 30 s.
    """
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=BASE, timeout=30, limits=limits) as client:

        async def one(path: str) -> None:
            nonlocal failures
            started = time.perf_counter()
            try:
                response = await client.get(path)
                response.raise_for_status()
            except httpx.HTTPError:
                failures += 1
                return
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.perf_counter()
        for n in range(max(1, int(rate * seconds))):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            path = paths[n % len(paths)]
            sep = "&" if "?" in path else "?"
            tasks.append(asyncio.create_task(one(f"{path}{sep}rate={n}")))
        await asyncio.gather(*tasks)
    return latencies, failures


def search_and_facets_at_fixed_rate(
    scenarios: list[Scenario], results: list[Result], seconds: int
) -> str:
    """p50/p99 of search and facets, alternating, at 70 % of their saturation."""
    mixed = [scenarios[4].path, scenarios[6].path]
    # Alternating requests: a pair costs the time of one of each, so the mix
    # saturates at the harmonic mean of the two rates, not their average.
    saturation = statistics.harmonic_mean(
        [results[4].requests_per_second, results[6].requests_per_second]
    )
    rate = max(0.7 * saturation, 0.5)
    latencies, failures = asyncio.run(fixed_rate(mixed, rate, seconds=seconds))
    latencies.sort()
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
        measured = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(latencies)} requests"
    else:
        measured = "no request answered"
    return (
        f"Search + facets (uncached, alternating) at a fixed {rate:.1f} req/s, 70 % of "
        f"their saturation: {measured}, {failures} failed or over 30 s "
        f"(open-loop client in Python on the second core)."
    )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} x {cpu}, {memory_gib:.0f} GiB, Python {platform.python_version()}"


def report(
    results: list[Result],
    *,
    products: int,
    seed_seconds: float | None,
    seconds: int,
    rate_line: str,
    checkout_results: list[CheckoutResult],
    cost_lines: list[str],
    data_lines: list[str],
) -> str:
    baseline = results[0]
    lines = [
        BEGIN,
        (
            f"Run: `make bench` (`python -m bench.run --products {products} "
            f"--seconds {seconds}`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}."
        ),
        "",
    ]
    if seed_seconds is not None:
        lines += [f"Seeding {products:,} products: {seed_seconds:.1f} s.", ""]
    lines += [
        "| scenario | cache | req/s | % of baseline | p50 ms | p99 ms | CPU ms/req | SQL/req |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        share = 100 * r.requests_per_second / baseline.requests_per_second
        queries = "-" if r.queries is None else str(r.queries)
        lines.append(
            f"| {r.scenario.name} | {'hit' if r.scenario.cached else 'miss'} | "
            f"{r.requests_per_second:,.0f} | {share:.0f} % | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
            f"{r.cpu_ms_per_request:.3f} | {queries} |"
        )
    rest_list = next(r for r in results if r.scenario.name.startswith("list, filtered"))
    graphql_list = next(r for r in results if r.scenario.body is not None)
    share = 100 * graphql_list.requests_per_second / rest_list.requests_per_second
    lines += [
        "",
        (
            f"GraphQL product list: {share:.0f} % of the uncached REST list's throughput "
            "(goal: at least 50 %); the same 24 rows and fields, one SQL query (tests count it)."
        ),
    ]
    lines += ["", rate_line, *report_lines(checkout_results), ""]
    lines += [
        "### What the request metrics cost",
        "",
        "The same requests with and without django-prometheus's middleware, database engine and",
        "cache backend (counters in `PROMETHEUS_MULTIPROC_DIR` files, as in the image), two",
        "servers on the same core, alternated over three rounds; medians.",
        "",
        *cost_lines,
        "",
        *data_lines,
        END,
    ]
    return "\n".join(lines)


def data_at_scale(export_orders: int) -> list[str]:
    """Exports, imports and reports, each on a database of its own."""
    from bench import exports, imports, reports  # noqa: PLC0415 — they import this module

    export_env = exports.bench_environment()
    seeded = exports.seed(export_env, export_orders)
    return [
        f"### Streaming export: {export_orders:,} orders seeded in {seeded:.0f} s",
        *exports.run_export_bench(export_env),
        "",
        *imports.run_import_bench(environment()),
        "",
        "### Sales reports",
        "",
        *reports.run_reports_bench(environment()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--no-seed", action="store_true", help="reuse the bench database")
    parser.add_argument(
        "--export-orders", type=int, default=1_000_000, help="orders in the export benchmark"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    env = environment()
    seed_seconds = None if args.no_seed else seed(env, args.products)
    # Responses cached by an earlier run would answer this run's "miss" requests.
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    slug = (
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                (
                    "from nexus.catalog.models import Product; print(Product.objects.filter("
                    "is_published=True).order_by('pk').values_list('slug', flat=True)[500])"
                ),
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "nexus.config.settings.base"},
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    scenarios = [
        Scenario(s.name, s.path.replace("{slug}", slug), s.cached, s.body) for s in SCENARIOS
    ]

    with (
        tempfile.NamedTemporaryFile(suffix=".json") as body,
        tempfile.TemporaryDirectory(prefix="nexus-bench-metrics-") as metrics_dir,
    ):
        env["BENCH_BASELINE_BODY"] = body.name
        # As in the image: the web processes' counters in files, summed by /metrics.
        env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        # The baseline answers a body the size of the list page it is compared with.
        Path(body.name).write_bytes(b"{}")
        server = start_server(env)
        try:
            page = httpx.get(f"{BASE}{scenarios[1].path}", timeout=30)
            page.raise_for_status()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        Path(body.name).write_bytes(page.content)
        queries = count_queries(env, [s.path for s in scenarios[1:] if s.body is None])

        server = start_server(env)
        try:
            pids = server_pids(server.pid)
            results = []
            for scenario in scenarios:
                warm_up(scenario)
                rps, p50, p99, cpu = run_wrk(scenario, seconds=args.seconds, pids=pids)
                results.append(
                    Result(
                        scenario,
                        rps,
                        p50,
                        p99,
                        cpu,
                        None
                        if scenario is scenarios[0] or scenario.cached or scenario.body
                        else queries.get(scenario.path),
                    )
                )
                print(
                    f"{scenario.name:40} {'hit ' if scenario.cached else 'miss'} {rps:9.0f} req/s "
                    f"p50 {p50:7.2f} ms p99 {p99:7.2f} ms cpu {cpu:6.3f} ms/req"
                )

            rate_line = search_and_facets_at_fixed_rate(scenarios, results, args.seconds)
            print(rate_line)
            checkout_results = [
                run_checkout(env, BASE, name="one hot SKU", carts=1500, skus=1, hot_stock=1000),
                run_checkout(env, BASE, name="500 SKUs", carts=1500, skus=500, hot_stock=None),
            ]
            for line in report_lines(checkout_results):
                print(line)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        cost_lines = metrics_cost(
            env, [scenarios[i] for i in (0, 1, 2, 9)], seconds=max(3, args.seconds // 2)
        )
    data_lines = data_at_scale(args.export_orders)
    print("\n".join(data_lines))

    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    generated = report(
        results,
        products=args.products,
        seed_seconds=seed_seconds,
        seconds=args.seconds,
        rate_line=rate_line,
        checkout_results=checkout_results,
        cost_lines=cost_lines,
        data_lines=data_lines,
    )
    DOC.write_text(
        re.sub(f"{re.escape(BEGIN)}.*{re.escape(END)}", lambda _: generated, text, flags=re.DOTALL)
    )
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

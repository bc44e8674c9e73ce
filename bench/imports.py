"""The bulk import benchmark: 100,000 products (one variant each, stock in one
warehouse) imported from CSV by `manage.py import_catalog` into a fresh database of
its own, under the production-like settings of bench/run.py; then the same file
again, which must change nothing. Goal: the first import under 60 s.

Run with `python -m bench.imports` (options: --products).
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import ROOT, environment, psql

DATABASE = "nexus_bench_imports"
GOAL_SECONDS = 60.0
HEADER = (
    "product_slug,product_name,description,category,brand,product_type,published,"
    "sku,variant_name,price,compare_at_price,weight_grams,attribute:color,stock:main\n"
)
COLORS = ("black", "white", "red", "blue")
# The reference data an import refers to by slug: made once, through the services.
SETUP = f"""
COLORS = {COLORS!r}
from nexus.catalog import services
from nexus.inventory.services import warehouse_create
top = services.category_create(name="Bench", slug="bench", parent=None)
services.category_create(name="Bench goods", slug="bench-goods", parent=top)
services.brand_create(name="Acme", slug="acme")
color = services.attribute_create(
    name="Color", slug="color", values=[{{"name": c.title(), "slug": c}} for c in COLORS]
)
services.product_type_create(name="Goods", slug="goods", product_attributes=[color])
warehouse_create(name="Main", slug="main")
"""


def write_csv(path: Path, products: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for index in range(products):
            out.write(
                f"bench-{index},Bench product {index},A sturdy product number {index} "
                f"for benchmarks,bench-goods,acme,goods,true,BN-{index:07d},,"
                f"{index % 900 + 0.99:.2f},,{100 + index % 900},"
                f"{COLORS[index % len(COLORS)]},{index % 50}\n"
            )


def import_file(env: dict[str, str], path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_catalog", str(path), "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import_catalog failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def run_import_bench(env: dict[str, str], products: int = 100_000) -> list[str]:
    """Import ``products`` products twice into a fresh database; markdown lines."""
    env = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}"}
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalog.csv"
        write_csv(path, products)
        size_mb = path.stat().st_size / 1e6
        first, first_summary = import_file(env, path)
        second, second_summary = import_file(env, path)
    unchanged = re.search(r": 0 created, 0 updated, (\d+) unchanged, 0 failed\.$", second_summary)
    verdict = "met" if first < GOAL_SECONDS else "missed"
    return [
        f"### Bulk import: {products:,} products from CSV ({size_mb:.1f} MB)",
        "",
        "| run | wall time | products/s | result |",
        "|---|---:|---:|---|",
        f"| first import | {first:.1f} s | {products / first:,.0f} | {first_summary} |",
        f"| re-run, same file | {second:.1f} s | {products / second:,.0f} | {second_summary} |",
        "",
        f"Goal: {products:,} products under {GOAL_SECONDS:.0f} s — {verdict}. "
        + (
            "The re-run changed nothing."
            if unchanged and int(unchanged.group(1)) == products
            else "THE RE-RUN CHANGED ROWS."
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    options = parser.parse_args()
    print("\n".join(run_import_bench(environment(), options.products)))


if __name__ == "__main__":
    main()

"""Sales reports over a year of orders: how long each grouping takes.

Seeds a database of its own with a year of orders (``--per-day`` a day, two lines
each, a tenth of them refunded in part) straight in SQL, then times the report for
every grouping in-process (the median of five runs, warm), as staff would ask for it.
Run alone with ``python -m bench.reports``; ``make bench`` adds its lines to the rest.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "nexus_bench_reports"

# Runs inside Django (``manage.py shell``): a small catalog, then the orders in SQL.
_SEED = """
import json, sys
from decimal import Decimal
from django.db import connection
from nexus.catalog import services

spec = json.loads(sys.argv[1])
kind = services.product_type_create(name="Thing", slug="thing")
variant_ids = []
for c in range(spec["categories"]):
    category = services.category_create(name=f"Category {c}", slug=f"category-{c}", parent=None)
    for p in range(spec["products_per_category"]):
        product = services.product_create(
            name=f"Product {c}-{p}", slug=f"product-{c}-{p}", category=category,
            product_type=kind, is_published=True,
        )
        variant = services.variant_create(
            product=product, sku=f"SKU-{c}-{p}", price=Decimal(10 + p)
        )
        variant_ids.append(variant.pk)
with connection.cursor() as cursor:
    cursor.execute(
        '''
        INSERT INTO orders_order (number, email, status, currency, subtotal, shipping_total,
            discount_total, tax_total, total, shipping_address, billing_address, cart_token,
            tracking_number, shipping_method_name, voucher_code, created_at, updated_at)
        SELECT 'B' || n, 'b' || n || '@example.com',
            (ARRAY['paid','fulfilled','shipped','delivered','partially_refunded','unpaid',
                   'cancelled'])[1 + n %% 7],
            'EUR', 40, 4.90, 0, 7.17, 44.90, '{}', '{}', gen_random_uuid(), '', '', '',
            now() - interval '365 days' + (n * interval '365 days' / %(total)s), now()
        FROM generate_series(1, %(total)s) AS n
        ''',
        {"total": spec["orders"]},
    )
    cursor.execute(
        '''
        INSERT INTO orders_orderline (order_id, variant_id, sku, product_name, variant_name,
            unit_price, quantity, line_total)
        SELECT o.id, v.id, 'SKU', 'Product', '', 20, 1, 20
        FROM orders_order o
        CROSS JOIN LATERAL (
            SELECT unnest(%(variants)s::bigint[]) AS id
            OFFSET (o.id %% %(count)s) LIMIT 2
        ) v
        ''',
        {"variants": variant_ids, "count": max(len(variant_ids) - 2, 1)},
    )
    cursor.execute("ANALYZE")
print(json.dumps({"orders": spec["orders"]}))
"""

_TIME = """
import json, statistics, time
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from django.test.utils import CaptureQueriesContext
from nexus.reports.selectors import sales_report

end = timezone.localdate()
start = end - timedelta(days=364)
out = {}
for grouping in ("day", "week", "month", "category", "product"):
    sales_report(start=start, end=end, grouping=grouping)  # warm
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = sales_report(start=start, end=end, grouping=grouping)
        runs.append(time.perf_counter() - began)
    out[grouping] = {
        "ms": round(statistics.median(runs) * 1000, 1),
        "queries": len(queries),
        "rows": len(report.rows),
        "orders": report.totals.orders,
    }
print(json.dumps(out))
"""


def _django(env: dict[str, str], script: str, *args: str) -> str:
    return (
        subprocess.run(
            [sys.executable, "-c", "import django\ndjango.setup()\n" + script, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def run_reports_bench(env: dict[str, str], *, per_day: int = 1000) -> list[str]:
    """Markdown lines: the time of each grouping over a year of ``per_day`` orders a day."""
    env = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}"}
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    spec = {"orders": per_day * 365, "categories": 10, "products_per_category": 20}
    _django(env, _SEED, json.dumps(spec))
    timings = json.loads(_django(env, _TIME))
    lines = [
        (
            f"Sales reports over one year: {spec['orders']:,} orders ({per_day:,} a day, 5 of "
            "7 of them sales, two lines each), the median of five warm runs in-process:"
        ),
        "",
        "| grouping | ms | SQL queries | rows | sales counted |",
        "|---|---:|---:|---:|---:|",
    ]
    for grouping, t in timings.items():
        lines.append(
            f"| {grouping} | {t['ms']:.1f} | {t['queries']} | {t['rows']} | {t['orders']:,} |"
        )
    return lines


def main() -> None:
    from bench.run import environment  # noqa: PLC0415 — run.py imports this module

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=1000)
    args = parser.parse_args()
    print("\n".join(run_reports_bench(environment(), per_day=args.per_day)))


if __name__ == "__main__":
    main()

"""Checkout under load: many buyers at once on one hot SKU, then on a spread of SKUs.

Carts are made straight in the database beforehand (the benchmark is the checkout,
not the cart API); each buyer then places its cart with ``POST /api/v1/checkout/``.
Run from ``bench/run.py`` against its server; the figures join the catalog's.
"""

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}

# Runs inside Django (``manage.py shell``): makes the carts, prints their tokens.
_PREPARE = """
import json, random, sys, uuid
from django.db import transaction
from nexus.checkout.models import Cart, CartLine
from nexus.inventory.models import Reservation, Stock

spec = json.loads(sys.argv[1])
random.seed(spec["seed"])
with transaction.atomic():
    variants = list(
        Stock.objects.filter(quantity_allocated=0, quantity__gte=spec["min_stock"])
        .order_by("variant_id").values_list("variant_id", flat=True)[: spec["skus"]]
    )
    if spec["hot_stock"] is not None:
        Stock.objects.filter(variant_id=variants[0]).update(quantity=spec["hot_stock"])
    carts = Cart.objects.bulk_create(Cart(token=uuid.uuid4()) for _ in range(spec["carts"]))
    CartLine.objects.bulk_create(
        CartLine(cart=cart, variant_id=random.choice(variants), quantity=1) for cart in carts
    )
available = {
    row["variant_id"]: row["quantity"] - row["quantity_allocated"]
    for row in Stock.objects.filter(variant_id__in=variants).values(
        "variant_id", "quantity", "quantity_allocated"
    )
}
print(json.dumps({"tokens": [str(c.token) for c in carts], "available": available}))
"""

# Units ordered per variant since the carts were made, against what was available.
_OVERSOLD = """
import json, sys
from django.db.models import Sum
from nexus.orders.models import OrderLine

available = {int(k): v for k, v in json.loads(sys.argv[1]).items()}
tokens = json.loads(sys.argv[2])
ordered = dict(
    OrderLine.objects.filter(variant_id__in=available, order__cart_token__in=tokens)
    .values_list("variant_id").annotate(units=Sum("quantity"))
)
print(json.dumps(sum(max(0, units - available[v]) for v, units in ordered.items())))
"""


@dataclass
class CheckoutResult:
    name: str
    buyers: int
    carts: int
    orders: int
    refused: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    oversold: int


def _django(env: dict[str, str], script: str, *args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


async def _place_all(
    base: str, tokens: list[str], buyers: int
) -> tuple[list[float], list[int], float]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    latencies: list[float] = []
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=buyers)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def buyer() -> None:
            while not queue.empty():
                token = queue.get_nowait()
                body = {"cart": token, "email": "bench@example.com", "shipping_address": ADDRESS}
                started = time.perf_counter()
                try:
                    response = await client.post("/api/v1/checkout/", json=body)
                    statuses.append(response.status_code)
                except httpx.HTTPError:
                    statuses.append(0)
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(buyer() for _ in range(buyers)))
        elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def run_checkout(
    env: dict[str, str],
    base: str,
    *,
    name: str,
    carts: int,
    skus: int,
    hot_stock: int | None,
    buyers: int = 50,
) -> CheckoutResult:
    spec = {"seed": 1, "carts": carts, "skus": skus, "hot_stock": hot_stock, "min_stock": 5}
    prepared = _django(env, _PREPARE, json.dumps(spec))
    tokens: list[str] = prepared["tokens"]
    latencies, statuses, elapsed = asyncio.run(_place_all(base, tokens, buyers))
    latencies.sort()
    oversold = int(_django(env, _OVERSOLD, json.dumps(prepared["available"]), json.dumps(tokens)))
    return CheckoutResult(
        name=name,
        buyers=buyers,
        carts=carts,
        orders=statuses.count(201),
        refused=statuses.count(409),
        errors=sum(1 for s in statuses if s not in (201, 409)),
        seconds=elapsed,
        p50_ms=latencies[len(latencies) // 2],
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)],
        oversold=oversold,
    )


def report_lines(results: list[CheckoutResult]) -> list[str]:
    header = (
        "| checkout | buyers at once | carts | orders | refused (409) | other errors | "
        "orders/s | p50 ms | p99 ms | oversold units |"
    )
    rows = [
        f"| {r.name} | {r.buyers} | {r.carts:,} | {r.orders:,} | {r.refused:,} | {r.errors} | "
        f"{r.orders / r.seconds:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.oversold} |"
        for r in results
    ]
    return ["", header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *rows]

"""``/metrics`` for Prometheus: the process's counters and the shop's state.

Requests, queries, cache reads (django-prometheus) and the shop's own counters
(``nexus.core.metrics``) come from this process, or from all web processes of the
host when they share ``PROMETHEUS_MULTIPROC_DIR``. The shop's state (outbox lag,
webhook deliveries, low stock) is read from the database at scrape time, so every
web process reports the same whole-shop figures for it. Without a database the
process's counters are still served, with ``nexus_database_up`` at 0.
"""

from collections.abc import Iterator

import structlog
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from nexus.core import outbox
from nexus.core.metrics import process_registry
from nexus.inventory.selectors import low_stock_variant_count
from nexus.webhooks.selectors import delivery_counts_by_status

logger = structlog.get_logger(__name__)


class ShopCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        # Read everything before yielding anything: a database that fails halfway must
        # not leave half the gauges in the answer. The process's own counters are
        # served either way; an outage is when they matter most.
        gauges: list[Metric] = []
        try:
            gauges = list(self.shop_state())
        except DatabaseError as error:
            logger.warning("metrics_shop_state_unreadable", error=str(error).strip())
        yield GaugeMetricFamily(
            "nexus_database_up",
            "1 when this scrape read the shop's state from the database, 0 when it could not.",
            value=1.0 if gauges else 0.0,
        )
        yield from gauges

    def shop_state(self) -> Iterator[Metric]:
        lag = outbox.lag()
        yield GaugeMetricFamily(
            "nexus_outbox_lag_seconds",
            "Age of the oldest outbox event not yet published (0: none waits).",
            value=lag.total_seconds() if lag else 0.0,
        )
        yield GaugeMetricFamily(
            "nexus_outbox_unsent_events",
            "Outbox events not yet published.",
            value=outbox.unsent_count(),
        )
        deliveries = GaugeMetricFamily(
            "nexus_webhook_deliveries",
            "Outgoing webhook deliveries waiting (pending) or given up (failed).",
            labels=["status"],
        )
        for status, count in delivery_counts_by_status(("pending", "failed")).items():
            deliveries.add_metric([status], count)
        yield deliveries
        yield GaugeMetricFamily(
            "nexus_low_stock_variants",
            "Variants with a low-stock threshold whose available stock is at or below it.",
            value=low_stock_variant_count(),
        )


shop_registry = CollectorRegistry(auto_describe=False)
shop_registry.register(ShopCollector())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    # The shop's state first: the queries (or the failed connection) of this scrape
    # are then in the process's counters that follow.
    shop_state = generate_latest(shop_registry)
    body = generate_latest(process_registry()) + shop_state
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

"""``/metrics`` for Prometheus: gauges read from the database at scrape time.

Read at scrape time rather than counted in the process, so every web process reports
the same, whole-shop figures and no multi-process bookkeeping is needed.
"""

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from nexus.core import outbox
from nexus.webhooks.selectors import delivery_counts_by_status


class ShopCollector(Collector):
    def collect(self) -> Iterator[Metric]:
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


registry = CollectorRegistry(auto_describe=False)
registry.register(ShopCollector())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

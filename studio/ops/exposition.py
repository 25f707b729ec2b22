"""/metrics' text: the counters and histograms of studio/metrics.py, added up over every process of the
machine in multiprocess mode, plus what is read live when asked (the broker's queue depths)."""
from __future__ import annotations

import logging

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from . import queues

log = logging.getLogger(__name__)


class QueueDepthCollector:
    """`studio_queue_depth{queue}`: messages waiting in each broker queue, read at scrape time."""

    def describe(self):
        return [GaugeMetricFamily("studio_queue_depth", "Messages waiting in each broker queue.", labels=["queue"])]

    def collect(self):
        family = GaugeMetricFamily("studio_queue_depth", "Messages waiting in each broker queue.", labels=["queue"])
        try:
            for name, depth in queues.depths().items():
                family.add_metric([name], depth)
        except Exception as exc:  # noqa: BLE001 - a broker that does not answer leaves the gauge out
            log.warning("metrics: queue depths unavailable (%s)", exc)
        yield family


class _ThisProcess:
    """Everything this process registered, when there is no multiprocess directory to read."""

    def collect(self):
        return REGISTRY.collect()


def render() -> bytes:
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(_ThisProcess())
    registry.register(QueueDepthCollector())
    return generate_latest(registry)

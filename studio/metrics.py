"""What Studio counts for Prometheus, and one-line calls to count it, for every layer to use.

Below the layers, like env.py and csv_safe.py: the pipeline (generation) counts here, and ops shows it
at /metrics. With PROMETHEUS_MULTIPROC_DIR set (make run and compose set it), every web and worker
process of a machine writes its figures to files there and /metrics adds them up (prometheus-client's
multiprocess mode, which reads that variable itself when it is imported); unset, each process counts
for itself. `studio_queue_depth` is read from the broker when /metrics is asked (studio/ops/exposition.py).
"""
from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager

from prometheus_client import Counter, Histogram, values

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Files are named by process; web and worker containers may share the directory (one volume),
    # so the name carries the host too: two containers' pid 7 must not write one file.
    _host = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(lambda: f"{_host}-{os.getpid()}")

JOBS = Counter("studio_jobs_total", "Jobs that reached a status: queued (submitted), done, partially_failed, failed.",
               ["status", "model", "provider"])
IMAGES_STORED = Counter("studio_images_stored_total", "Images kept in storage for good.")
IMAGE_BYTES_STORED = Counter("studio_image_bytes_stored_total", "Bytes of original images kept in storage.")
UPSTREAM_SECONDS = Histogram("studio_upstream_seconds", "One call to the Images API, streaming included.",
                             ["provider"], buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 180, 300))
FETCH_SECONDS = Histogram("studio_fetch_seconds", "One download of a result URL to the spool.",
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
STORE_SECONDS = Histogram("studio_store_seconds", "Writing one image and its thumbnail to storage.",
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10))
FAILURES = Counter("studio_failures_total", "Failures as they happen, retried or not, by code "
                   "(the upstream error classes, download_failed, url_expired, storage_unavailable, spool_full).",
                   ["code"])
BUDGET_REFUSALS = Counter("studio_budget_refusals_total", "Jobs refused because a budget would be exceeded.")


def job_reached(status: str, *, model: str, provider: str) -> None:
    JOBS.labels(status=status, model=model, provider=provider or "default").inc()


def image_stored(size: int) -> None:
    IMAGES_STORED.inc()
    IMAGE_BYTES_STORED.inc(size)


def failure(code: str) -> None:
    FAILURES.labels(code=code or "unknown").inc()


def budget_refused() -> None:
    BUDGET_REFUSALS.inc()


@contextmanager
def timed(histogram: Histogram, **labels):
    """`with metrics.timed(metrics.FETCH_SECONDS): ...` observes the block's seconds, failed or not."""
    started = time.perf_counter()
    try:
        yield
    finally:
        (histogram.labels(**labels) if labels else histogram).observe(time.perf_counter() - started)

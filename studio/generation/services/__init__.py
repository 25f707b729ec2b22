"""The life of a job: submit, run (one paid call), fetch and store each image.

Views and tasks are thin and call these functions; the database row is the truth at every step, so
any step can be repeated by a redelivered task or by the sweeper without paying twice.

    queueing   submit_job, enqueue_run / enqueue_fetch, backoff, the cost estimate line
    calling    run_job: claim, pace, call (streaming previews), record the response, retry or fail
    fetching   fetch_image: download under rules, spool, store, thumbnail, hash; settle the job
    pacing     the per-provider images-per-minute bucket in Redis
    mailbox    Redis leases, "message sent" notes and locks (never the truth)
"""
from .calling import call_provider, classify_call_error, mark_interrupted, record_response, run_job
from .fetching import (
    FetchError,
    StoreError,
    download_to_spool,
    fetch_image,
    finish_image,
    host_is_allowed,
    settle_job,
    spool_bytes,
    store_spooled_image,
)
from .queueing import backoff_seconds, describe_estimate, enqueue_fetch, enqueue_run, submit_job

__all__ = [
    "FetchError", "StoreError", "backoff_seconds", "call_provider", "classify_call_error", "describe_estimate",
    "download_to_spool", "enqueue_fetch", "enqueue_run", "fetch_image", "finish_image", "host_is_allowed",
    "mark_interrupted", "record_response", "run_job", "settle_job", "spool_bytes", "store_spooled_image",
    "submit_job",
]

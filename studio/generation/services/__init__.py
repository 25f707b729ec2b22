"""The life of a job: submit, run (one paid call), fetch and store each image, settle, sweep.

Views and tasks are thin and call these functions; the database row is the truth at every step, so
any step can be repeated by a redelivered task or by the sweeper without paying twice.

    queueing   submit_job, and every message the pipeline sends (run, fetch), with backoff
    calling    run_job: claim, pace, call, retry or fail, within the cap on upstream calls
    streaming  streaming requests as providers answer them: previews, plain JSON, a paid broken stream
    recording  record_response: what the call returned, in one transaction; downloads queued after it
    fetching   fetch_image: download under rules, spool, store, thumbnail, hash
    spool      local disk where bytes wait for storage
    settling   finish_image / settle_job: done, partly failed or failed, with a reason
    fairness   fair queueing: batch jobs go to the queue a few at a time per person; cancelling unstarted jobs
    sweeping   the beat's sweep: re-send what the broker lost, retry interrupted calls, expire the late
    retrying   "Try again": the same request as a new job, when its inputs are still the person's
    pacing     the per-provider images-per-minute bucket in Redis
    mailbox    Redis leases, "message sent" notes and locks (never the truth)
"""
from .calling import call_provider, classify_call_error, mark_interrupted, run_job
from .fairness import cancel_unstarted, release_turns
from .fetching import FetchError, StoreError, download_policy, download_to_spool, fetch_image, store_spooled_image
from .queueing import backoff_seconds, enqueue_fetch, enqueue_fetches_after_commit, enqueue_run, submit_job
from .recording import record_response
from .retrying import inputs_still_visible, retry_job, retry_team
from .settling import finish_image, settle_job
from .spool import spool_bytes
from .sweeping import sweep

__all__ = [
    "FetchError", "StoreError", "backoff_seconds", "cancel_unstarted", "release_turns", "call_provider", "classify_call_error", "download_to_spool",
    "enqueue_fetch", "enqueue_fetches_after_commit", "enqueue_run", "fetch_image", "finish_image",
    "download_policy", "inputs_still_visible", "mark_interrupted", "record_response", "retry_job", "retry_team",
    "run_job", "settle_job", "spool_bytes", "store_spooled_image", "submit_job", "sweep",
]

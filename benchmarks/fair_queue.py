"""Fair queueing: how long a teammate's single job waits behind one person's 500-job batch.

    .venv/bin/python benchmarks/fair_queue.py                     # 500-job batch, stand-in at 100 ms a call
    .venv/bin/python benchmarks/fair_queue.py --jobs 200 --latency-ms 50 --concurrency 4

The real stack (benchmarks/pipeline.py's Stack: its own Redis, database and temporary var dir, one Celery
worker process with a thread pool, the stand-in with a small latency). Person A submits a batch through
`submit_batch` (the "New batch" page's service), then person B submits one job through `submit_job`.
B's wait is the time from B's submit until a worker starts B's call. Twice in one run:

  without fairness: every batch job is sent to the queue at once (STUDIO_FAIR_SHARE_IN_FLIGHT huge);
  with fairness:    A's batch goes out STUDIO_FAIR_SHARE_IN_FLIGHT (3) at a time, refilled after each call.

After B's call starts, the rest of A's batch is cancelled, so the run does not wait for all of it. The
provider's pace (STUDIO_IMAGES_PER_MINUTE) is set high so the worker's threads, not the pace, are the
bottleneck both times. Prints both waits, how many of A's jobs started before B's, and their ratio.
Never asserts.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline import Stack  # noqa: E402  (the same stack the pipeline benchmark starts)

IN_FLIGHT = 3


def one_round(label: str, *, jobs: int, in_flight: int, timeout: float) -> tuple[float, int]:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from studio.generation import services
    from studio.generation.models import Job
    from studio.workflow import batch_services
    from studio.workflow.batch_rows import rows_from_lines

    settings.STUDIO_FAIR_SHARE_IN_FLIGHT = in_flight  # this process releases; the worker refills with 3
    users = get_user_model().objects
    a, _ = users.get_or_create(username=f"a-{label}")
    b, _ = users.get_or_create(username=f"b-{label}")
    rows = rows_from_lines("\n".join(f"harbour {i}, {label}" for i in range(jobs)))
    batch = batch_services.submit_batch(user=a, team=None, name=label, source="lines", model="dall-e-2",
                                        params={"size": "256x256"}, rows=rows)
    time.sleep(0.5)  # the batch is under way when B arrives
    single = services.submit_job(user=b, model="dall-e-2", prompt="a teammate's one job", params={"size": "256x256"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        single.refresh_from_db()
        if single.started_at:
            break
        time.sleep(0.02)
    wait = (single.started_at - single.created_at).total_seconds() if single.started_at else float("inf")
    ahead = Job.objects.filter(batch_item__batch=batch, started_at__isnull=False,
                               started_at__lt=single.started_at or single.created_at).count()
    batch_services.cancel_batch(batch, user=a)
    while time.monotonic() < deadline and Job.objects.unfinished().exists():
        time.sleep(0.1)
    return wait, ahead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    os.environ.update({"STUDIO_IMAGES_PER_MINUTE": "600000", "STUDIO_FAIR_SHARE_IN_FLIGHT": str(IN_FLIGHT),
                       "STUDIO_PERSON_CONCURRENT_JOBS": "100000"})
    stack = Stack(args).start()
    try:
        stack.start_worker(args.concurrency)
        stack.wait_worker_ready()
        one_round("warm-up", jobs=4, in_flight=IN_FLIGHT, timeout=60)
        unfair = one_round("unfair", jobs=args.jobs, in_flight=10**6, timeout=args.timeout)
        fair = one_round("fair", jobs=args.jobs, in_flight=IN_FLIGHT, timeout=args.timeout)
    finally:
        stack.stop()
    print(f"batch of {args.jobs} jobs from A, then 1 job from B; worker threads={args.concurrency}, "
          f"stand-in latency={args.latency_ms:.0f} ms")
    print(f"without fairness: B waited {unfair[0]:7.2f} s; {unfair[1]} of A's jobs started before B's")
    print(f"with fairness:    B waited {fair[0]:7.2f} s; {fair[1]} of A's jobs started before B's "
          f"(in flight per person: {IN_FLIGHT})")
    ratio = unfair[0] / fair[0] if fair[0] else float("inf")
    print(f"B's wait without/with fairness: {ratio:.1f}x")


if __name__ == "__main__":
    main()

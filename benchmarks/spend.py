"""What budgets cost submit_job: its queries and time with budgets against without, in one run.

    .venv/bin/python benchmarks/spend.py --jobs 300

Uses its own PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/studio_bench_spend)
and Redis (REDIS_URL, default redis://127.0.0.1:6379/11). Submits the same generation job N times for a
person with no budget, then N times for a person whose team, own account and token each have a budget and
whose ledger already holds --history charges this month. The broker is left out (run_job is not sent):
what is measured is submit_job's transaction, the rate-limit call to Redis included. Prints queries per
submit and p50/mean milliseconds side by side, and the ratios as its last line. It never asserts times.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gallery import _drop_database, _ensure_database  # noqa: E402 - benchmarks/ is the script's own folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="timed submits per variant")
    parser.add_argument("--history", type=int, default=5000, help="ledger rows already this month (budgeted)")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database when done")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench_spend")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("STUDIO_PERSON_IMAGES_PER_MINUTE", "1000000")
    os.environ.setdefault("STUDIO_PERSON_CONCURRENT_JOBS", "1000000")
    _ensure_database(os.environ["DATABASE_URL"], reset=True)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        print(run(args))
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            for conn in connections.all():
                conn.close_pool()  # the pool's idle connections would keep the database open
            _drop_database(os.environ["DATABASE_URL"])


def run(args) -> str:
    from decimal import Decimal

    from celery import current_app
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studio.accounts.models import Membership, Team
    from studio.accounts.token_services import create_token
    from studio.generation import services
    from studio.generation.services.queueing import RUN_JOB
    from studio.spending import budgets
    from studio.spending.models import Charge

    current_app.tasks[RUN_JOB].apply_async = lambda *a, **k: None  # the broker is not what is measured
    User = get_user_model()
    free, capped = User.objects.create_user("free"), User.objects.create_user("capped")
    free_team, capped_team = Team.objects.create(name="Free"), Team.objects.create(name="Capped")
    Membership.objects.create(team=free_team, user=free, role=Membership.Role.MEMBER)
    Membership.objects.create(team=capped_team, user=capped, role=Membership.Role.MEMBER)
    token = create_token(user=capped, name="bench")[0]
    for holder in ({"team": capped_team}, {"user": capped}, {"token": token}):
        budgets.set_budget(actor=None, monthly_usd=Decimal("1000000"), **holder)
    Charge.objects.bulk_create([Charge(job_id=10_000_000 + i, user=capped, team=capped_team, token=token,
                                       model="dall-e-2", reserved=Decimal("0.016"), amount=Decimal("0.016"),
                                       state=Charge.State.SETTLED) for i in range(args.history)])

    def measure(user, team, api_token):
        timings, queries = [], []
        for _ in range(args.jobs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                services.submit_job(user=user, team=team, model="dall-e-2", prompt="a lighthouse",
                                    params={"size": "256x256", "n": 1}, api_token=api_token, via="api")
                timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured))
        return statistics.median(queries), statistics.median(timings), statistics.fmean(timings)

    measure(free, free_team, None)  # warm up: connections, the registry, Lua scripts
    without = measure(free, free_team, None)
    with_budgets = measure(capped, capped_team, token)
    print(f"{'':28}{'queries':>9}{'p50 ms':>9}{'mean ms':>9}")
    print(f"{'without budgets':28}{without[0]:>9.0f}{without[1]:>9.2f}{without[2]:>9.2f}")
    print(f"{'with 3 budgets, ' + str(args.history) + ' charges':28}{with_budgets[0]:>9.0f}{with_budgets[1]:>9.2f}"
          f"{with_budgets[2]:>9.2f}")
    return (f"submit with budgets / without: queries {with_budgets[0] / without[0]:.2f}x, "
            f"p50 {with_budgets[1] / without[1]:.2f}x, mean {with_budgets[2] / without[2]:.2f}x")


if __name__ == "__main__":
    main()

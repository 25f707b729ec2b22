"""A hard budget holds under concurrency: 25 submits at once against a budget of exactly 10 images.

Real concurrency: 25 threads, each with its own database connection, in a transactional test. On
PostgreSQL the budget row is locked (SELECT ... FOR UPDATE); on SQLite the IMMEDIATE transactions
serialise. The SQLite run is the same test in a pytest subprocess with the embedded defaults.
"""
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from studio.accounts.models import Membership, Team
from studio.generation import services
from studio.spending import budgets
from studio.spending.errors import OverBudget
from studio.spending.models import Charge

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_25_concurrent_submits_against_a_budget_of_10_images_admit_exactly_10(django_user_model):
    team = Team.objects.create(name="Racers")
    people = [django_user_model.objects.create_user(f"racer{i}") for i in range(25)]
    for person in people:
        Membership.objects.create(team=team, user=person, role=Membership.Role.MEMBER)
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.16"), hard=True)  # 10 x $0.016
    start = threading.Barrier(25)
    admitted, refused, errors = [], [], []

    def submit(person):
        try:
            start.wait()
            services.submit_job(user=person, team=team, model="dall-e-2", prompt="a race",
                                params={"size": "256x256", "n": 1})
            admitted.append(person)
        except OverBudget:
            refused.append(person)
        except Exception as exc:  # noqa: BLE001 - named in the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert (len(admitted), len(refused)) == (10, 15)
    assert Charge.objects.filter(team=team).count() == 10
    assert sum(Charge.objects.filter(team=team).values_list("amount", flat=True)) == Decimal("0.16")


def test_the_same_on_sqlite_with_the_embedded_defaults():
    if connection.vendor == "sqlite":
        pytest.skip("this run is the SQLite run")
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["STUDIO_TEST_EMBEDDED"] = "1"
    node = f"{Path(__file__).relative_to(ROOT)}::test_25_concurrent_submits_against_a_budget_of_10_images_admit_exactly_10"
    done = subprocess.run([sys.executable, "-m", "pytest", node, "-q", "-p", "no:cacheprovider", "-x"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout

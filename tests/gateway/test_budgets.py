"""Budgets hold through the gateway too: 25 SDK calls at once against a hard team budget of exactly 10
images get 10 pictures and 15 answers of 429 `insufficient_quota`, in the OpenAI error format (issue 16).

The calls come from 25 people with a team token each, so only the team's budget decides; the web process
reserves in submit_job's transaction (PostgreSQL row locks, SQLite's IMMEDIATE transactions).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import openai
import pytest
from django.db import connection

from studio.accounts.models import Membership
from studio.accounts.token_services import create_token
from studio.spending import budgets
from studio.spending.models import Charge

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_25_concurrent_sdk_calls_against_a_budget_of_10_images_get_10_pictures_and_15_refusals(
        studio, quiet_worker_afterwards, team, django_user_model):
    studio.standin.reset()
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.16"), hard=True)  # 10 x $0.016
    clients = []
    for i in range(25):
        person = django_user_model.objects.create_user(f"scripter{i}")
        Membership.objects.create(team=team, user=person, role=Membership.Role.MEMBER)
        clients.append(studio.client(create_token(user=person, name="render farm", team=team)[1]))
    start = threading.Barrier(len(clients))
    pictures, refusals, other = [], [], []

    def call(client):
        start.wait()
        try:
            result = client.images.generate(model="dall-e-2", prompt="a race", size="256x256", n=1)
            pictures.append(result.data[0].url)
        except openai.RateLimitError as exc:  # the SDK's class for HTTP 429
            refusals.append(exc.body)
        except Exception as exc:  # noqa: BLE001 - named in the assertion below
            other.append(repr(exc))

    threads = [threading.Thread(target=call, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert other == [], studio.logs()
    assert (len(pictures), len(refusals)) == (10, 15)
    assert all(body["code"] == "insufficient_quota" and body["type"] == "insufficient_quota" for body in refusals)
    assert "is left of" in refusals[0]["message"] and "can raise it" in refusals[0]["message"]
    assert studio.standin.stats()["requests"]["generations"] == 10  # nothing refused reached the provider
    assert sum(Charge.objects.filter(team=team).values_list("amount", flat=True)) == Decimal("0.16")


def test_the_same_on_sqlite_with_the_embedded_defaults():
    """The whole test again in a pytest of its own on SQLite and an embedded Redis (STUDIO_TEST_EMBEDDED)."""
    if connection.vendor == "sqlite":
        pytest.skip("this run is the SQLite run")
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["STUDIO_TEST_EMBEDDED"] = "1"
    test = test_25_concurrent_sdk_calls_against_a_budget_of_10_images_get_10_pictures_and_15_refusals
    node = f"{Path(__file__).relative_to(ROOT)}::{test.__name__}"
    done = subprocess.run([sys.executable, "-m", "pytest", node, "-q", "-p", "no:cacheprovider", "-x"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout

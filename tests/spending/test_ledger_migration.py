"""Jobs made before the ledger existed are entered in it, so the spend page keeps its history."""
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from studio.generation.models import Job
from studio.spending.models import Charge


@pytest.mark.django_db(transaction=True)  # SQLite alters tables only outside a transaction
def test_the_data_migration_enters_every_earlier_job(django_user_model):
    executor = MigrationExecutor(connection)
    before = [("spending", "0001_initial")]
    executor.migrate(before)
    owner = django_user_model.objects.create_user("early")
    done = Job.objects.create(owner=owner, model="dall-e-2", status="done", cost_estimate="0.02", cost_actual="0.02")
    failed = Job.objects.create(owner=owner, model="dall-e-2", status="failed", cost_estimate="0.02")
    waiting = Job.objects.create(owner=owner, model="dall-e-2", status="queued", cost_estimate="0.04")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("spending"))
    found = {c.job_id: (c.state, c.amount) for c in Charge.objects.all()}
    assert found == {done.pk: ("settled", Decimal("0.02")), failed.pk: ("released", 0),
                     waiting.pk: ("reserved", Decimal("0.04"))}

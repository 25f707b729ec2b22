"""The ledger starts with every job made before it: the spend page reads the ledger only.

Finished jobs are charged what they cost (nothing: released); unfinished ones hold their estimate, and
settle as the pipeline reaches them. Models by name (apps.get_model), so spending imports no generation code.
"""
from decimal import Decimal

from django.db import migrations

FINISHED = ("done", "partially_failed", "failed")


def backfill(apps, schema_editor):
    Job = apps.get_model("generation", "Job")
    Charge = apps.get_model("spending", "Charge")
    have = set(Charge.objects.values_list("job_id", flat=True))
    batch = []
    for job in Job.objects.exclude(pk__in=have).iterator(chunk_size=2000):
        estimate = job.cost_estimate or Decimal(0)
        if job.status in FINISHED:
            state = "settled" if job.cost_actual else "released"
            amount = job.cost_actual or Decimal(0)
        else:
            state, amount = "reserved", estimate
        batch.append(Charge(job_id=job.pk, user_id=job.owner_id, team_id=job.team_id, model=job.model,
                            reserved=estimate, amount=amount, state=state, created_at=job.created_at,
                            settled_at=job.finished_at))
        if len(batch) >= 2000:
            Charge.objects.bulk_create(batch)
            batch = []
    Charge.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("spending", "0001_initial"),
        ("generation", "0003_job_paid_lost_calls"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

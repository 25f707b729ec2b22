"""Reservations: held before the call, settled to the charge, released when nothing was charged; months."""
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from prometheus_client import REGISTRY

from studio.generation import services
from studio.generation.models import Job
from studio.spending import budgets
from studio.spending.errors import OverBudget
from studio.spending.models import Charge

pytestmark = pytest.mark.django_db

TWO_SMALL = {"size": "256x256", "n": 2}  # dall-e-2: $0.016 an image


def submit(user, team=None, **params):
    return services.submit_job(user=user, team=team, model="dall-e-2", prompt="a kite",
                               params=params or dict(TWO_SMALL))


def test_a_job_reserves_its_estimate_and_settles_to_what_the_provider_charged(people, team, run_inline):
    job = submit(people["owner"], team)
    charge = Charge.objects.get(job_id=job.pk)
    assert (charge.state, charge.reserved, charge.amount, charge.team) == ("reserved", Decimal("0.032"),
                                                                           Decimal("0.032"), team)
    run_inline(job)
    charge.refresh_from_db()
    assert charge.state == "settled" and charge.amount == job.cost_actual == Decimal("0.032")


def test_a_hard_budget_refuses_what_does_not_fit_and_says_who_can_raise_it(people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.05"), hard=True)
    submit(people["teammate"], team)  # 0.032 of 0.05
    refusals = REGISTRY.get_sample_value("studio_budget_refusals_total") or 0
    with pytest.raises(OverBudget) as refused:
        submit(people["teammate"], team)
    assert REGISTRY.get_sample_value("studio_budget_refusals_total") == refusals + 1
    message = refused.value.message
    assert "up to $0.032" in message and "only $0.018 is left" in message
    assert "team Design's monthly budget of $0.05" in message and "A team owner (owner) can raise it" in message
    assert "resets on 1 " in message
    assert refused.value.code == "insufficient_quota"
    assert Job.objects.count() == Charge.objects.count() == 1  # nothing of the refused job was kept
    submit(people["teammate"])  # their own account is not the team's budget


def test_a_soft_budget_warns_and_lets_the_job_through(people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.01"), hard=False)
    job = submit(people["teammate"], team)
    assert Job.objects.filter(pk=job.pk).exists()
    assert len(job.budget_warnings) == 1 and "soft budget" in job.budget_warnings[0]


def test_a_person_budget_counts_across_teams_and_a_token_budget_counts_the_token(people, team):
    from studio.accounts.token_services import create_token

    budgets.set_budget(actor=None, user=people["owner"], monthly_usd=Decimal("0.04"))
    submit(people["owner"], team)
    with pytest.raises(OverBudget, match="owner's personal budget"):
        submit(people["owner"])
    token, _secret = create_token(user=people["teammate"], name="script")
    budgets.set_budget(actor=None, token=token, monthly_usd=Decimal("0.02"))
    with pytest.raises(OverBudget, match="API token 'script'"):
        services.submit_job(user=people["teammate"], model="dall-e-2", prompt="x", params=dict(TWO_SMALL),
                            api_token=token, via="api")
    submit(people["teammate"])  # without the token, its budget does not apply


def test_a_reservation_is_released_when_the_call_fails_with_a_4xx(people, team, run_inline):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.04"))
    job = services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="forbidden-word at sea",
                              params=dict(TWO_SMALL))
    run_inline(job)
    assert job.status == "failed" and job.failure_code == "moderation_blocked", job.failure_message
    charge = Charge.objects.get(job_id=job.pk)
    assert (charge.state, charge.amount) == ("released", 0)
    submit(people["owner"], team)  # the released 0.032 fits again


def test_a_job_charged_by_the_provider_stays_charged_when_its_downloads_fail(people, team, run_inline, standin):
    from studio.gallery.models import Image

    job = submit(people["owner"], team)
    services.run_job(job.pk)
    for image in Image.objects.filter(job=job):
        services.finish_image(image, Image.Status.FAILED, "lost")
    job.refresh_from_db()
    assert job.status == "failed"
    charge = Charge.objects.get(job_id=job.pk)
    assert (charge.state, charge.amount) == ("settled", Decimal("0.032"))


def test_try_again_reserves_again(people, team, run_inline):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.05"))
    job = submit(people["owner"], team)
    with pytest.raises(OverBudget):
        services.retry_job(job, user=people["owner"])


def test_the_budget_resets_when_the_month_turns(people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.04"))
    with time_machine.travel(datetime(2026, 1, 31, 23, 59, tzinfo=dt_timezone.utc), tick=False):
        submit(people["owner"], team)
        with pytest.raises(OverBudget, match="resets on 1 February 2026"):
            submit(people["owner"], team)
    with time_machine.travel(datetime(2026, 2, 1, 0, 0, 1, tzinfo=dt_timezone.utc), tick=False):
        submit(people["owner"], team)  # a new month: January's reservations no longer count
        with pytest.raises(OverBudget, match="resets on 1 March 2026"):
            submit(people["owner"], team)


def test_the_sweeper_keeps_a_reservation_it_retries_and_charges_it_when_it_gives_up(people, team, settings):
    from studio.generation.services.sweeping import SweepReport, retry_interrupted

    job = submit(people["owner"], team)
    Job.objects.filter(pk=job.pk).update(status="interrupted", interruptions=1)
    retry_interrupted(SweepReport())  # its retry runs the same job: the reservation stays
    assert Charge.objects.get(job_id=job.pk).state == "reserved"
    Job.objects.filter(pk=job.pk).update(status="interrupted", interruptions=settings.STUDIO_INTERRUPTED_RETRY_LIMIT + 1)
    report = SweepReport()
    retry_interrupted(report)
    assert report.given_up == [job.pk]
    charge = Charge.objects.get(job_id=job.pk)
    # A call cut off mid-way may have been billed: it is counted, not released.
    assert (charge.state, charge.amount) == ("settled", Decimal("0.032"))

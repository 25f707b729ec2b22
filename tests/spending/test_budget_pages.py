"""Where budgets are set and seen: the forms' refusals and estimate line, the owner's team page, the admin,
and manage.py (`team budget`, `person budget`). Every change is one `budget.changed` audit event."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from studio.audit.models import AuditEvent
from studio.generation.models import Job
from studio.spending import budgets
from studio.spending.models import Budget

pytestmark = pytest.mark.django_db


def forget_events():
    """Signing in writes events too: only what follows is counted."""
    AuditEvent.objects.purge_before(timezone.now() + timedelta(seconds=1))

FORM = {"model": "dall-e-2", "prompt": "a lighthouse in fog, kept as typed", "size": "256x256", "n": "3"}


def test_generate_refuses_a_job_over_the_budget_at_the_form_keeping_what_was_typed(client, people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.04"))
    client.force_login(people["teammate"])
    response = client.post("/", {**FORM, "team": str(team.pk)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "only $0.040 is left of team Design&#x27;s monthly budget" in page
    assert "A team owner (owner) can raise it" in page and "resets on 1 " in page
    assert "a lighthouse in fog, kept as typed" in page
    assert not Job.objects.exists()
    assert client.post("/", {**FORM, "n": "2", "team": str(team.pk)}).status_code == 302  # 0.032 fits


def test_a_soft_budget_lets_the_form_through_with_a_warning(client, people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.01"), hard=False)
    client.force_login(people["teammate"])
    response = client.post("/", {**FORM, "team": str(team.pk)}, follow=True)
    assert Job.objects.count() == 1
    assert "it is a soft budget, so the job runs" in response.content.decode()


def test_the_estimate_says_what_is_left_and_that_the_stand_in_charges_nothing(client, people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("5"))
    client.force_login(people["teammate"])
    line = client.get(reverse("generation:estimate"), {"model": "dall-e-2", "size": "256x256", "n": "2",
                                                       "team": str(team.pk)}).content.decode()
    assert line == ("Estimated cost: $0.032 list price (stand-in, not charged) · "
                    "$5.000 left of team Design's $5.00 (hard) this month")
    auto = client.get(reverse("generation:estimate"), {"model": "gpt-image-1", "quality": "auto"}).content.decode()
    assert "up to $" in auto and "this is the most it may cost" in auto
    client.force_login(people["outsider"])  # a team they are not in tells them nothing
    assert "left of" not in client.get(reverse("generation:estimate"), {
        "model": "dall-e-2", "size": "256x256", "team": str(team.pk)}).content.decode()


def test_the_banner_and_the_job_agree_on_list_prices(client, people, run_inline):
    from studio.generation import services

    job = run_inline(services.submit_job(user=people["owner"], model="dall-e-2", prompt="x",
                                         params={"size": "256x256", "n": 1}))
    client.force_login(people["owner"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "cost nothing" not in page
    assert "list price (stand-in, not charged), so budgets can be tried" in page
    assert "cost $0.016 list price (stand-in, not charged)" in page


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 404), ("viewer", 404), ("outsider", 404)])
def test_only_owners_open_the_team_budget_page(client, people, team, who, status):
    client.force_login(people[who])
    assert client.get(reverse("spending:team_budget", args=[team.slug])).status_code == status
    assert client.post(reverse("spending:team_budget", args=[team.slug]),
                       {"monthly_usd": "9", "hard": "hard"}).status_code in (status, 302)
    assert Budget.objects.filter(team=team).exists() is (who == "owner")


def test_an_owner_sets_the_budget_and_limits_and_one_event_is_recorded(client, people, team):
    client.force_login(people["owner"])
    url = reverse("spending:team_budget", args=[team.slug])
    bad = client.post(url, {"monthly_usd": "-3", "hard": "soft", "images_per_minute": "0"})
    assert bad.status_code == 422 and "greater than or equal to 0" in bad.content.decode()
    forget_events()
    assert client.post(url, {"monthly_usd": "25.50", "hard": "soft", "images_per_minute": "12",
                             "concurrent_jobs": ""}).status_code == 302
    budget = Budget.objects.get(team=team)
    assert (budget.monthly_usd, budget.hard, budget.images_per_minute, budget.concurrent_jobs) == (
        Decimal("25.50"), False, 12, None)
    event = AuditEvent.objects.get(action="budget.changed")
    assert (event.action, event.actor, event.team) == ("budget.changed", people["owner"], team)
    assert "$25.50 a month, soft" in event.summary
    page = client.get(url).content.decode()
    assert 'value="25.50"' in page and 'value="soft" required id="id_hard_1" checked' in page


def test_manage_py_team_budget_and_person_budget(people, team, capsys):
    call_command("team", "budget", "Design", "--monthly", "40", "--soft")
    assert "team Design: $40.00 a month, soft." in capsys.readouterr().out
    call_command("team", "budget", "Design", "--monthly", "45")  # keeps soft
    assert Budget.objects.get(team=team).hard is False
    call_command("person", "budget", "teammate", "--monthly", "5", "--hard")
    assert "teammate's personal budget: $5.00 a month, hard." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="budget.changed").count() == 3
    with pytest.raises(CommandError, match="No team named 'Nope'"):
        call_command("team", "budget", "Nope", "--monthly", "1")
    with pytest.raises(CommandError, match="an amount in USD"):
        call_command("person", "budget", "teammate", "--monthly", "lots")
    with pytest.raises(CommandError, match="No person"):
        call_command("person", "budget", "nobody", "--monthly", "1")
    call_command("team", "create", "Ops")  # accounts' own subcommands still work
    call_command("person", "budget", "teammate", "--monthly", "none")
    assert Budget.objects.get(user=people["teammate"]).monthly_usd is None


def test_staff_set_budgets_in_the_admin_and_each_save_is_audited(client, people, team):
    staff = people["outsider"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    forget_events()
    response = client.post("/admin/spending/budget/add/", {"user": str(people["teammate"].pk), "monthly_usd": "7",
                                                           "hard": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    budget = Budget.objects.get(user=people["teammate"])
    response = client.post(f"/admin/spending/budget/{budget.pk}/change/", {"user": str(people["teammate"].pk),
                                                                          "monthly_usd": "8"})
    assert response.status_code == 302
    summaries = list(AuditEvent.objects.filter(action="budget.changed").order_by("pk").values_list("summary",
                                                                                                   flat=True))
    assert summaries == ["teammate's personal budget: $7.00 a month, hard",
                         "teammate's personal budget: $7.00 a month, hard → $8.00 a month, soft"]


def test_the_variation_form_refuses_too_and_keeps_the_choices(client, people, team):
    from tests.gallery.factories import make_image

    image = make_image(people["owner"], team, prompt="a harbour")
    jobs = Job.objects.count()  # the picture's own
    budgets.set_budget(actor=None, user=people["owner"], monthly_usd=Decimal("0.01"))
    client.force_login(people["owner"])
    response = client.post(f"/images/{image.pk}/variation", {"model": "dall-e-2", "size": "256x256", "n": "4"})
    assert response.status_code == 422, response.content.decode()[:3000]
    page = response.content.decode()
    assert "only $0.010 is left of owner&#x27;s personal budget" in page and "An administrator can raise it" in page
    assert Job.objects.count() == jobs

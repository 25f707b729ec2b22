"""Alerts at 80 % and 100 %: an email and an in-app notice to the team's owners (or the person), once each
per month."""
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine

from studio.generation import services
from studio.spending import budgets
from studio.spending.models import Notice

pytestmark = pytest.mark.django_db


def submit(user, team=None, n=1):
    return services.submit_job(user=user, team=team, model="dall-e-2", prompt="a kite",
                               params={"size": "256x256", "n": n})


@pytest.fixture
def emails(people):
    people["owner"].email = "owner@example.test"
    people["owner"].save()
    people["teammate"].email = "teammate@example.test"
    people["teammate"].save()


def test_team_owners_hear_at_80_and_100_percent_once_per_month(people, team, emails, mailoutbox,
                                                               django_capture_on_commit_callbacks, client):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.10"), hard=False)  # soft: jobs go on
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=dt_timezone.utc), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submit(people["teammate"], team, n=4)  # 0.064: 64 %
        assert mailoutbox == []
        with django_capture_on_commit_callbacks(execute=True):
            submit(people["teammate"], team, n=1)  # 0.080: 80 %
        assert [m.to for m in mailoutbox] == [["owner@example.test"]]  # owners only, not the teammate
        assert "80 % used" in mailoutbox[0].subject and "$0.08 of $0.10 in March 2026" in mailoutbox[0].body
        with django_capture_on_commit_callbacks(execute=True):
            submit(people["teammate"], team, n=1)  # 96 %: the 80 % alert is not sent again
        assert len(mailoutbox) == 1
        with django_capture_on_commit_callbacks(execute=True):
            submit(people["teammate"], team, n=1)
            submit(people["teammate"], team, n=1)  # past 100 %
        assert len(mailoutbox) == 2 and "used up" in mailoutbox[1].subject
        assert Notice.objects.filter(user=people["owner"]).count() == 2
        assert not Notice.objects.filter(user=people["teammate"]).exists()
        client.force_login(people["owner"])
        page = client.get("/spend/").content.decode()
        assert "The monthly budget of team Design is used up" in page  # the notice, on every page
        notice = Notice.objects.get(user=people["owner"], message__contains="used up")
        assert client.post(f"/notices/{notice.pk}/dismiss", {"next": "//evil.example/"})["Location"] == "/"
        assert client.post(f"/notices/{notice.pk}/dismiss", {"next": "/spend/"})["Location"] == "/spend/"
        assert "is used up" not in client.get("/spend/").content.decode()
        client.force_login(people["teammate"])
        assert client.post(f"/notices/{notice.pk}/dismiss").status_code == 404  # not theirs
    with time_machine.travel(datetime(2026, 4, 2, 12, tzinfo=dt_timezone.utc), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submit(people["teammate"], team, n=5)  # a new month crosses 80 % again
        assert len(mailoutbox) == 3 and "80 % used" in mailoutbox[2].subject


def test_a_person_hears_about_their_own_budget(people, emails, mailoutbox, django_capture_on_commit_callbacks):
    budgets.set_budget(actor=None, user=people["teammate"], monthly_usd=Decimal("0.08"))
    with django_capture_on_commit_callbacks(execute=True):
        submit(people["teammate"], n=5)  # exactly the budget: 100 % (and 80 % with it, in one message)
    assert [m.to for m in mailoutbox] == [["teammate@example.test"]]
    assert "used up" in mailoutbox[0].subject and "new jobs are refused" in mailoutbox[0].body

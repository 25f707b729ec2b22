"""/spend/: from the ledger, by person (owners) and by model, an SVG chart with the budget line and a
forecast, and a formula-safe CSV."""
import csv
import io
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine

from studio.generation import services
from studio.spending import budgets

pytestmark = pytest.mark.django_db


def test_spend_page_sums_the_ledger_per_person_and_team(client, people, team, run_inline):
    for who in ("owner", "teammate"):
        job = services.submit_job(user=people[who], team=team, model="dall-e-2", prompt="a kite",
                                  params={"size": "256x256", "n": 2})
        run_inline(job)
        assert job.cost_actual == Decimal("0.032")

    client.force_login(people["owner"])
    page = client.get("/spend/").content.decode()
    assert "$0.032" in page  # the owner's own month
    assert "$0.064" in page  # the team's month
    assert 'data-label="Person">teammate</td>' in page  # owners see who spent it
    assert 'data-label="Model">dall-e-2</td>' in page
    assert "/teams/design/budget/" in page  # owners may change it from here

    client.force_login(people["teammate"])
    page = client.get("/spend/").content.decode()
    assert "$0.064" in page and "By person" not in page and "/teams/design/budget/" not in page

    client.force_login(people["outsider"])
    page = client.get("/spend/").content.decode()
    assert "$0.064" not in page and "Team Design" not in page and "Nothing spent yet" in page


def test_the_chart_draws_each_day_the_budget_line_and_a_forecast_at_the_current_pace(client, people, team):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("1.00"))
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=dt_timezone.utc), tick=False):
        services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="x",
                            params={"size": "256x256", "n": 5})  # 0.08 on 1 June
    with time_machine.travel(datetime(2026, 6, 10, 12, tzinfo=dt_timezone.utc), tick=False):
        services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="x",
                            params={"size": "256x256", "n": 5})  # 0.16 by 10 June
        client.force_login(people["owner"])
        page = client.get("/spend/").content.decode()
    team_part = page[page.index("Team Design"):]
    svg = team_part[team_part.index("<svg"):team_part.index("</svg>")]
    assert svg.count("<rect") == 10  # one bar per day so far
    assert "10 Jun: $0.080 that day, $0.160 so far" in svg
    assert "data-budget-line" in svg and "data-forecast-line" in svg
    # $0.16 over 9.5 days, for 30 days
    assert "Forecast for the month at this pace: <strong data-forecast>$0.51</strong>" in team_part
    assert "$0.840 left" in team_part
    with time_machine.travel(datetime(2026, 6, 10, 12, tzinfo=dt_timezone.utc), tick=False):
        earlier = client.get("/spend/?month=2026-05").content.decode()
    assert "Spend in May 2026" in earlier and "data-forecast-line" not in earlier


def test_the_csv_is_formula_safe_and_holds_only_what_the_person_may_see(client, people, team):
    from studio.accounts.models import Team

    evil = Team.objects.create(name="=HYPERLINK(1)")
    from studio.accounts.models import Membership

    Membership.objects.create(team=evil, user=people["teammate"], role=Membership.Role.OWNER)
    services.submit_job(user=people["teammate"], team=evil, model="dall-e-2", prompt="x",
                        params={"size": "256x256", "n": 1})
    services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="x",
                        params={"size": "256x256", "n": 1})
    client.force_login(people["teammate"])
    response = client.get("/spend/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["team"] for row in rows] == ["'=HYPERLINK(1)"]  # not the owner's Design job: not their team
    client.force_login(people["owner"])
    rows = list(csv.DictReader(io.StringIO(client.get("/spend/export.csv").content.decode())))
    assert [(row["person"], row["team"], row["state"], row["amount_usd"]) for row in rows] == [
        ("owner", "Design", "Reserved", "0.016000")]

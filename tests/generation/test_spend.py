from decimal import Decimal

import pytest

from studio.generation import services

pytestmark = pytest.mark.django_db


def test_spend_page_sums_actual_costs_per_person_and_team(client, people, team, run_inline):
    for who in ("owner", "teammate"):
        job = services.submit_job(user=people[who], team=team, model="dall-e-2", prompt="a kite",
                                  params={"size": "256x256", "n": 2})
        run_inline(job)
        assert job.cost_actual == Decimal("0.032")

    client.force_login(people["owner"])
    page = client.get("/spend/").content.decode()
    assert "$0.032" in page  # the owner's own month
    assert "$0.064" in page  # the team's month
    assert "teammate" in page  # owners see who spent it

    client.force_login(people["teammate"])
    page = client.get("/spend/").content.decode()
    assert "$0.064" in page and "By person" not in page

    client.force_login(people["outsider"])
    page = client.get("/spend/").content.decode()
    assert "$0.0" not in page and "Nothing spent yet" in page

"""Per-person rate limits: images per minute through Redis (shared by every process), unfinished jobs at once."""
from decimal import Decimal

import pytest

from studio.generation import services
from studio.spending import budgets, rate_limits
from studio.spending.errors import RateLimited

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, people):
    settings.STUDIO_PERSON_IMAGES_PER_MINUTE = 30
    settings.STUDIO_PERSON_CONCURRENT_JOBS = 8
    for person in people.values():
        rate_limits.reset(person)
    yield settings
    for person in people.values():
        rate_limits.reset(person)


def submit(user, n, team=None):
    return services.submit_job(user=user, team=team, model="dall-e-2", prompt="a kite",
                               params={"size": "256x256", "n": n})


def test_thirty_images_a_minute_then_a_refusal_that_says_when_to_try_again(limits, people):
    for _ in range(3):
        submit(people["owner"], 10)
    with pytest.raises(RateLimited) as refused:
        submit(people["owner"], 2)
    assert refused.value.code == "rate_limit_exceeded"
    assert 1 <= refused.value.retry_after <= 5  # two images drip back in four seconds
    assert "30 images a minute" in refused.value.message and "Try again in" in refused.value.message
    submit(people["teammate"], 10)  # another person has a bucket of their own


def test_unfinished_jobs_at_once_are_capped_and_a_team_may_override_both(limits, people, team):
    limits.STUDIO_PERSON_CONCURRENT_JOBS = 2
    submit(people["owner"], 1)
    submit(people["owner"], 1)
    with pytest.raises(RateLimited, match="2 jobs still running"):
        submit(people["owner"], 1)
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("100"), concurrent_jobs=5, images_per_minute=3)
    submit(people["owner"], 1, team)  # the team lets five run at once
    with pytest.raises(RateLimited, match="3 images a minute"):
        submit(people["owner"], 3, team)


def test_a_refused_job_keeps_nothing_and_takes_no_budget(limits, people, team):
    from studio.generation.models import Job
    from studio.spending.models import Charge

    limits.STUDIO_PERSON_CONCURRENT_JOBS = 1
    submit(people["owner"], 1, team)
    with pytest.raises(RateLimited):
        submit(people["owner"], 1, team)
    assert Job.objects.count() == Charge.objects.count() == 1

"""What image generation cost, per person and per team, per month: reads over Job.cost_actual."""
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth

from studio.accounts.models import Membership

from .models import Job

ZERO = Decimal("0")


def _monthly(jobs, *group_by):
    return (
        jobs.annotate(month=TruncMonth("created_at"))
        .values("month", *group_by)
        .annotate(
            jobs=Count("id"),
            spent=Coalesce(Sum("cost_actual"), ZERO),
            estimated=Coalesce(Sum("cost_estimate"), ZERO),
        )
        .order_by("-month", *group_by)
    )


def my_spend(user):
    """Your own jobs, month by month (whichever team they were for)."""
    return list(_monthly(Job.objects.filter(owner=user)))


def team_spend(user):
    """For each team you belong to, month by month; owners also see who spent it."""
    memberships = Membership.objects.filter(user=user).select_related("team")
    teams = []
    for membership in memberships:
        jobs = Job.objects.filter(team=membership.team)
        entry = {"team": membership.team, "months": list(_monthly(jobs))}
        if membership.role == Membership.Role.OWNER:
            entry["people"] = list(_monthly(jobs, "owner__username"))
        teams.append(entry)
    return teams

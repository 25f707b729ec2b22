"""Audit pages: a team's owners read their team's events; staff read everyone's. Keyset pages, CSV.

Anyone else gets a 404 for a team's audit page, whether the team exists or not.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import Membership
from studio.audit.models import AuditEvent
from studio.csv_safe import SafeDictWriter
from studio.gallery.selectors import keyset_page, my_team, people_of

from ..audit_filters import AuditFilterForm
from .access import staff_only

PAGE_SIZE = 100
CSV_FIELDS = ["time", "person", "team", "action", "object_type", "object_id", "summary", "ip", "user_agent",
              "request_id"]


def _owned_team_or_404(user, slug):
    found = my_team(user, slug)
    if found is None or found[1] != Membership.Role.OWNER:
        raise Http404("No such team.")
    return found[0]


@login_required
def team_audit(request, slug):
    team = _owned_team_or_404(request.user, slug)
    form = AuditFilterForm(request.GET or None)
    return _page(request, form, AuditEvent.objects.for_team(team), title=f"{team.name}: audit trail", team=team,
                 people=[person.get_username() for person in people_of(team)],
                 csv_url=reverse("ops:team_audit_csv", args=[team.slug]))


@login_required
def team_audit_csv(request, slug):
    team = _owned_team_or_404(request.user, slug)
    form = AuditFilterForm(request.GET or None)
    return _csv(form.apply(AuditEvent.objects.for_team(team)), f"audit-{team.slug}")


@staff_only
def all_audit(request):
    form = AuditFilterForm(request.GET or None, with_team=True)
    return _page(request, form, AuditEvent.objects.all(), title="Audit trail: every team", show_team=True,
                 csv_url=reverse("ops:audit_csv"))


@staff_only
def all_audit_csv(request):
    form = AuditFilterForm(request.GET or None, with_team=True)
    return _csv(form.apply(AuditEvent.objects.all()), "audit-all")


def _page(request, form, events, *, csv_url, **extra):
    page = keyset_page(form.apply(events), request.GET.get("after"), PAGE_SIZE, field="time")
    query = form.query if form.is_bound else {}
    next_query = urlencode({**query, "after": page.next_cursor}) if page.next_cursor else None
    return render(request, "ops/audit.html", {
        "form": form, "events": page.items, "next_query": next_query,
        "csv_href": csv_url + ("?" + urlencode(query) if query else ""), "audit_days": settings.STUDIO_AUDIT_DAYS,
        **extra,
    })


class _Echo:
    """A file that hands back what is written to it, so csv rows can be streamed as they are made."""

    def write(self, value):
        return value


def _csv(events, name: str):
    def rows():
        writer = SafeDictWriter(_Echo(), fieldnames=CSV_FIELDS)
        yield writer.writeheader()
        for event in events.order_by("-time", "-id").iterator(chunk_size=2000):
            yield writer.writerow({
                "time": event.time.isoformat(), "person": event.actor_name, "team": event.team_name,
                "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
                "summary": event.summary, "ip": event.ip or "", "user_agent": event.user_agent,
                "request_id": event.request_id,
            })

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.now():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response

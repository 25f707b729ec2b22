"""The spend page, its CSV, a team's budget settings, and dismissing a notice."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from studio.accounts import selectors as account_selectors
from studio.csv_safe import SafeDictWriter

from . import budgets, notices, selectors
from .forms import TeamBudgetForm
from .models import Budget, Notice, month_start, next_month_start


@login_required
def spend(request):
    start = selectors.month_from_query(request.GET.get("month"))
    previous = month_start(start - timedelta(days=1))
    upcoming = next_month_start(start)
    return render(request, "spending/spend.html", {
        "sections": selectors.spend_sections(request.user, start), "month": start,
        "previous": previous, "next": upcoming if upcoming <= timezone.now() else None,
    })


@login_required
def export(request):
    start = selectors.month_from_query(request.GET.get("month"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="studio-spend-{start:%Y-%m}.csv"'
    writer = SafeDictWriter(response, fieldnames=selectors.EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows(selectors.export_rows(request.user, start))
    return response


def _owned_team_or_404(request, slug):
    team = account_selectors.owned_team(request.user, slug)
    if team is None:
        raise Http404("No such team.")  # members and outsiders learn nothing
    return team


@login_required
def team_budget(request, slug):
    team = _owned_team_or_404(request, slug)
    budget = Budget.objects.filter(team=team).first() or Budget(team=team)
    form = TeamBudgetForm(request.POST or None, instance=budget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        budgets.set_budget(actor=request.user, team=team, monthly_usd=data["monthly_usd"], hard=data["hard"],
                           images_per_minute=data["images_per_minute"], concurrent_jobs=data["concurrent_jobs"])
        messages.success(request, "Budget saved.")
        return redirect("spending:team_budget", team.slug)
    return render(request, "spending/team_budget.html", {"team": team, "form": form, "budget": budget},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def dismiss_notice(request, pk):
    notices.dismiss(get_object_or_404(Notice, pk=pk, user=request.user), actor=request.user)
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if safe else "/")

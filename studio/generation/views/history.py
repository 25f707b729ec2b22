"""Prompt history (yours, a team's) with "Use again" (spend moved to the spending app's ledger).

History shows the jobs that left images you may still see; each image goes through `visible_to`.
"""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from studio.gallery.selectors import my_team, teams_of

from .. import selectors
from ..links import use_again_url


@login_required
def history(request, slug=None):
    team = None
    if slug is not None:
        found = my_team(request.user, slug)
        if found is None:
            raise Http404("No such team.")  # a team you are not in is a 404 like a missing one
        team = found[0]
    query = request.GET.get("q", "").strip()[:200]
    page = selectors.history_page(request.user, team=team, cursor=request.GET.get("after"), query=query)
    for job in page.items:
        job.use_again_url = use_again_url(job)
    next_query = urlencode({**({"q": query} if query else {}), "after": page.next_cursor}) if page.next_cursor else None
    return render(request, "generation/history.html", {
        "jobs": page.items, "page": page, "next_query": next_query, "team": team, "query": query,
        "title": f"{team.name} prompt history" if team else "My prompt history", "teams": teams_of(request.user),
    })

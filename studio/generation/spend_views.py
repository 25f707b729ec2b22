from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from . import spend


@login_required
def spend_page(request):
    return render(request, "generation/spend.html", {"mine": spend.my_spend(request.user), "teams": spend.team_spend(request.user)})


urlpatterns = [path("spend/", spend_page, name="spend")]

"""The operations page for staff, and the fragment it refreshes itself with."""
from django.conf import settings
from django.shortcuts import render

from .. import dashboard
from .access import staff_only

REFRESH_SECONDS = 5


@staff_only
def ops_page(request):
    return render(request, "ops/dashboard.html", _context())


@staff_only
def ops_live(request):
    return render(request, "ops/_live.html", _context())


def _context() -> dict:
    return {**dashboard.figures(), "refresh": REFRESH_SECONDS, "sweep_seconds": settings.STUDIO_SWEEP_SECONDS}

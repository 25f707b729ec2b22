"""Who may open operations pages: staff; everyone else gets a 404, as for anything not theirs."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def staff_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper

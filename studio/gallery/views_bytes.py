"""The decorator of every view that answers image bytes."""
from functools import wraps

from django.http import Http404


def bytes_view(view):
    """Signed-in only, and 404 (not a redirect) for everyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404("No such image.")
        return view(request, *args, **kwargs)

    return wrapper

"""The 500 page: rendered from a template alone, with no request context, so it still works when the
database, the session or a context processor is what broke. 404.html and 403.html are Django's own
handlers with our templates (they may use the request: nothing failed but the address)."""
from django.http import HttpResponseServerError
from django.template import loader


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())

"""/healthz (the process serves), /readyz (it can reach what it needs), /metrics (Prometheus text).

None of them needs a session: probes and scrapers have none. /metrics asks for its own token instead.
"""
from hmac import compare_digest

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from .. import exposition, probes


@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request):
    results = probes.readiness()
    ready = all(result.ok for result in results.values())
    body = {"status": "ready" if ready else "not ready", **{name: r.as_dict() for name, r in results.items()}}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
def metrics(request):
    token = settings.STUDIO_METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set STUDIO_METRICS_TOKEN.")
    given = request.headers.get("Authorization", "")
    if not compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is needed (STUDIO_METRICS_TOKEN).\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition.render(), content_type=CONTENT_TYPE_LATEST)

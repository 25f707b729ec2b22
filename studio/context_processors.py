from django.utils.functional import SimpleLazyObject

from studio.models_registry.providers import get_provider


def _banner() -> dict:
    try:
        provider = get_provider()
    except Exception:  # a misconfigured provider must not take every page down with it
        return {"is_standin": False, "problem": True}
    return {"is_standin": provider.is_standin, "problem": False}


def provider_banner(request):
    """Tell every page plainly when pictures come from the local stand-in rather than a real provider.

    Lazy: only base.html reads it, so the fragments htmx polls every second (job status, badges)
    render without asking the database for the provider.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"provider_banner": SimpleLazyObject(_banner)}

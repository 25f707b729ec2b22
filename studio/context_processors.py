from studio.models_registry.providers import get_provider


def provider_banner(request):
    """Tell every page plainly when pictures come from the local stand-in rather than a real provider."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    try:
        provider = get_provider()
    except Exception:  # a misconfigured provider must not take every page down with it
        return {"provider_problem": True}
    return {"provider_is_standin": provider.is_standin, "provider_name": provider.name}

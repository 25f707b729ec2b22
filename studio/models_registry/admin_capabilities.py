"""The provider admin's capabilities section, what Studio learned, and "Test this provider".

A mixin for ProviderAdmin, kept apart from the key and form handling in admin.py. The environment's
provider has no row; its page is reached from the provider list ("The environment's provider").
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from studio.audit.services import record

from . import learning
from .models import LearnedFacts
from .probe import cheapest_request, probe
from .providers import ProviderConfig, UnknownProvider, config_from_row, default_provider, get_provider, listing

CAPABILITY_FIELDS = ("streaming", "response_format", "endpoints", "download_hosts", "retry_limit")


def describe_facts(provider: ProviderConfig, facts: LearnedFacts | None) -> list[str]:
    """What Studio learned about a provider, in sentences (with when and why)."""
    if facts is None:
        return ["Nothing yet: Studio learns as it calls this provider."]
    out = []
    if facts.gateway:
        out.append(f"Gateway: {facts.gateway}" + (" (retries upstream itself; Studio does not retry on top)."
                                                  if facts.retries_itself else "."))
    if facts.streams is not None:
        state = "streams" if facts.streams else "does not stream"
        when = f" on {facts.streams_learned_at:%d %b %Y %H:%M} UTC" if facts.streams_learned_at else ""
        out.append(f"Streaming: {state} (learned{when}: {facts.streams_why})")
    for endpoint, note in sorted((facts.missing_endpoints or {}).items()):
        out.append(f"Missing endpoint /v1/images/{endpoint} (learned {note.get('at', '')}: {note.get('why', '')})")
    if facts.listing_failed:
        out.append(f"Model listing failed on {facts.listing_failed_at:%d %b %Y %H:%M} UTC: {facts.listing_error}")
    if facts.listed_models:
        when = f"{facts.listed_at:%d %b %Y %H:%M} UTC" if facts.listed_at else "earlier"
        out.append(f"Last good listing ({when}): {', '.join(facts.listed_models)}")
    return out or ["Nothing yet: Studio learns as it calls this provider."]


class CapabilitiesAdminMixin:
    change_form_template = "admin/models_registry/provider/change_form.html"
    change_list_template = "admin/models_registry/provider/change_list.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name in ("streaming", "response_format"):
            if name in form.base_fields:
                form.base_fields[name].required = False  # left out of a POST: the row keeps its value
        return form

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "learned"]

    def get_fieldsets(self, request, obj=None):
        fields = [f for f in self.get_fields(request, obj) if f not in (*CAPABILITY_FIELDS, "learned")]
        capabilities = list(CAPABILITY_FIELDS)
        return [
            (None, {"fields": fields}),
            ("Capabilities: what this provider can do", {
                "fields": capabilities + (["learned"] if obj is not None else []),
                "description": "In “auto” Studio learns by calling the provider; what it learned is listed "
                               "below and cleared by “Test this provider”.",
            }),
        ]

    def learned(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        provider = config_from_row(obj)
        lines = describe_facts(provider, learning.facts_for(provider))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    learned.short_description = "What Studio learned"

    def get_urls(self):
        own = [path("test/<str:name>/", self.admin_site.admin_view(self.test_provider_view),
                    name="models_registry_provider_test")]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        env = default_provider()
        extra_context = {**(extra_context or {}), "environment_provider": env,
                         "environment_test_url": reverse("admin:models_registry_provider_test", args=[env.name])}
        return super().changelist_view(request, extra_context)

    def test_provider_view(self, request, name):
        """GET: the listing, what was learned, and the one paid call it would make. POST (confirmed): test."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            provider = get_provider(name)
        except UnknownProvider:
            raise Http404("No such provider.") from None
        report = None
        if request.method == "POST":
            if request.POST.get("confirm") != "yes":
                messages.error(request, "Tick the box to confirm the paid call first; nothing was sent.")
            else:
                report = probe(provider, paid=True)
                record("provider.tested", actor=request.user, object_type="provider", object_id=provider.name,
                       summary=f"Tested provider {provider.name}: one paid call ({report.paid_model or 'none'}).")
        found = listing(provider)
        cheapest = cheapest_request(provider)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Test provider {provider.name}",
            "provider": provider,
            "listing": found,
            "listed_ids": sorted(found.ids or ()),
            "facts": describe_facts(provider, learning.facts_for(provider)),
            "cheapest": cheapest,
            "report": report,
        }
        return TemplateResponse(request, "admin/models_registry/provider/test.html", context)

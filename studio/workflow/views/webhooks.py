"""A team's webhooks: its owners list, register, change and delete them and read each one's deliveries."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from studio.accounts import selectors as account_selectors
from studio.confirming import confirm_page

from .. import webhook_services
from ..models import Webhook, WebhookDelivery
from ..webhook_forms import WebhookForm

DELIVERIES_SHOWN = 50


def _owned_team_or_404(request, slug):
    team = account_selectors.owned_team(request.user, slug)
    if team is None:
        raise Http404("No such team.")
    return team


def _webhook_or_404(request, slug, webhook_id) -> Webhook:
    team = _owned_team_or_404(request, slug)
    webhook = Webhook.objects.filter(team=team, pk=webhook_id).select_related("team").first()
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request, slug):
    team = _owned_team_or_404(request, slug)
    form = WebhookForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        webhook = webhook_services.create_webhook(team=team, user=request.user, url=data["url"],
                                                  events=data["events"], active=data["active"])
        messages.success(request, "Webhook registered. Its secret is on its page.")
        return redirect(webhook)
    return render(request, "workflow/webhooks.html", {"team": team, "form": form, "webhooks": team.webhooks.all()},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request, slug, webhook_id):
    webhook = _webhook_or_404(request, slug, webhook_id)
    initial = {"url": webhook.url, "events": webhook.events, "active": webhook.active}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        webhook_services.change_webhook(webhook, user=request.user, url=data["url"], events=data["events"],
                                        active=data["active"])
        messages.success(request, "Webhook saved.")
        return redirect(webhook)
    deliveries = (WebhookDelivery.objects.filter(webhook=webhook).prefetch_related("tries")[:DELIVERIES_SHOWN])
    return render(request, "workflow/webhook.html", {
        "team": webhook.team, "webhook": webhook, "form": form, "deliveries": deliveries,
        "signature_header": webhook_services.SIGNATURE_HEADER,
    }, status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, slug, webhook_id):
    webhook = _webhook_or_404(request, slug, webhook_id)
    if request.method == "GET":
        return confirm_page(request, question="Delete this webhook?",
                            detail=f"Studio stops sending events to {webhook.url}; its delivery log goes too.",
                            button="Delete webhook", cancel_url=webhook.get_absolute_url())
    team = webhook.team
    webhook_services.delete_webhook(webhook, user=request.user)
    messages.success(request, "Webhook deleted.")
    return redirect("workflow:webhooks", team.slug)

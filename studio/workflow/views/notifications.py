"""A person's notifications: the list, opening one (which marks it read), all read, and email settings."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from studio.generation.models import Job

from .. import notification_services, watching
from ..models import Notification

PAGE = 100


@login_required
def notification_list(request):
    notifications = Notification.objects.for_user(request.user).select_related("actor")[:PAGE]
    return render(request, "workflow/notifications.html", {"notifications": notifications})


@login_required
def unread_count(request):
    """The navigation's badge, fetched after each page (htmx) so pages pay no query for it."""
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(request, "workflow/_unread.html", {"unread": unread})


@login_required
def notification_open(request, notification_id):
    notification = Notification.objects.for_user(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    notification_services.mark_read(notification)
    # The url was written by Studio, but check anyway: a notification only ever leads inside Studio.
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("workflow:notifications")
    return redirect(notification.url)


@login_required
@require_POST
def notifications_read(request):
    notification_services.mark_all_read(request.user)
    return redirect("workflow:notifications")


@login_required
@require_POST
def notification_settings(request):
    mentions, batches = request.POST.get("email_mentions") == "1", request.POST.get("email_batches") == "1"
    notification_services.set_email(request.user, mentions=mentions, batches=batches)
    said = [what for what, on in (("mentions", mentions), ("finished batches", batches)) if on]
    messages.success(request, f"Email for {' and '.join(said)}." if said else "No notifications by email.")
    return redirect("accounts:account")


@login_required
def job_watching(request, pk):
    """Asked every few seconds by an open job page (its slot), so its end is announced only to who left."""
    job = Job.objects.visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("No such job.")
    watching.mark("job", job.pk, request.user.pk)
    return HttpResponse("", content_type="text/html")

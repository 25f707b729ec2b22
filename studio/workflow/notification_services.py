"""Notifications: the in-app row for each, and mail for mentions (when the person wants it).

Mail goes after commit, so a rolled-back comment sends nothing; a mail server that refuses is logged
and costs nothing else (the in-app notification is there either way).
"""
import logging
import smtplib

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from studio.audit.services import record
from studio.generation.services import events

from .models import Notification, NotificationSettings

log = logging.getLogger(__name__)


def notify(*, recipients, actor, kind: str, text: str, url: str) -> list[Notification]:
    """One notification per recipient (never the actor: nobody is told what they did themselves)."""
    rows = [Notification(recipient=person, actor=actor, kind=kind, text=text[:300], url=url)
            for person in {p.pk: p for p in recipients if p.pk != actor.pk}.values()]
    made = Notification.objects.bulk_create(rows)
    announce(made)
    return made


def announce(notifications: list[Notification]) -> None:
    """After commit, each recipient's open pages hear that their unread count changed (the event stream)."""
    for user_id in {n.recipient_id for n in notifications}:
        events.publish_to_person(user_id, events.NOTIFIED)


def mail_mentions(notifications: list[Notification], *, link_base: str, body: str) -> None:
    """After commit: the comment by mail to the mentioned who want mentions by email and have an address."""
    wanted = [n for n in notifications if n.recipient.email and NotificationSettings.of(n.recipient).email_mentions]

    def send():
        for notification in wanted:
            context = {"notification": notification, "body": body, "link": link_base.rstrip("/") + notification.url}
            try:
                send_mail(subject=notification.text, message=render_to_string("workflow/mention_email.txt", context),
                          from_email=None, recipient_list=[notification.recipient.email])
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("mention mail to user %s: the mail server did not take it: %s",
                            notification.recipient_id, exc)

    if wanted:
        transaction.on_commit(send)


def mark_read(notification: Notification) -> None:
    """A person's own inbox state, like a read mark in a mail client: not an audit event."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def set_email(user, *, mentions: bool, batches: bool) -> None:
    with transaction.atomic():
        settings_row = NotificationSettings.of(user)
        if settings_row.pk and (settings_row.email_mentions, settings_row.email_batches) == (mentions, batches):
            return
        settings_row.email_mentions, settings_row.email_batches = mentions, batches
        settings_row.save()
        record("notifications.changed", actor=user, object_type="notificationsettings", object_id=user.pk,
               summary=f"email for mentions {'on' if mentions else 'off'}, for finished batches "
                       f"{'on' if batches else 'off'}")


def mail_batch_finished(notification: Notification, *, body: str) -> None:
    """After commit: the finished batch by mail, when its person wants it and has an address."""
    person = notification.recipient
    if not person.email or not NotificationSettings.of(person).email_batches:
        return

    def send():
        try:
            send_mail(subject=notification.text, message=body, from_email=None, recipient_list=[person.email])
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("batch mail to user %s: the mail server did not take it: %s", person.pk, exc)

    transaction.on_commit(send)

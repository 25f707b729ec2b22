"""Webhook tasks, thin: the services hold the work and the delivery rows the truth."""
from celery import shared_task

from . import webhook_services


@shared_task(name="studio.workflow.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    webhook_services.deliver(delivery_id)


@shared_task(name="studio.workflow.tasks.resend_due_webhooks", ignore_result=True)
def resend_due_webhooks() -> None:
    webhook_services.resend_due()

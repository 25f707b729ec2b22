"""The request context travels with every task: attached when a message is sent, bound while it runs.

A web request that submits a job sends `run_job` with its request id and person in a message header;
the worker binds them (and the job or image id from the task's arguments) for the task's length, so
its log lines, the messages it sends in turn (`fetch_image`), and their log lines carry the same ids.
"""
from __future__ import annotations

from dataclasses import asdict

from celery import signals

from studio.audit.context import RequestContext, current, enter, leave, new_request_id

HEADER = "studio_context"
# The fields that travel; address and user agent stay with the request that had them.
CARRIED = ("request_id", "user_id", "username", "job_id")
# Which argument of which task names what it works on.
TASK_ARGUMENT = {
    "studio.generation.tasks.run_job": "job_id",
    "studio.generation.tasks.fetch_image": "image_id",
}


@signals.before_task_publish.connect
def attach_context(sender=None, headers=None, **kwargs) -> None:
    if headers is None:
        return
    context = asdict(current())
    headers[HEADER] = {name: context[name] for name in CARRIED if context[name]}


@signals.task_prerun.connect
def bind_context(task_id=None, task=None, args=None, kwargs=None, **extra) -> None:
    # A worker puts a message's own headers on the request; an eager `apply(headers=...)` nests them.
    carried = dict(getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER) or {})
    carried = {name: value for name, value in carried.items() if name in CARRIED}
    argument = TASK_ARGUMENT.get(task.name)
    if argument and args:
        carried[argument] = args[0]
    context = RequestContext(**{"request_id": new_request_id(), **carried, "task": task.name})
    task.request.studio_context_token = enter(context)


@signals.task_postrun.connect
def unbind_context(task=None, **extra) -> None:
    token = getattr(task.request, "studio_context_token", None)
    if token is not None:
        leave(token)
        task.request.studio_context_token = None

"""How the workflow app joins the lower apps' pages and rules: their signals and registries.

Called once from `WorkflowConfig.ready()`. Lower apps never import workflow; they send signals
(generation.signals) and consult registries (gallery.hooks) that this module fills.
"""
from studio.generation.signals import job_submitted_from_form

from . import preset_selectors, preset_services


def record_preset_of_job(sender, *, job, user, data, **kwargs) -> None:
    """A job form that was filled from a preset carries `preset_version`: remember it on the job."""
    version = preset_selectors.visible_version(user, data.get("preset_version"))
    if version is not None:
        preset_services.remember_use(job=job, version=version)


def connect() -> None:
    job_submitted_from_form.connect(record_preset_of_job, dispatch_uid="workflow.record_preset_of_job")

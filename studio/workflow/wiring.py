"""How the workflow app joins the lower apps' pages and rules: their signals and registries.

Called once from `WorkflowConfig.ready()`. Lower apps never import workflow; they send signals
(generation.signals) and consult registries (gallery.hooks) that this module fills.
"""
from studio.accounts.models import Membership
from studio.gallery import hooks
from studio.generation.signals import job_settled, job_submitted_from_form
from studio.spending.signals import budget_alert

from . import preset_selectors, preset_services, settled_work
from .models import ImageReview

REVIEW_FILTER = hooks.GridFilter(
    param="review", label="Review",
    choices=(("", "Any"), *((state.value, state.label) for state in ImageReview.State)),
    apply=lambda queryset, value: (queryset.exclude(review__state__in=[s for s in ImageReview.State if s != "none"])
                                   if value == ImageReview.State.NONE else queryset.filter(review__state=value)),
)


def record_preset_of_job(sender, *, job, user, data, **kwargs) -> None:
    """A job form that was filled from a preset carries `preset_version`: remember it on the job."""
    version = preset_selectors.visible_version(user, data.get("preset_version"))
    if version is not None:
        preset_services.remember_use(job=job, version=version)


def approved_stays(image, user, role) -> str | None:
    """An approved image goes to the trash only by its maker or the team's owners."""
    if image.is_owned_by(user) or role == Membership.Role.OWNER:
        return None
    if ImageReview.objects.filter(image_id=image.pk, state=ImageReview.State.APPROVED).exists():
        return "This image is approved: only its maker and the team's owners can move it to the trash."
    return None


def connect() -> None:
    job_submitted_from_form.connect(record_preset_of_job, dispatch_uid="workflow.record_preset_of_job")
    job_settled.connect(settled_work.job_settled, dispatch_uid="workflow.settled_work.job_settled")
    budget_alert.connect(settled_work.budget_alert, dispatch_uid="workflow.settled_work.budget_alert")
    hooks.register_grid_filter(REVIEW_FILTER)
    hooks.register_trash_guard(approved_stays)

"""The live check behind every job form: the problems of the form's current state, so a custom size or
a number of images the model refuses is said at the field while the person types, not after submit.

It builds the very form the page submits to (GenerateForm, EditForm or VariationForm) and runs its
`is_valid()`, so the rules are the registry's (`ModelSpec.problems`) exactly as on submit.
"""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from ..forms import EditForm, GenerateForm, VariationForm
from ..models import Job
from .create import edit_inputs

FORMS = {Job.Kind.GENERATE: GenerateForm, Job.Kind.EDIT: EditForm, Job.Kind.VARIATION: VariationForm}


@login_required
def form_problems(request):
    """{"fields": {name: [message, ...]}, "form": [message, ...]} for the query's form state.

    The picture of an edit or a variation is named as on the page (`source`, an image this person may
    see; `upload`, an upload of theirs) and checked the same way: anything else is a 404.
    """
    operation = request.GET.get("operation", Job.Kind.GENERATE)
    form_class = FORMS.get(operation, GenerateForm)
    kwargs = {}
    if form_class is not GenerateForm:
        source, key = edit_inputs(request, request.GET)
        kwargs = {"source": source, "upload_key": key}
    form = form_class(request.GET, user=request.user, **kwargs)
    form.is_valid()
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    response = JsonResponse({"fields": {k: v for k, v in errors.items() if k != "__all__"},
                             "form": errors.get("__all__", [])})
    response["Cache-Control"] = "private, no-store"
    return response

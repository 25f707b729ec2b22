"""The generate, edit and variation forms, built from the model registry and checked with its rules.

The browser shows only the options the chosen model takes (static/studio/job-form.js reads
`ModelSpec.form_schema()`); the server checks the same data, uploads included (`spec.problems` with
`UploadInfo`), so what the page allows and what the server accepts cannot drift apart.
"""
from __future__ import annotations

from django import forms

from studio.accounts.models import remembered_share_team, teams_where_user_can_create
from studio.gallery.models import Image
from studio.models_registry import learning
from studio.models_registry.providers import available_models, get_provider, listing, newest_model
from studio.models_registry.registry import (
    FORM_OPTIONS,
    PARAM_LABELS,
    UnknownModel,
    UploadInfo,
    get_model,
    is_choice_option,
)

from . import uploads
from .models import Job

# What "Use again" links and the draft may carry in the query string.
INITIAL_FROM_QUERY = ("prompt", "model", "team", *FORM_OPTIONS)


def option_field(name: str) -> forms.Field:
    """The form field for one API option of the registry. Field name = parameter name, so a registry
    Problem lands on the right field; the label is the registry's. Choices and ranges are filled per
    model (`JobForm._fill_choices`, and job-form.js from the model's schema)."""
    label = PARAM_LABELS[name]
    if name == "size" or is_choice_option(name):
        return forms.CharField(label=label, required=False, widget=forms.Select)
    attrs = {"min": 1, "inputmode": "numeric"} if name == "n" else {"min": 0, "inputmode": "numeric"}
    return forms.IntegerField(label=label, required=False, initial=1 if name == "n" else None,
                              widget=forms.NumberInput(attrs=attrs))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def initial_from_query(query) -> dict:
    """Initial values from `?prompt=...&model=...&size=...`; unknown keys are ignored."""
    return {k: query.get(k) for k in INITIAL_FROM_QUERY if query.get(k) not in (None, "")}


class JobForm(forms.Form):
    """What every operation shares: prompt, model, the registry's options, and the team to share with."""

    operation = Job.Kind.GENERATE
    prompt_required = True

    prompt = forms.CharField(label="Prompt", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                             strip=False)
    model = forms.ChoiceField(label="Model")
    # The registry's options (FORM_OPTIONS) go here, between the model and the team: see __init__.
    # Always a visible choice, never a hidden field: nobody shares work with a team they were not shown.
    team = forms.ModelChoiceField(label="Share with", queryset=None, required=False, empty_label="Only me",
                                  help_text="Who sees the pictures and pays for them.")

    def __init__(self, *args, user, preferred_model: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        declared = dict(self.fields)
        self.fields = {"prompt": declared.pop("prompt"), "model": declared.pop("model"),
                       **{name: option_field(name) for name in FORM_OPTIONS}, **declared}
        self.user = user
        self.spec = None
        self.provider = get_provider()
        self.listing = listing(self.provider)
        available = available_models(self.provider)
        self.models, self.unavailable = self._offered(spec for spec in available if spec.supports(self.operation))
        self.fields["model"].choices = [(spec.name, spec.menu_text) for spec in self.models]
        teams = teams_where_user_can_create(user)
        self.fields["team"].queryset = teams
        if self.operation != Job.Kind.GENERATE:
            self.fields.pop("moderation", None)  # a generation-only option in every model
        if self.operation == Job.Kind.GENERATE:
            self.fields.pop("input_fidelity", None)
        if not self.is_bound:
            names = [spec.name for spec in self.models]
            chosen = self.initial.get("model")
            if chosen not in names:
                chosen = preferred_model if preferred_model in names else None
            if chosen is None:
                fallback = newest_model(available)
                chosen = fallback.name if fallback and fallback.name in names else (names[0] if names else None)
            self.initial["model"] = chosen
            source = getattr(self, "source", None)
            source_size = (source.params or {}).get("size") if source is not None else None
            if source_size and "size" not in self.initial and chosen and source_size in get_model(chosen).sizes:
                self.initial["size"] = source_size  # by default, results come the size of their source
            if "team" not in self.initial:
                self.initial["team"] = self.default_team(teams)
        self._fill_choices()

    def default_team(self, teams):
        """"Share with" before the person chooses: their last choice on a full form while they may still
        create there (`remembered_share_team`), "Only me" (None) on their first visit."""
        return remembered_share_team(self.user)
    def _offered(self, specs) -> tuple[list, dict[str, list[str]]]:
        """The models this provider can use for the operation, and {why not: [model, ...]} for the rest
        (an endpoint the provider does not offer, as set up or as learned)."""
        facts = learning.facts_for(self.provider)
        offered, missing = [], {}
        for spec in specs:
            endpoint = learning.endpoint_for_call(spec.call_for(self.operation))
            offer = learning.offers(self.provider, endpoint, facts)
            if offer.offered:
                offered.append(spec)
            else:
                missing.setdefault(offer.why, []).append(spec.name)
        return offered, missing

    @property
    def provider_notes(self) -> list[str]:
        """Sentences for the top of the form: a model listing that failed, operations not offered."""
        notes = [] if self.listing.ok else [self.listing.problem]
        for why, names in self.unavailable.items():
            notes.append(f"Not offered here: {', '.join(names)}. {why}")
        return notes

    # -- rendering -------------------------------------------------------------------------------

    def _current_model(self):
        name = self.data.get("model") if self.is_bound else self.initial.get("model")
        try:
            return get_model(name) if name else None
        except UnknownModel:
            return None

    def _fill_choices(self):
        """Give each <select> the chosen model's values, so the page is right before (and without) JS."""
        spec = self._current_model()
        if spec is None or not spec.supports(self.operation):
            return
        schema = spec.form_schema()["operations"][self.operation]
        current = self.data if self.is_bound else self.initial
        sizes = list(schema["size"]["values"])
        size = current.get("size")
        if size and size not in sizes:
            if self.is_bound or schema["size"]["custom"]:
                sizes.append(size)  # a custom WxH or a value to complain about; keep what the person chose
            else:
                self.initial.pop("size", None)  # e.g. the source's size, which this model does not make
        self.fields["size"].widget.choices = [(s, s) for s in sizes]
        if not self.is_bound:
            self.initial.setdefault("size", schema["size"]["default"])
        for name in FORM_OPTIONS:
            if name not in self.fields or name == "size":
                continue
            if is_choice_option(name):
                choice = schema["choices"].get(name)
                self.fields[name].widget.choices = [(v, v) for v in (choice["values"] if choice else [])]
                if choice and not self.is_bound:
                    self.initial.setdefault(name, choice["default"])
            elif name in schema["ranges"]:
                limits = schema["ranges"][name]
                self.fields[name].widget.attrs.update(min=limits["min"], max=limits["max"])
        if schema["prompt"] and schema["prompt"]["max"]:
            self.fields["prompt"].widget.attrs["data-max"] = schema["prompt"]["max"]

    @property
    def schema(self) -> dict:
        return {spec.name: spec.form_schema() for spec in self.models}

    def visible_fields_in_order(self):
        return [self[name] for name in self.fields]

    # -- validation ------------------------------------------------------------------------------

    def upload_infos(self) -> list:
        """The UploadInfo of every picture this request sends (none for a generation)."""
        return []

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("model")
        if not name:
            return cleaned
        try:
            spec = get_model(name)
        except UnknownModel:
            self.add_error("model", f"{name} is not a model Studio knows.")
            return cleaned
        self.spec = spec
        prompt = cleaned.get("prompt") or ""
        if not spec.takes_prompt(self.operation):
            prompt = ""
        elif not prompt.strip():
            if self.prompt_required:
                self.add_error("prompt", "Write a prompt: what should the image show?")
            elif self.operation == Job.Kind.VARIATION:
                prompt = spec.variation_prompt
        cleaned["prompt"] = prompt
        params = {field: cleaned.get(field) for field in FORM_OPTIONS if field in self.fields}
        params = {k: v for k, v in params.items() if v not in (None, "")}
        check = {"prompt": prompt, **params} if prompt.strip() else params
        for problem in spec.problems(self.operation, check, images=self.upload_infos()):
            if problem.field == "prompt" and not prompt.strip():
                continue  # already said above, in the form's own words
            field = problem.field if problem.field in self.fields else self.problem_field(problem.field)
            self.add_error(field, problem.message)
        cleaned["params"] = params
        return cleaned

    def problem_field(self, api_field: str) -> str | None:
        return None

    def job_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": self.operation,
            "model": data["model"],
            "prompt": data["prompt"],
            "params": data["params"],
            "team": data.get("team"),
            "provider": self.provider.name if not self.provider.is_standin else "",
        }


class GenerateForm(JobForm):
    operation = Job.Kind.GENERATE


class _FromPicture(JobForm):
    """Edits and variations start from a picture: an archive image (the parent) and/or an upload key.

    `source` is the archive image, already checked with `visible_to` by the view; `upload_key` is an
    upload of this person (checked with `uploads.owns_key`), e.g. an adapted copy of the source.
    """

    def __init__(self, *args, source: Image | None = None, upload_key: str = "", **kwargs):
        self.source = source
        self.upload_key = upload_key
        self._input_measured = None
        super().__init__(*args, **kwargs)

    def default_team(self, teams):
        """From an archive picture: the picture's team when the person may create there, else "Only me".
        Not the remembered choice: a variation of a private picture is never shared by habit."""
        if self.source is None:
            return super().default_team(teams)
        return teams.filter(pk=self.source.team_id).first() if self.source.team_id else None

    @property
    def input_key(self) -> str:
        return self.upload_key or (self.source.storage_key if self.source else "")

    def input_measured(self, budget: uploads.PixelBudget | None = None):
        if self._input_measured is None and self.input_key:
            self._input_measured = uploads.measure(uploads.read_key(self.input_key), budget=budget)
        return self._input_measured

    def input_problems(self, spec) -> list:
        measured = self.input_measured()
        return uploads.problems(spec, self.operation, measured) if measured else []

    def problem_field(self, api_field: str) -> str | None:
        return None  # problems with the picture belong to the whole form: the picture is not a field


class EditForm(_FromPicture):
    operation = Job.Kind.EDIT

    mask = forms.FileField(label="Mask", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/png"}))
    references = MultipleFileField(label="Reference images", required=False)
    reference_images = forms.ModelMultipleChoiceField(label="From your archive", queryset=Image.objects.none(),
                                                      required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference_images"].queryset = Image.objects.visible_to(self.user).stored()
        self.measured_mask = None
        self.measured_refs: list[tuple[bytes, uploads.Measured]] = []

    # The mask and references are only taken here; clean() counts them against the model's limit first,
    # then reads their headers against one pixel budget, and decodes nothing it does not have to.
    def clean_mask(self):
        return self.cleaned_data.get("mask") or None

    def clean_references(self):
        return self.cleaned_data.get("references") or []

    def _too_many_pictures(self) -> str:
        """Why the pictures sent outnumber what the model takes, from the form alone (nothing read yet)."""
        name = self.cleaned_data.get("model")
        try:
            spec = get_model(name) if name else None
        except UnknownModel:
            spec = None
        limit = spec.images.max_count if spec else max((m.images.max_count for m in self.models), default=1)
        chosen = len(self.data.getlist("reference_images")) if hasattr(self.data, "getlist") else 0
        count = 1 + chosen + len(self.cleaned_data.get("references") or [])
        if count <= limit:
            return ""
        return f"{count} images were given; {spec.name if spec else 'no model'} takes at most {limit} for edits."

    def _measure_uploads(self, budget: uploads.PixelBudget) -> None:
        mask = self.cleaned_data.get("mask")
        if mask:
            try:
                self.measured_mask = uploads.read_picture(mask, role="mask", budget=budget)
            except uploads.UploadRefused as exc:
                self.add_error("mask", f"The mask could not be read: {exc}")
                self.cleaned_data["mask"] = None
        self.measured_refs = []
        for f in self.cleaned_data.get("references") or []:
            try:  # only the first picture's transparency matters to a model
                self.measured_refs.append(uploads.read_picture(f, budget=budget, look_for_alpha=False))
            except uploads.UploadRefused as exc:
                self.add_error("references", f"{f.name}: {exc}")
                break

    def upload_infos(self) -> list:
        measured = self.input_measured()
        infos = [measured.info] if measured else []
        for image in self.cleaned_data.get("reference_images") or []:
            infos.append(_archive_info(image))
        infos += [m.info for _, m in self.measured_refs]
        if self.measured_mask:
            infos.append(self.measured_mask[1].info)
        return infos

    def clean(self):
        if not self.input_key:
            raise forms.ValidationError("Choose a picture to edit first.")
        too_many = self._too_many_pictures()
        if too_many:
            raise forms.ValidationError(too_many)
        budget = uploads.PixelBudget()
        try:
            self.input_measured(budget)
        except uploads.UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        self._measure_uploads(budget)
        if self.errors:
            return self.cleaned_data
        cleaned = super().clean()
        if self.spec and self.input_measured() and self.input_measured().rotated:
            self.add_error(None, uploads.problems(self.spec, self.operation, self.input_measured())[-1].message)
        return cleaned


class VariationForm(_FromPicture):
    operation = Job.Kind.VARIATION
    prompt_required = False

    def upload_infos(self) -> list:
        measured = self.input_measured()
        return [measured.info] if measured else []


def _archive_info(image: Image):
    return UploadInfo(format=image.extension.replace("jpg", "jpeg"), width=image.width or 0,
                      height=image.height or 0, bytes=image.byte_size or 0, role="image")

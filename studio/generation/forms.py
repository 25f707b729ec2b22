"""The generate form, built from the model registry and checked with the registry's own rules.

The browser shows only the options the chosen model takes (static/studio/job-form.js reads
`ModelSpec.form_schema()`); the server checks the same data, so what the page allows and what the
server accepts cannot drift apart.
"""
from django import forms

from studio.accounts.models import teams_where_user_can_create
from studio.models_registry.providers import available_models, default_model, get_provider
from studio.models_registry.registry import UnknownModel, get_model

from .models import Job

# Form field name = API parameter name, so a registry Problem lands on the right field.
OPTION_FIELDS = ("size", "n", "quality", "style", "background", "output_format", "output_compression", "moderation")


class GenerateForm(forms.Form):
    prompt = forms.CharField(label="Prompt", widget=forms.Textarea(attrs={"rows": 4}), required=True,
                             error_messages={"required": "Write a prompt: what should the image show?"})
    model = forms.ChoiceField(label="Model")
    size = forms.CharField(label="Size", required=False, widget=forms.Select)
    n = forms.IntegerField(label="Number of images", initial=1, required=False,
                           widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}))
    quality = forms.CharField(label="Quality", required=False, widget=forms.Select)
    style = forms.CharField(label="Style", required=False, widget=forms.Select)
    background = forms.CharField(label="Background", required=False, widget=forms.Select)
    output_format = forms.CharField(label="Output format", required=False, widget=forms.Select)
    output_compression = forms.IntegerField(label="Compression", required=False,
                                            widget=forms.NumberInput(attrs={"min": 0, "max": 100}))
    moderation = forms.CharField(label="Moderation", required=False, widget=forms.Select)
    team = forms.ModelChoiceField(label="Share with", queryset=None, required=False, empty_label="Only me")

    operation = Job.Kind.GENERATE

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.provider = get_provider()
        self.models = available_models(self.provider)
        self.fields["model"].choices = [(spec.name, spec.label) for spec in self.models]
        if not self.is_bound:
            self.fields["model"].initial = default_model(self.provider).name
        teams = teams_where_user_can_create(user)
        self.fields["team"].queryset = teams
        if not self.is_bound:
            self.fields["team"].initial = teams.first()

    @property
    def schema(self) -> dict:
        return {spec.name: spec.form_schema() for spec in self.models}

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
        params = {field: cleaned.get(field) for field in OPTION_FIELDS if field in self.fields}
        params = {k: v for k, v in params.items() if v not in (None, "")}
        for problem in spec.problems(self.operation, {"prompt": cleaned.get("prompt", ""), **params}):
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        cleaned["params"] = spec.clean_params(self.operation, params) if hasattr(spec, "clean_params") else params
        self.spec = spec
        return cleaned

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

"""The "New batch" form: prompts (pasted, or a CSV of a preset's variables) times a preset or settings."""
from django import forms

from studio.accounts.models import teams_where_user_can_create
from studio.models_registry.registry import all_models

from .batch_rows import BatchRowsInvalid, rows_from_csv, rows_from_lines
from .models import Batch, Preset
from .preset_forms import parse_options


class BatchForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="Optional; the preset's name and the date if empty.")
    team = forms.ModelChoiceField(label="Share with", queryset=None, required=False, empty_label="Only me")
    preset = forms.ModelChoiceField(queryset=None, required=False, empty_label="No preset: the settings below",
                                    help_text="A CSV's columns fill the preset's {variables}.")
    model = forms.ChoiceField(required=False)
    options = forms.CharField(required=False, help_text="Without a preset. For example: size=1024x1024, quality=high")
    prompts = forms.CharField(label="Prompts, one per line", required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="With a preset of one variable, each line fills it.")
    csv_file = forms.FileField(label="Or a CSV", required=False,
                               help_text="First row: the preset's variable names; one job per row after it.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_where_user_can_create(user)
        self.fields["preset"].queryset = Preset.objects.visible_to(user).select_related("team")
        self.fields["model"].choices = [(spec.name, spec.name) for spec in all_models()]

    def clean_options(self):
        return parse_options(self.cleaned_data.get("options", ""))

    def clean(self):
        data = super().clean()
        preset, upload, text = data.get("preset"), data.get("csv_file"), data.get("prompts", "")
        if self.errors:
            return data
        if upload and text.strip():
            raise forms.ValidationError("Paste prompts or upload a CSV, not both.")
        if upload and preset is None:
            self.add_error("preset", "A CSV fills a preset's variables: choose the preset.")
            return data
        if not upload and not text.strip():
            self.add_error("prompts", "Paste at least one prompt, or upload a CSV.")
            return data
        if preset is None and not data.get("model"):
            self.add_error("model", "Choose a model, or a preset.")
            return data
        try:
            if upload:
                data["rows"] = rows_from_csv(upload, preset.prompt_template)
            else:
                data["rows"] = rows_from_lines(text, preset.prompt_template if preset else "{prompt}")
        except BatchRowsInvalid as exc:
            self.row_errors = exc.errors
            raise forms.ValidationError(exc.errors) from None
        data["source"] = Batch.Source.CSV if upload else Batch.Source.LINES
        return data

    def batch_fields(self) -> dict:
        data = self.cleaned_data
        preset = data.get("preset")
        if preset is not None:
            model, params, version = preset.model, preset.params, preset.versions.get(number=preset.version)
        else:
            model, params, version = data["model"], data["options"], None
        return {"team": data.get("team"), "name": data.get("name", "").strip() or (preset.name if preset else "Batch"),
                "source": data["source"], "model": model, "params": params, "rows": data["rows"],
                "preset_version": version}

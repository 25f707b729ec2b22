"""The preset form ("Save as preset", edit) and the form that asks for a preset's variables."""
from django import forms

from studio.accounts.models import teams_where_user_can_create
from studio.models_registry.registry import FORM_OPTIONS, all_models

from .models import variables_in

RANGE_OPTIONS = ("n", "output_compression")


def options_from(data) -> dict:
    """The job options in a job form's POST or a job's params, by the API's names; empty ones left out."""
    found = {}
    for name in FORM_OPTIONS:
        value = data.get(name)
        if value not in (None, ""):
            found[name] = value
    return found


def parse_options(text: str) -> dict:
    """`size=1024x1024, quality=high` → {"size": "1024x1024", "quality": "high"}; a sentence for a bad one."""
    options = {}
    for part in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        name, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not name or not value:
            raise forms.ValidationError(f"“{part}” is not name=value.")
        if name not in FORM_OPTIONS:
            raise forms.ValidationError(f"“{name}” is not an option a job form has ({', '.join(FORM_OPTIONS)}).")
        if name in RANGE_OPTIONS:
            try:
                value = int(value)
            except ValueError:
                raise forms.ValidationError(f"{name} must be a whole number, not “{value}”.") from None
        options[name] = value
    return options


class PresetForm(forms.Form):
    name = forms.CharField(max_length=100)
    team = forms.ModelChoiceField(label="Shared with", queryset=None, required=False, empty_label="Only me",
                                  help_text="A team's members and owners may edit its presets; everyone in it may use them.")
    model = forms.ChoiceField()
    options = forms.CharField(required=False, help_text="For example: size=1024x1024, quality=high, n=2")
    prompt_template = forms.CharField(label="Prompt", widget=forms.Textarea(attrs={"rows": 4}), strip=False,
                                      help_text="Write {variables} where each use fills in its own words, e.g. {product}.")

    def __init__(self, *args, user, with_team: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [(spec.name, spec.name) for spec in all_models()]
        if with_team:
            self.fields["team"].queryset = teams_where_user_can_create(user)
        else:
            del self.fields["team"]  # a preset stays where it was made

    def clean_options(self):
        return parse_options(self.cleaned_data.get("options", ""))

    def clean_prompt_template(self):
        template = self.cleaned_data["prompt_template"]
        if not template.strip():
            raise forms.ValidationError("A preset needs a prompt.")
        return template

    def preset_fields(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"].strip(), "model": data["model"], "params": data["options"],
                "prompt_template": data["prompt_template"]}


class VariablesForm(forms.Form):
    """One field per `{variable}` of the template, each required."""

    def __init__(self, *args, template: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in variables_in(template):
            self.fields[f"var_{name}"] = forms.CharField(label=name.replace("_", " "), max_length=500)

    def values(self) -> dict:
        return {name.removeprefix("var_"): value for name, value in self.cleaned_data.items()}

from django import forms

from .models import Budget


class TeamBudgetForm(forms.ModelForm):
    """What a team owner sets: the monthly limit, hard or soft, and the team's per-person rate limits."""

    hard = forms.TypedChoiceField(
        label="When a job does not fit", coerce=lambda v: v == "hard", initial="hard",
        choices=[("hard", "Refuse it (hard budget)"), ("soft", "Warn and let it run (soft budget)")],
        widget=forms.RadioSelect)

    class Meta:
        model = Budget
        fields = ["monthly_usd", "hard", "images_per_minute", "concurrent_jobs"]
        labels = {"images_per_minute": "Images per minute, per person",
                  "concurrent_jobs": "Unfinished jobs at once, per person"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["hard"] = "hard" if self.instance.hard else "soft"

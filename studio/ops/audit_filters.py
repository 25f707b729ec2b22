"""The audit pages' filters: person, action, dates (and team, for staff), as a form that says what is wrong."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from studio.audit.actions import ACTIONS


class AuditFilterForm(forms.Form):
    person = forms.CharField(required=False, max_length=150, label="Person",
                             widget=forms.TextInput(attrs={"list": "audit-people", "autocomplete": "off"}))
    action = forms.ChoiceField(required=False, label="Action",
                               choices=[("", "Any action"), *((name, name) for name in sorted(ACTIONS))])
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, with_team: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_team:
            self.fields["team"] = forms.CharField(required=False, max_length=100, label="Team",
                                                  help_text="its name or slug")
            self.order_fields(["team", "person", "action", "since", "until"])

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def apply(self, events):
        """`events` narrowed by every filter that is valid (an invalid one is reported, not applied)."""
        if not self.is_bound:
            return events
        self.is_valid()
        data = self.cleaned_data
        if data.get("team"):
            events = events.filter(Q(team_name__iexact=data["team"]) | Q(team__slug=data["team"]))
        if data.get("person"):
            events = events.filter(actor_name=data["person"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(time__gte=_day_start(data["since"]))
        if data.get("until"):
            events = events.filter(time__lt=_day_start(data["until"] + dt.timedelta(days=1)))
        return events

    @property
    def query(self) -> dict:
        """The filters as given, to carry over to the next page and the CSV link."""
        return {name: value for name, value in self.data.items() if name in self.fields and value}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

"""The webhook form: a URL the outbound guard would send to, and at least one event."""
from django import forms

from . import webhook_services
from .models import Webhook


class WebhookForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https",
                         help_text="Studio POSTs JSON here, signed with the webhook's secret.")
    events = forms.MultipleChoiceField(choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose at least one event to send."})
    active = forms.BooleanField(required=False, initial=True, label="Active (uncheck to pause deliveries)")

    def clean_url(self):
        url = self.cleaned_data["url"]
        reason = webhook_services.refusal(url)
        if reason:
            raise forms.ValidationError(reason)
        return url

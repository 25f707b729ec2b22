from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .models import Provider, mask_key
from .provider_services import delete_provider, save_provider


class ProviderForm(forms.ModelForm):
    # Never rendered with its value: the page shows ••••last4, and a blank field keeps the current key.
    api_key = forms.CharField(
        label="API key", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_api_key = forms.BooleanField(label="Remove the stored key", required=False)
    base_url = forms.URLField(required=False, assume_scheme="https",
                              help_text="OpenAI or compatible: leave blank for api.openai.com.")
    azure_endpoint = forms.URLField(required=False, assume_scheme="https",
                                    help_text="Azure: https://<resource>.openai.azure.com/")

    class Meta:
        model = Provider
        fields = ["name", "kind", "api_key", "clear_api_key", "organization", "project", "base_url",
                  "azure_endpoint", "api_version", "deployments", "images_per_minute", "is_default", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = mask_key(self.instance.api_key) if self.instance and self.instance.pk else ""
        self.initial["api_key"] = ""
        if current:
            self.fields["api_key"].help_text = f"Current key: {current}. Leave blank to keep it."
        else:
            self.fields["api_key"].help_text = "No key stored."

    @method_decorator(sensitive_variables("new"))
    def clean_api_key(self):
        new = self.cleaned_data.get("api_key") or ""
        if self.cleaned_data.get("clear_api_key"):
            return ""
        if not new and self.instance.pk:
            return Provider.objects.filter(pk=self.instance.pk).values_list("api_key", flat=True).first() or ""
        return new

    @method_decorator(sensitive_variables("cleaned"))
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_api_key"):
            cleaned["api_key"] = ""
        return cleaned


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "kind", "key", "is_default", "enabled", "images_per_minute"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]

    @admin.display(description="API key")
    def key(self, obj: Provider) -> str:
        return obj.masked_key or "—"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only pages print every field's value: show the masked key instead of the key.
            fields = ["key" if name == "api_key" else name for name in fields if name != "clear_api_key"]
        return fields

    @method_decorator(sensitive_post_parameters("api_key"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        save_provider(obj, actor=request.user, changed=list(form.changed_data), created=not change)

    def delete_model(self, request, obj):
        delete_provider(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for provider in queryset:
            delete_provider(provider, actor=request.user)

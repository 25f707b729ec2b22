from django import forms
from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .admin_capabilities import CapabilitiesAdminMixin
from .models import Provider
from .provider_services import delete_provider, save_provider

KEY_MOVES_WITH_ADDRESS = ("Changing the kind, base URL or Azure endpoint removes the stored key, so it is never "
                          "sent to a new address: type the key again with the change.")


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
        self.initial["api_key"] = ""
        self.key_removed_for_new_address = False
        state = self.instance.key_state if self.instance.pk else "none"
        if state == "stored":
            current = f"Current key: {self.instance.masked_key}. Leave blank to keep it."
        elif state == "unreadable":
            current = "A key is stored but none of STUDIO_ENCRYPTION_KEYS decrypts it: type it again."
        else:
            current = "No key stored."
        self.fields["api_key"].help_text = f"{current} {KEY_MOVES_WITH_ADDRESS}"

    @method_decorator(sensitive_variables("new_key"))
    def save(self, commit=True):
        provider = super().save(commit=False)
        new_key = self.cleaned_data.get("api_key") or ""
        if self.cleaned_data.get("clear_api_key"):
            provider.api_key = ""
        elif new_key:
            provider.api_key = new_key  # sealed for the address in this form
        else:
            # A blank field keeps the stored key, but only for the address it was given for.
            self.key_removed_for_new_address = provider.key_state == "moved"
        if commit:
            provider.save()
        return provider


@admin.register(Provider)
class ProviderAdmin(CapabilitiesAdminMixin, admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "kind", "key", "is_default", "enabled", "images_per_minute"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]

    @admin.display(description="API key")
    def key(self, obj: Provider) -> str:
        return {"stored": obj.masked_key, "unreadable": "cannot be decrypted: type it again"}.get(obj.key_state, "—")

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
        if form.key_removed_for_new_address:
            messages.warning(request, f"The stored key of {obj.name} was removed because its address changed. "
                                      "Type the key for the new address to use this provider again.")

    def delete_model(self, request, obj):
        delete_provider(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for provider in queryset:
            delete_provider(provider, actor=request.user)

"""Provider keys at rest: each plain-text `api_key` is encrypted into `sealed_api_key` (studio/models_registry/
encryption.py), bound to the address it was stored for, and the plain-text column is dropped.

The sealed document's shape, {"key": ..., "address": {"kind", "base_url", "azure_endpoint"}}, is what
`Provider.api_key` reads; it is written out here rather than taken from the model, as migrations must be.
Reversible: going back decrypts each key into the plain column again.
"""
from django.db import migrations, models

from studio.models_registry.encryption import seal, unseal

ADDRESS = ("kind", "base_url", "azure_endpoint")


def encrypt_plain_keys(apps, schema_editor):
    Provider = apps.get_model("models_registry", "Provider")
    for row in Provider.objects.exclude(api_key="").only("pk", "api_key", *ADDRESS):
        address = {name: str(getattr(row, name) or "") for name in ADDRESS}
        Provider.objects.filter(pk=row.pk).update(sealed_api_key=seal({"key": row.api_key, "address": address}))


def decrypt_sealed_keys(apps, schema_editor):
    Provider = apps.get_model("models_registry", "Provider")
    for row in Provider.objects.exclude(sealed_api_key="").only("pk", "sealed_api_key"):
        Provider.objects.filter(pk=row.pk).update(api_key=unseal(row.sealed_api_key)["key"])


class Migration(migrations.Migration):

    dependencies = [
        ('models_registry', '0002_alter_provider_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='provider',
            name='sealed_api_key',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(encrypt_plain_keys, decrypt_sealed_keys),
        migrations.RemoveField(
            model_name='provider',
            name='api_key',
        ),
    ]

"""Provider keys (issue 12, item 4): encrypted at rest with STUDIO_ENCRYPTION_KEYS, bound to the address they were
given for, and never in clear in dumpdata, logs or pages.

Staff who may edit a provider must not be able to point it at their own host and keep the stored key: a
change of kind, base URL or Azure endpoint removes the key and the admin asks for it again.
"""
import io
import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from studio.env import ConfigurationError, env_fernet_keys
from studio.models_registry import encryption
from studio.models_registry.models import Provider
from studio.models_registry.providers import config_from_row, get_provider, make_client

from .local_server import local_server
from .test_registry_secrets import error_page

# Built from parts so that secret scanners do not take this made-up key for a real one.
KEY = "sk-" + "live-THISMUSTNEVERSHOW-9f3a"
NEW_KEY = "sk-" + "live-THENEWONENEVERSHOWS-77b1"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()

pytestmark = pytest.mark.django_db

FORM = {"name": "main", "kind": "compatible", "api_key": "", "organization": "", "project": "",
        "base_url": "https://gateway.example.com/v1", "azure_endpoint": "", "api_version": "2025-04-01-preview",
        "deployments": "{}", "images_per_minute": 5, "enabled": "on"}


def _row(**fields):
    values = {"name": "main", "kind": "compatible", "base_url": FORM["base_url"], "api_version": FORM["api_version"],
              "api_key": KEY, **fields}
    return Provider.objects.create(**values)


def _every_column_of_the_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM models_registry_provider")
        return repr(cursor.fetchall())


# --- at rest ------------------------------------------------------------------------------------------


def test_the_key_is_stored_encrypted_and_reads_back():
    row = _row()
    stored = _every_column_of_the_table()
    assert KEY not in stored and "THISMUSTNEVERSHOW" not in stored
    assert Provider.objects.values_list("sealed_api_key", flat=True).get().startswith("gAAAA")  # a Fernet token
    assert Provider.objects.get(pk=row.pk).api_key == KEY
    assert get_provider("main").api_key == KEY


def test_dumpdata_holds_no_key_and_loaddata_brings_it_back(tmp_path):
    _row()
    out = io.StringIO()
    call_command("dumpdata", "models_registry", stdout=out)
    dump = out.getvalue()
    assert KEY not in dump and "THISMUSTNEVERSHOW" not in dump
    assert json.loads(dump)[0]["fields"]["sealed_api_key"].startswith("gAAAA")
    Provider.objects.all().delete()
    (tmp_path / "providers.json").write_text(dump)
    call_command("loaddata", str(tmp_path / "providers.json"), verbosity=0)
    assert Provider.objects.get().api_key == KEY


@pytest.mark.django_db(transaction=True)  # SQLite alters tables only outside a transaction
def test_the_data_migration_encrypts_plain_text_keys():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("models_registry", "0002_alter_provider_name")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("models_registry", "Provider").objects.create(
        name="legacy", kind="azure", api_key=KEY, azure_endpoint="https://r.openai.azure.com/", api_version="v")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("models_registry"))
    assert KEY not in _every_column_of_the_table()
    assert Provider.objects.get(name="legacy").api_key == KEY


# --- a key stays with its address -------------------------------------------------------------------


@pytest.mark.parametrize("change", [{"base_url": "https://attacker.example.net/v1"},
                                    {"kind": "azure", "azure_endpoint": "https://attacker.openai.azure.com/"},
                                    {"kind": "openai", "base_url": ""}])
def test_changing_where_the_key_goes_removes_it_and_asks_for_it_again(admin_client, change):
    row = _row()
    url = f"/admin/models_registry/provider/{row.pk}/change/"
    assert "removes the stored key" in admin_client.get(url).content.decode()  # the form says so beforehand
    response = admin_client.post(url, {**FORM, **change}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "was removed because its address changed" in page and "Type the key for the new address" in page
    row.refresh_from_db()
    assert (row.api_key, row.sealed_api_key, row.key_state) == ("", "", "none")
    assert "No key stored." in admin_client.get(url).content.decode()


def test_a_new_key_typed_with_the_change_is_kept_for_the_new_address(admin_client):
    row = _row()
    admin_client.post(f"/admin/models_registry/provider/{row.pk}/change/",
                      {**FORM, "base_url": "https://other.example.com/v1", "api_key": NEW_KEY})
    row.refresh_from_db()
    assert row.api_key == NEW_KEY and row.base_url == "https://other.example.com/v1"


def test_editing_anything_else_keeps_the_key(admin_client):
    row = _row()
    admin_client.post(f"/admin/models_registry/provider/{row.pk}/change/", {**FORM, "organization": "org-2"})
    row.refresh_from_db()
    assert row.api_key == KEY and row.organization == "org-2"


def test_an_address_changed_behind_the_admins_back_sends_no_key():
    """Even a raw UPDATE (a script, a restored dump edited by hand) cannot send the key to a new host."""
    row = _row()
    with local_server() as srv:
        srv.reply.body = {"data": [{"id": "gpt-image-2", "object": "model"}]}
        Provider.objects.filter(pk=row.pk).update(base_url=srv.url + "/v1")
        provider = config_from_row(Provider.objects.get(pk=row.pk))
        assert provider.api_key == ""
        make_client(provider, timeout=5).models.list()
    sent = srv.seen[0].headers["authorization"]
    assert KEY not in sent and "THISMUSTNEVERSHOW" not in sent


# --- keys: rotation, development, production --------------------------------------------------------


def test_rotation_lists_a_new_key_first_then_drops_the_old(settings):
    settings.STUDIO_ENCRYPTION_KEYS = [OLD]
    row = _row()
    settings.STUDIO_ENCRYPTION_KEYS = [NEW, OLD]
    assert Provider.objects.get(pk=row.pk).api_key == KEY  # the old key still decrypts
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "Re-encrypted 1 stored key" in out.getvalue() and KEY not in out.getvalue()
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    assert Provider.objects.get(pk=row.pk).api_key == KEY


def test_rotation_names_the_providers_it_cannot_decrypt(settings, caplog):
    settings.STUDIO_ENCRYPTION_KEYS = [OLD]
    _row(name="lost")
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(CommandError, match="stored key of: lost"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    row = Provider.objects.get(name="lost")
    assert row.key_state == "unreadable" and row.api_key == ""  # unusable, but kept: the old key may come back
    settings.STUDIO_ENCRYPTION_KEYS = [NEW, OLD]
    assert Provider.objects.get(name="lost").api_key == KEY


def test_development_derives_its_key_from_secret_key(settings):
    settings.STUDIO_ENCRYPTION_KEYS, settings.DEBUG = [], True
    token = encryption.seal({"key": KEY})
    assert encryption.unseal(token) == {"key": KEY}
    settings.SECRET_KEY = "another-development-secret"
    with pytest.raises(encryption.UnreadableSecret):
        encryption.unseal(token)


def test_production_without_keys_derives_one_from_secret_key_and_starts(settings):
    """Issue 12 item 7: `check --deploy` must pass with only DEBUG, SECRET_KEY and ALLOWED_HOSTS set, so the old
    models_registry.E002 ("no STUDIO_ENCRYPTION_KEYS with DEBUG off") is retired; README recommends the setting."""
    settings.STUDIO_ENCRYPTION_KEYS, settings.DEBUG = [], False
    token = encryption.seal({"key": KEY})
    assert encryption.unseal(token) == {"key": KEY}
    for command, options in (("check", {}), ("migrate", {"plan": True, "skip_checks": False})):
        call_command(command, **options, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_changed_secret_key_asks_for_stored_keys_again_instead_of_crashing(settings, client, admin_user):
    settings.STUDIO_ENCRYPTION_KEYS, settings.DEBUG = [], False
    row = _row()
    settings.SECRET_KEY = "a-rotated-production-secret-" + "x" * 40
    fresh = Provider.objects.get(pk=row.pk)
    assert fresh.key_state == "unreadable" and fresh.api_key == ""
    client.force_login(admin_user)  # sessions are signed with SECRET_KEY too: everyone signs in again
    page = client.get(f"/admin/models_registry/provider/{row.pk}/change/")
    assert page.status_code == 200 and "type it again" in page.content.decode()


def test_a_key_that_is_not_a_fernet_key_stops_start_up_without_echoing_it(monkeypatch):
    monkeypatch.setenv("STUDIO_ENCRYPTION_KEYS", f"{NEW}, not-a-fernet-key")
    with pytest.raises(ConfigurationError) as refused:
        env_fernet_keys("STUDIO_ENCRYPTION_KEYS")
    assert "STUDIO_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key" in str(refused.value)
    assert "not-a-fernet-key" not in str(refused.value) and NEW not in str(refused.value)
    monkeypatch.setenv("STUDIO_ENCRYPTION_KEYS", f"{NEW}, {OLD}")
    assert env_fernet_keys("STUDIO_ENCRYPTION_KEYS") == [NEW, OLD]


# --- never in clear: pages, error pages, logs ---------------------------------------------------------


def test_admin_pages_show_only_the_masked_key(admin_client):
    row = _row()
    admin_client.post(f"/admin/models_registry/provider/{row.pk}/change/", {**FORM, "organization": "org-2"})
    page = f"/admin/models_registry/provider/{row.pk}"
    for url in ("/admin/models_registry/provider/", f"{page}/change/", f"{page}/history/", f"{page}/delete/",
                "/admin/audit/auditevent/"):
        html = admin_client.get(url).content.decode()
        assert KEY not in html and "THISMUSTNEVERSHOW" not in html, url
        assert row.sealed_api_key not in html, url
    assert "••••9f3a" in admin_client.get("/admin/models_registry/provider/").content.decode()


@override_settings(DEBUG=True)
def test_the_debug_error_page_shows_no_key_stored_or_typed(admin_client, monkeypatch):
    from studio.models_registry import provider_services  # where the admin's save forgets the listing

    def explode(*args, **kwargs):
        raise RuntimeError("the listing cache went away")

    row = _row()
    monkeypatch.setattr(provider_services, "forget_listing", explode)
    admin_client.raise_request_exception = False
    response = admin_client.post(f"/admin/models_registry/provider/{row.pk}/change/", {**FORM, "api_key": NEW_KEY})
    assert response.status_code == 500
    html = response.content.decode()
    assert "the listing cache went away" in html  # it is the technical page
    for secret in (KEY, NEW_KEY, "THISMUSTNEVERSHOW", "THENEWONENEVERSHOWS"):
        assert secret not in html, secret


@override_settings(DEBUG=True)
def test_the_debug_error_page_hides_a_key_read_from_the_database(monkeypatch):
    from django.test import RequestFactory

    from studio.models_registry import providers

    def sdk_refuses(**kwargs):
        raise ValueError("the SDK refused its arguments")

    _row()
    monkeypatch.setattr(providers.openai, "OpenAI", sdk_refuses)
    try:
        make_client(get_provider("main"))
    except ValueError as exc:
        html = error_page(RequestFactory().get("/"), exc)
    assert "the SDK refused its arguments" in html and KEY not in html


def test_logs_never_hold_a_key(admin_client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    admin_client.post("/admin/models_registry/provider/add/", {**FORM, "name": "logged", "api_key": KEY})
    row = Provider.objects.get(name="logged")
    admin_client.post(f"/admin/models_registry/provider/{row.pk}/change/",
                      {**FORM, "name": "logged", "base_url": "https://elsewhere.example/v1", "api_key": NEW_KEY})
    with local_server() as srv:
        srv.error(401, "Incorrect API key provided.", code="invalid_api_key")
        Provider.objects.filter(pk=row.pk).update(base_url=srv.url + "/v1")
        row = Provider.objects.get(pk=row.pk)
        row.api_key = NEW_KEY
        row.save()
        from studio.models_registry.providers import available_models

        available_models(get_provider("logged"))  # a refused listing is logged
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    settings.STUDIO_ENCRYPTION_KEYS = [NEW]
    assert Provider.objects.get(pk=row.pk).api_key == ""  # logs that the key cannot be decrypted
    text = caplog.text
    assert "Could not list the models of provider logged" in text and "cannot be decrypted" in text
    for secret in (KEY, NEW_KEY, "THISMUSTNEVERSHOW", "THENEWONENEVERSHOWS"):
        assert secret not in text, secret

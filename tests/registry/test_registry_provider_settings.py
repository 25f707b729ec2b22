"""The provider comes from settings read once at start-up, never from the shell at run time.

A developer whose shell exports a real key or endpoint must not send the test suite to a paid provider:
tests/conftest.py blanks the provider settings, and nothing below settings.py reads os.environ.
"""
import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import openai
import pytest

from studio.env import ConfigurationError, env_pairs
from studio.models_registry.providers import STANDIN_PLACEHOLDER_KEY, ProviderConfig, get_provider, make_client

from .local_server import Reply, local_server

REPO = Path(__file__).resolve().parents[2]
# Built from parts so that secret scanners do not take this made-up key for a real one.
SHELL_KEY = "sk-" + "shell-MUSTNEVERBESENT-0000"
SHELL = {
    "OPENAI_API_KEY": SHELL_KEY,
    "OPENAI_BASE_URL": "https://api.example.invalid/v1",
    "OPENAI_ORG_ID": "org-from-the-shell",
    "OPENAI_PROJECT_ID": "proj-from-the-shell",
    "AZURE_OPENAI_ENDPOINT": "https://resource.example.invalid/",
    "AZURE_OPENAI_API_KEY": SHELL_KEY,
    "OPENAI_API_VERSION": "2025-04-01-preview",
    "AZURE_OPENAI_DEPLOYMENTS": "gpt-image-2=from-the-shell",
}


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.mark.django_db
def test_a_shell_that_exports_a_provider_still_reaches_only_the_standin(monkeypatch, standin):
    for name, value in SHELL.items():
        monkeypatch.setenv(name, value)
    provider = get_provider()
    assert provider.is_standin and provider.kind == "compatible"
    assert is_loopback(provider.base_url), provider.base_url
    assert provider.api_key == STANDIN_PLACEHOLDER_KEY and not provider.azure_endpoint

    client = make_client(provider, timeout=10)
    assert type(client) is openai.OpenAI  # not Azure, whatever AZURE_OPENAI_ENDPOINT says
    assert is_loopback(str(client.base_url)), client.base_url
    assert str(client.base_url).rstrip("/") == standin.base_url.rstrip("/")
    assert client.api_key == STANDIN_PLACEHOLDER_KEY  # the SDK did not fall back to OPENAI_API_KEY
    assert client.organization is None and client.project is None  # nor to OPENAI_ORG_ID / _PROJECT_ID
    assert {m.id for m in client.models.list()}  # and a call really lands on the stand-in


def test_an_azure_client_takes_nothing_from_the_shell(monkeypatch):
    for name, value in SHELL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AZURE_OPENAI_AD_TOKEN", "token-from-the-shell")
    own_key = "k" * 32
    with local_server() as srv:
        srv.reply = Reply(200, {"created": 1, "data": [{"b64_json": "aGVsbG8="}]})
        provider = ProviderConfig(name="az", kind="azure", api_key=own_key, azure_endpoint=srv.url + "/",
                                  api_version="2024-10-21", deployments=(("gpt-image-2", "mine"),))
        make_client(provider, timeout=5).images.generate(model="mine", prompt="a cat")
        seen = srv.seen[-1]
    assert seen.path == "/openai/deployments/mine/images/generations"
    assert seen.query == {"api-version": ["2024-10-21"]}
    assert seen.headers["api-key"] == own_key and "authorization" not in seen.headers
    assert "openai-organization" not in seen.headers and "openai-project" not in seen.headers


def test_deployments_parse_into_sorted_pairs(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENTS", " gpt-image-2 = img2, dall-e-3=d3,, ")
    assert env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment") == (
        ("dall-e-3", "d3"), ("gpt-image-2", "img2"))
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENTS", "")
    assert env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment") == ()
    monkeypatch.delenv("AZURE_OPENAI_DEPLOYMENTS")
    assert env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment") == ()


@pytest.mark.parametrize("raw, item", [
    ("gpt-image-2", "gpt-image-2"), ("=img2", "=img2"), ("gpt-image-2=", "gpt-image-2="),
    ("gpt-image-2=img2, broken", "broken"),
])
def test_a_malformed_deployments_value_names_the_variable(monkeypatch, raw, item):
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENTS", raw)
    with pytest.raises(ConfigurationError) as info:
        env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment")
    assert str(info.value) == f"AZURE_OPENAI_DEPLOYMENTS must look like 'model=deployment,...'; {item!r} does not."


def import_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    """Import studio.settings in a fresh interpreter whose environment is only what is given here."""
    base = {"PATH": os.environ.get("PATH", ""), "STUDIO_VAR_DIR": str(tmp_path), "SECRET_KEY": "test-only-" + "x" * 40}
    code = ("import json, studio.settings as s; print(json.dumps({n: getattr(s, n) for n in %r}))" % sorted(SHELL))
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**base, **env}, capture_output=True,
                          text=True, timeout=60)


def test_settings_read_every_provider_variable_once(tmp_path):
    done = import_settings(tmp_path, **SHELL)
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert read == {**SHELL, "AZURE_OPENAI_DEPLOYMENTS": [["gpt-image-2", "from-the-shell"]]}


def test_a_malformed_deployments_value_stops_start_up(tmp_path):
    done = import_settings(tmp_path, AZURE_OPENAI_DEPLOYMENTS="gpt-image-2")
    assert done.returncode != 0
    assert ("ConfigurationError: AZURE_OPENAI_DEPLOYMENTS must look like 'model=deployment,...'; "
            "'gpt-image-2' does not.") in done.stderr

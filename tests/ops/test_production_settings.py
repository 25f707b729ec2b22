"""Issue 12, item 7: production settings by default; `check --deploy` clean with only the three settings given.

Each case runs Django in a subprocess with a clean environment, so nothing of the shell (or of the test
suite's own settings) leaks in.
"""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "studio.example.com"}


def _run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "studio.settings", **env}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


def _settings(env: dict[str, str], tmp_path, *names: str) -> dict:
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))")
    done = _run(["-c", code], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_issues_with_only_debug_secret_key_and_allowed_hosts(tmp_path):
    done = _run(["manage.py", "check", "--deploy"], PRODUCTION, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced).", done.stdout + done.stderr


def test_debug_is_off_unless_asked_for_and_https_is_on_by_default(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    got = _settings(env, tmp_path, "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
                    "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER")
    assert got == {"DEBUG": False, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
                   "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_PROXY_SSL_HEADER": None}


def test_without_a_secret_key_production_refuses_to_start_with_a_sentence(tmp_path):
    done = _run(["manage.py", "check"], {"ALLOWED_HOSTS": "studio.example.com"}, tmp_path)
    assert done.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_each_switch_is_set_from_the_environment_for_a_proxy_set_up(tmp_path):
    env = {**PRODUCTION, "STUDIO_BEHIND_PROXY": "true", "STUDIO_SSL_REDIRECT": "false", "STUDIO_HSTS_SECONDS": "0",
           "STUDIO_SECURE_COOKIES": "false", "STUDIO_HSTS_PRELOAD": "false"}
    got = _settings(env, tmp_path, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
                    "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_PRELOAD")
    assert got == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False,
                   "CSRF_COOKIE_SECURE": False, "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
                   "SECURE_HSTS_PRELOAD": False}


def test_the_development_server_turns_debug_on_for_itself():
    makefile = (REPO / "Makefile").read_text()
    assert "run: export DEBUG ?= true" in makefile
    assert 'env.setdefault("DEBUG", "true")' in (REPO / "studio" / "devtools" / "run.py").read_text()
    for name in ("Dockerfile", "docker-compose.yml"):
        text = (REPO / name).read_text()
        assert "DEBUG=false" in text or 'DEBUG: "false"' in text, name
    assert "DEBUG=true" not in (REPO / "Procfile").read_text()

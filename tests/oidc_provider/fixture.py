"""The test identity provider as a separate process, one per test session, for Studio's live server."""
from __future__ import annotations

import subprocess
import tempfile
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from studio.devtools.processes import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "/accounts/oidc/studio/login/callback/"
# username, password, groups: alice's group is mapped to a team, bob's is not.
PEOPLE = {"alice": ("alice-at-acme", ["designers"]), "bob": ("bob-at-acme", ["finance"])}


@dataclass
class IdentityProvider:
    issuer: str
    client_id: str
    client_secret: str

    def configure(self, settings, *, teams=()) -> None:
        settings.STUDIO_OIDC_ISSUER = self.issuer
        settings.STUDIO_OIDC_CLIENT_ID = self.client_id
        settings.STUDIO_OIDC_CLIENT_SECRET = self.client_secret
        settings.STUDIO_OIDC_NAME = "Acme SSO"
        settings.STUDIO_OIDC_TEAMS = tuple(teams)


@pytest.fixture(scope="session")
def identity_provider(live_server):
    port = free_port()
    args = [sys.executable, "-m", "tests.oidc_provider.serve", "--port", str(port),
            "--redirect-uri", live_server.url + CALLBACK]
    for username, (password, groups) in PEOPLE.items():
        args += ["--user", f"{username}:{password}:{'+'.join(groups)}"]
    log = open(tempfile.mkstemp(prefix="studio-idp-", suffix=".log")[1], "w")  # its request log, for failures
    process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    try:
        wait_for_port("127.0.0.1", port, timeout=60, process=process)
        yield IdentityProvider(issuer=f"http://127.0.0.1:{port}/o", client_id="studio-test",
                               client_secret="studio-test-secret")
    finally:
        stop(process)
        log.close()

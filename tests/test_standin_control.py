"""Issue 12, item 15: the stand-in's /_standin/* endpoints (recent prompts and uploads, fault switches) need
its token unless it listens on loopback, and their bodies are capped; compose keeps it on an internal network
and starts nothing with a default credential."""
from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from studio.standin.server import make_server

REPO = Path(__file__).resolve().parents[1]
TOKEN = "standin-test-token-" + "z" * 20


@pytest.fixture
def beyond_loopback():
    """A stand-in bound to every interface, as in a container; reached here through 127.0.0.1."""
    def start(token: str = ""):
        server = make_server("0.0.0.0", 0, control_token=token)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    started = []
    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_control_endpoints_need_the_token_beyond_loopback(beyond_loopback):
    root = beyond_loopback(TOKEN)
    for path in ("/_standin/requests", "/_standin/config", "/_standin/stats"):
        status, body = _get(root + path)
        assert status == 403 and b"STANDIN_CONTROL_TOKEN" in body, path
        assert _get(root + path, "wrong-token")[0] == 403
        assert _get(root + path, TOKEN)[0] == 200
    assert _get(root + "/v1/models", None)[0] in (200, 401)  # the API itself is not behind the token


def test_without_a_token_they_are_closed_beyond_loopback(beyond_loopback):
    root = beyond_loopback("")
    assert _get(root + "/_standin/requests")[0] == 403
    assert _get(root + "/_standin/requests", "anything")[0] == 403


def test_on_loopback_they_stay_open_for_tests_and_make_run(standin):
    assert _get(standin.root_url + "/_standin/stats")[0] == 200


def test_control_bodies_are_capped_before_they_are_read(standin):
    where = standin.root_url.split("//")[1]
    host, port = where.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"POST /_standin/config HTTP/1.1\r\nHost: {where}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {10 * 1024 * 1024}\r\n\r\n{{".encode())
        answer = b""
        while chunk := sock.recv(65536):  # the stand-in closes the connection: the body is never read
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413") and b"request_too_large" in answer
    assert standin.config()["fail_rate"] == 0  # nothing changed


# --- compose ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_keeps_the_standin_on_an_internal_network_only(compose):
    standin = compose["services"]["standin"]
    assert standin["networks"] == ["internal"] and "ports" not in standin
    assert compose["networks"]["internal"]["internal"] is True
    assert "STANDIN_CONTROL_TOKEN" in standin["environment"]
    for app in ("web", "worker"):
        assert "internal" in compose["services"][app]["networks"]


def _required(value: str, name: str) -> bool:
    return value.startswith("${" + name + ":?")


def test_compose_starts_nothing_with_a_default_credential(compose):
    services = compose["services"]
    redis = services["redis"]["command"]
    assert "--requirepass" in redis and _required(redis[redis.index("--requirepass") + 1], "REDIS_PASSWORD")
    postgres = services["postgres"]["environment"]
    assert _required(postgres["POSTGRES_PASSWORD"], "POSTGRES_PASSWORD")
    minio = services["minio"]["environment"]
    assert _required(minio["MINIO_ROOT_USER"], "MINIO_ROOT_USER")
    assert _required(minio["MINIO_ROOT_PASSWORD"], "MINIO_ROOT_PASSWORD")
    env = compose["x-studio-env"]
    assert _required(env["STUDIO_ENCRYPTION_KEYS"], "STUDIO_ENCRYPTION_KEYS")
    assert "${REDIS_PASSWORD:?" in env["REDIS_URL"] and "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert _required(env["S3_ACCESS_KEY_ID"], "MINIO_ROOT_USER")
    assert _required(env["S3_SECRET_ACCESS_KEY"], "MINIO_ROOT_PASSWORD")
    text = json.dumps(compose)
    for secret in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert "${" + secret + ":-" not in text and "$${" + secret + ":-" not in text, secret

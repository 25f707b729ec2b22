"""Fault flags (rates measured over a few hundred requests), control endpoints, CLI and concurrency."""

import base64
import concurrent.futures
import os
import subprocess
import sys
import time
from pathlib import Path

import openai
import pytest
import requests

from studio.standin.config import StandinConfig
from studio.standin.testing import StandinProcess, free_port, standin_in_thread

from .conftest import make_client, png, striped, to_bytes

REPO = Path(__file__).resolve().parents[2]
N = 300


def _outcomes(client, n=N):
    statuses = []
    for _ in range(n):
        try:
            client.images.generate(prompt="a fox", size="256x256", response_format="b64_json")
            statuses.append(200)
        except openai.APIStatusError as err:
            statuses.append(err.status_code)
    return statuses


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fail_rate_and_status(status):
    with standin_in_thread(StandinConfig(fail_rate=0.25, fail_status=status, seed=11)) as s:
        statuses = _outcomes(make_client(s.base_url))
        failed = statuses.count(status)
        assert failed + statuses.count(200) == N
        assert 0.17 * N <= failed <= 0.33 * N
        assert s.stats()["failures_injected"] == failed


def test_429_with_retry_after_via_cli_flags():
    with StandinProcess(fail_rate=0.3, fail_status=429, retry_after=2, seed=5) as s:
        client = make_client(s.base_url)
        statuses = _outcomes(client)
        assert 0.22 * N <= statuses.count(429) <= 0.38 * N
        s.configure(fail_rate=1.0)
        with pytest.raises(openai.RateLimitError) as info:
            client.images.generate(prompt="x")
        headers = info.value.response.headers
        assert headers["retry-after"] == "2" and headers["x-ratelimit-remaining-requests"] == "0"
        assert headers["x-request-id"] and info.value.code == "rate_limit_exceeded"
        s.configure(fail_rate=0)
        assert client.images.generate(prompt="x", size="256x256").data


def test_sdk_honours_retry_after_and_retries():
    with standin_in_thread(StandinConfig(fail_rate=1.0, fail_status=429, retry_after=0.2)) as s:
        client = openai.OpenAI(base_url=s.base_url, api_key="test-key", max_retries=2)
        with pytest.raises(openai.RateLimitError):
            client.images.generate(prompt="x", extra_headers={"X-Studio-Job": "j-retry"})
        assert s.stats()["by_job"] == {"j-retry": 3}


def test_truncated_and_corrupt_downloads():
    with standin_in_thread(StandinConfig(truncate_rate=0.2, corrupt_rate=0.2, seed=3)) as s:
        url = make_client(s.base_url).images.generate(prompt="a fox", size="256x256").data[0].url
        truncated = corrupt = good = 0
        for _ in range(N):
            try:
                resp = requests.get(url, timeout=5)
            except requests.exceptions.RequestException:
                truncated += 1
                continue
            if len(resp.content) < int(resp.headers["Content-Length"]):
                truncated += 1
            elif resp.content.startswith(b"\x89PNG"):
                good += 1
            else:
                assert len(resp.content) == int(resp.headers["Content-Length"])
                corrupt += 1
        assert 0.12 * N <= truncated <= 0.28 * N
        assert 0.12 * N <= corrupt <= 0.28 * N
        stats = s.stats()
        assert stats["downloads_truncated"] == truncated and stats["downloads_corrupted"] == corrupt
        assert stats["requests"]["downloads"] == N


def test_stats_by_job_reset_and_recorded_requests(standin):
    client = make_client(standin.base_url)
    standin.reset()
    source = to_bytes(striped((64, 64)))
    mask = png((64, 64), colour=(0, 0, 0, 0))
    client.images.generate(prompt="x", size="256x256", extra_headers={"X-Studio-Job": "42"})
    client.images.edit(image=("s.png", source, "image/png"), mask=("m.png", mask, "image/png"), prompt="a door",
                       size="256x256", extra_headers={"X-Studio-Job": "42"})
    client.images.create_variation(image=("s.png", source, "image/png"), size="256x256",
                                   extra_headers={"X-Studio-Job": "43"})
    client.models.list()
    stats = standin.stats()
    assert stats["requests"] == {"generations": 1, "edits": 1, "variations": 1, "models": 1, "downloads": 0}
    assert stats["by_job"] == {"42": 2, "43": 1}
    last = standin.requests("edits", last=1)
    assert len(last) == 1 and last[0]["job"] == "42" and last[0]["fields"]["prompt"] == "a door"
    assert base64.b64decode(last[0]["files"]["mask"][0]["b64"]) == mask
    assert base64.b64decode(last[0]["files"]["image"][0]["b64"]) == source
    assert len(standin.requests()) == 3
    standin.reset()
    assert standin.stats()["requests"]["edits"] == 0 and standin.requests() == []


def test_recent_requests_are_bounded(standin):
    client = make_client(standin.base_url)
    for _ in range(60):
        try:
            client.images.generate(prompt="x", size="nope")
        except openai.BadRequestError:
            pass
    assert len(standin.requests()) == 50


def test_runtime_config_is_validated(standin):
    with pytest.raises(Exception):
        standin.configure(fail_status=418)
    with pytest.raises(Exception):
        standin.configure(seed=3)
    assert standin.config()["fail_status"] == 500


def test_latency_and_200_concurrent_requests_in_flight():
    with StandinProcess(latency_ms=1500, latency_jitter_ms=200) as s:
        client = make_client(s.base_url)
        start = time.monotonic()
        client.images.generate(prompt="warm up", size="256x256")
        assert time.monotonic() - start >= 1.25  # latency is really added (a lower bound only)
        s.reset()
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            futures = [pool.submit(client.images.generate, prompt=f"tile {i}", size="256x256") for i in range(200)]
            results = [f.result(timeout=60) for f in futures]
        assert all(r.data[0].url for r in results)
        stats = s.stats()
        assert stats["requests"]["generations"] == 200
        assert stats["max_in_flight"] >= 200


def test_management_command_starts_and_prints_its_url():
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "manage.py", "standin", "--addr", f"127.0.0.1:{port}", "--seed", "1"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line:
            pytest.fail("manage.py standin printed nothing: " + proc.stderr.read())
        assert line == f"standin listening on http://127.0.0.1:{port}/v1"
        client = make_client(f"http://127.0.0.1:{port}/v1")
        assert client.images.generate(prompt="x", size="256x256").data
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_module_cli_rejects_bad_flags():
    for bad in (["--fail-status", "404"], ["--fail-rate", "1.5"], ["--addr", "nope"]):
        result = subprocess.run([sys.executable, "-m", "studio.standin", *bad], cwd=REPO, capture_output=True,
                                timeout=30, env=dict(os.environ, PYTHONPATH=str(REPO)))
        assert result.returncode == 2

"""`make run`: web, worker, beat, the stand-in and (when REDIS_URL is unset) an embedded Redis.

One Ctrl+C stops everything this started. Each service's output is prefixed with its name.
"""
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .processes import free_port, port_is_open, python, start_redis, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("STUDIO_VAR_DIR", BASE_DIR / "var"))
STANDIN_C2PA_DIR = VAR_DIR / "standin-c2pa"
# Where the embedded broker's URL is written while `make run` runs: studio/settings.py reads it when
# REDIS_URL is unset, so a manage.py command run beside `make run` enqueues where its workers read.
def broker_url_file(var_dir: Path) -> Path:
    return var_dir / "run" / "broker-url"


def recorded_broker_url(var_dir: Path) -> str:
    """The broker URL a running `make run` recorded, or "" (studio/settings.py asks when REDIS_URL is unset)."""
    try:
        return broker_url_file(var_dir).read_text().strip()
    except OSError:
        return ""


BROKER_URL_FILE = broker_url_file(VAR_DIR)


def record_broker_url(url: str) -> None:
    BROKER_URL_FILE.parent.mkdir(parents=True, exist_ok=True)
    BROKER_URL_FILE.write_text(url + "\n")


def forget_broker_url() -> None:
    BROKER_URL_FILE.unlink(missing_ok=True)


def _pump(name: str, proc: subprocess.Popen) -> None:
    for line in iter(proc.stdout.readline, b""):
        sys.stdout.write(f"{name:>8} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")  # DEBUG defaults to off; this development stack is the one place it is on
    children: list[tuple[str, subprocess.Popen]] = []
    port = int(env.get("PORT", "8000"))
    _fresh_metrics_dir(env)
    try:
        if not env.get("REDIS_URL"):
            redis_port = int(env.get("EMBEDDED_REDIS_PORT") or free_port())
            redis = start_redis(redis_port, workdir=VAR_DIR / "redis", appendonly=True)
            children.append(("redis", redis))
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            record_broker_url(env["REDIS_URL"])
            print(f"Embedded Redis on 127.0.0.1:{redis_port} (set REDIS_URL to use your own; manage.py commands "
                  f"run beside this find it in {BROKER_URL_FILE}).", flush=True)

        if not env.get("OPENAI_API_KEY") and not env.get("OPENAI_BASE_URL"):
            standin_addr = env.get("STANDIN_ADDR", "127.0.0.1:8100")
            host, _, sport = standin_addr.rpartition(":")
            if port_is_open(host, int(sport)):
                print(f"Something already listens on {standin_addr}; using it as the stand-in.", flush=True)
            else:
                # STANDIN_FLAGS injects faults into the demo, e.g. "--fail-rate 0.3 --url-ttl 60".
                flags = shlex.split(env.get("STANDIN_FLAGS", ""))
                # Its pictures carry C2PA content credentials from a chain kept in var/, as OpenAI's do.
                signing = ["--c2pa", "--c2pa-dir", str(STANDIN_C2PA_DIR)]
                children.append(("standin", _spawn([python(), "manage.py", "standin", "--addr", standin_addr,
                                                    *signing, *flags], env)))
                wait_for_port(host, int(sport), timeout=30, process=children[-1][1])
            if (STANDIN_C2PA_DIR / "root.pem").exists():
                # The demo's operator trusts the stand-in's own root, so its pictures show as signed and valid.
                env.setdefault("STUDIO_C2PA_TRUST_ANCHORS", str(STANDIN_C2PA_DIR / "root.pem"))
            env["STANDIN_URL"] = f"http://{standin_addr}/v1"
            print("No OPENAI_API_KEY: images come from the local stand-in, not OpenAI.", flush=True)

        celery = [python(), "-m", "celery", "-A", "studio"]
        children.append(("worker", _spawn(celery + ["worker", "-Q", "api,fetch", "--pool", "threads",
                                                   "--concurrency", env.get("WORKER_CONCURRENCY", "16"),
                                                   "-l", "info"], env)))
        children.append(("beat", _spawn(celery + ["beat", "-l", "info", "-s", str(VAR_DIR / "celerybeat-schedule")], env)))
        # Under ASGI, as in production: waiting /v1 requests and the pages' event streams hold no thread.
        children.append(("web", _spawn([python(), "-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1",
                                        "--port", str(port), "--no-access-log"], env)))
        wait_for_port("127.0.0.1", port, timeout=60, process=children[-1][1])
        print(f"\nStudio is running: http://127.0.0.1:{port}/  (Ctrl+C stops everything)\n", flush=True)
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        if any(name == "redis" for name, _ in children):
            forget_broker_url()  # the embedded Redis goes with us: commands must not enqueue into nothing
        for _, proc in reversed(children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in reversed(children):
            stop(proc, timeout=10)


def _fresh_metrics_dir(env: dict) -> None:
    """Web and worker count into one folder (prometheus-client's multiprocess mode), emptied at each start:
    counters begin again with the processes, as a restarted single process's would."""
    folder = Path(env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics")))
    if folder.is_dir():
        for stale in folder.glob("*.db"):
            stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _spawn(args: list[str], env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(args, env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    threading.Thread(target=_pump, args=(_label(args), proc), daemon=True).start()
    return proc


def _label(args: list[str]) -> str:
    for word in ("studio.asgi:application", "worker", "beat", "standin"):
        if word in args:
            return {"studio.asgi:application": "web"}.get(word, word)
    return Path(args[0]).name


if __name__ == "__main__":
    sys.exit(main())

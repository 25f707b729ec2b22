"""Settings of a stand-in run, and the one argparse builder the CLI and the management command share."""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass

from .model_table import MODELS

DEFAULT_ADDR = "127.0.0.1:8100"

# Words the stand-in's "safety system" refuses; tests and demos use them to provoke a moderation block.
DEFAULT_BLOCKED_WORDS = ("gore", "nsfw", "bloodbath", "forbidden-word")

FAIL_STATUSES = (429, 500, 502, 503)

# Flags that POST /_standin/config may change while the server runs.
RUNTIME_FIELDS = (
    "fail_rate",
    "fail_status",
    "retry_after",
    "latency_ms",
    "latency_jitter_ms",
    "truncate_rate",
    "corrupt_rate",
    "url_ttl",
    "blocked_words",
)


@dataclass
class StandinConfig:
    url_ttl: float = 3600
    latency_ms: float = 0
    latency_jitter_ms: float = 0
    fail_rate: float = 0.0
    fail_status: int = 500
    retry_after: float = 1
    truncate_rate: float = 0.0
    corrupt_rate: float = 0.0
    seed: int = 0
    blocked_words: tuple[str, ...] = DEFAULT_BLOCKED_WORDS
    # None serves every model in model_table.MODELS.
    models: tuple[str, ...] | None = None
    # Sign final pictures with C2PA content credentials (content_credentials.py); keep the chain in c2pa_dir.
    c2pa: bool = False
    c2pa_dir: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for name in ("fail_rate", "truncate_rate", "corrupt_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.fail_status not in FAIL_STATUSES:
            raise ValueError(f"fail_status must be one of {FAIL_STATUSES}, got {self.fail_status}")
        for name in ("url_ttl", "latency_ms", "latency_jitter_ms", "retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        self.blocked_words = tuple(w.strip().lower() for w in self.blocked_words if w.strip())
        if self.models is not None:
            unknown = [m for m in self.models if m not in MODELS]
            if unknown:
                raise ValueError(f"unknown models {unknown}; known: {sorted(MODELS)}")
            self.models = tuple(self.models)

    def updated(self, **changes: object) -> "StandinConfig":
        """A copy with runtime changes applied (and checked)."""
        bad = set(changes) - set(RUNTIME_FIELDS)
        if bad:
            raise ValueError(f"cannot change {sorted(bad)} at runtime; allowed: {list(RUNTIME_FIELDS)}")
        coerced: dict[str, object] = {}
        for key, value in changes.items():
            if key == "blocked_words":
                coerced[key] = tuple(value.split(",")) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
            elif key == "fail_status":
                coerced[key] = int(value)  # type: ignore[arg-type]
            else:
                coerced[key] = float(value)  # type: ignore[arg-type]
        return dataclasses.replace(self, **coerced)


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return value


def _addr(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT")
    return host or "127.0.0.1", int(port)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The stand-in's flags; used by `python -m studio.standin` and `manage.py standin` alike."""
    parser.add_argument("--addr", type=_addr, default=_addr(DEFAULT_ADDR), help="HOST:PORT (default %(default)s)")
    parser.add_argument("--url-ttl", type=float, default=3600, help="seconds an image URL answers (default 3600)")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to each API request")
    parser.add_argument("--latency-jitter-ms", type=float, default=0, help="uniform +/- jitter on the latency")
    parser.add_argument("--fail-rate", type=_rate, default=0.0, help="share of API requests answered with --fail-status")
    parser.add_argument("--fail-status", type=int, choices=FAIL_STATUSES, default=500)
    parser.add_argument("--retry-after", type=float, default=1, help="retry-after seconds sent with 429")
    parser.add_argument("--truncate-rate", type=_rate, default=0.0, help="share of image downloads cut short")
    parser.add_argument("--corrupt-rate", type=_rate, default=0.0, help="share of image downloads with garbage bytes")
    parser.add_argument("--seed", type=int, default=0, help="seeds the painter and the fault dice")
    parser.add_argument(
        "--blocked-words",
        default=",".join(DEFAULT_BLOCKED_WORDS),
        help="comma list of words refused as moderation blocks (default %(default)s)",
    )
    parser.add_argument("--models", default="", help="comma list restricting the served models (default: all)")
    parser.add_argument("--c2pa", action="store_true",
                        help="sign pictures with C2PA content credentials, from a certificate chain made at start")
    parser.add_argument("--c2pa-dir", default=None,
                        help="keep that chain here and reuse it (its root.pem is what readers should trust)")
    # The stand-in is a process of its own (it reads no Django settings), so its one secret comes from its
    # own environment, never from argv (which `ps` shows).
    parser.add_argument("--control-token", default=os.environ.get("STANDIN_CONTROL_TOKEN", ""),
                        help=argparse.SUPPRESS)


def build_parser(prog: str = "python -m studio.standin") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Local stand-in for the OpenAI Images API.")
    add_arguments(parser)
    return parser


def config_from_options(options: dict | argparse.Namespace) -> tuple[str, int, StandinConfig]:
    """(host, port, config) from parsed flags (a Namespace or Django's options dict)."""
    opts = vars(options) if isinstance(options, argparse.Namespace) else dict(options)
    host, port = opts["addr"] if isinstance(opts["addr"], tuple) else _addr(opts["addr"])
    models = tuple(m.strip() for m in (opts.get("models") or "").split(",") if m.strip()) or None
    config = StandinConfig(
        url_ttl=opts["url_ttl"],
        latency_ms=opts["latency_ms"],
        latency_jitter_ms=opts["latency_jitter_ms"],
        fail_rate=opts["fail_rate"],
        fail_status=opts["fail_status"],
        retry_after=opts["retry_after"],
        truncate_rate=opts["truncate_rate"],
        corrupt_rate=opts["corrupt_rate"],
        seed=opts["seed"],
        blocked_words=tuple((opts.get("blocked_words") or "").split(",")),
        models=models,
        c2pa=bool(opts.get("c2pa")) or bool(opts.get("c2pa_dir")),
        c2pa_dir=opts.get("c2pa_dir") or None,
    )
    return host, port, config

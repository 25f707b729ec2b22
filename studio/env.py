"""Small strict readers for settings that come from the environment.

A typo in an environment variable should stop the process at start-up with a sentence that names
the variable, not surface hours later as a strange behaviour.
"""
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from cryptography.fernet import Fernet


class ConfigurationError(RuntimeError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_fernet_keys(name: str) -> list[str]:
    """Comma-separated Fernet keys, newest first; unset or blank is none. A key that is not one stops
    start-up with a sentence naming its position (never the key itself, which would land in logs)."""
    keys = env_list(name, [])
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigurationError(
                f"{name}: key {position} of {len(keys)} is not a Fernet key (32 bytes in url-safe base64; make one "
                "with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
            ) from None
    return keys
def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (compared in lower case); anything else stops start-up with a sentence naming the
    variable and the choices."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")
    return value


def env_subset(name: str, default: list[str], allowed: tuple[str, ...]) -> list[str]:
    """A comma list whose items all come from ``allowed``."""
    values = env_list(name, default)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ConfigurationError(f"{name} may list only {', '.join(allowed)}; {', '.join(unknown)} is not one.")
    return values


def env_host_ports(name: str) -> list[str]:
    """A comma list of ``host:port`` pairs, e.g. "images.internal:8443,10.1.2.3:9000"."""
    values = env_list(name, [])
    for value in values:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigurationError(f"{name} must list host:port pairs, e.g. images.internal:8443; "
                                     f"{value!r} is not one.")
    return values


def env_pairs(name: str, *, shape: str = "key=value") -> tuple[tuple[str, str], ...]:
    """A list of ``key=value`` items, e.g. AZURE_OPENAI_DEPLOYMENTS="gpt-image-2=img2,dall-e-3=d3".

    Answers the (key, value) pairs sorted, so two spellings of one list compare equal; unset or blank
    is no pairs. An item without both sides stops start-up with a sentence naming the variable and the
    shape expected (``shape``, e.g. "model=deployment").
    """
    pairs = []
    for item in os.environ.get(name, "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigurationError(f"{name} must look like '{shape},...'; {item.strip()!r} does not.")
        pairs.append((key.strip(), value.strip()))
    return tuple(sorted(pairs))


def database_from_url(url: str, *, base_dir: Path) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry (postgres:// or sqlite:///path)."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # Workers are long-lived threads: a persistent connection per thread, health-checked,
            # is cheaper than reconnecting per task and safe because Celery closes them on task end.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            path = path.lstrip("/")
        name = Path(path) if Path(path).is_absolute() else base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                # Web, worker and beat share one file: WAL lets readers run beside a writer, and the
                # busy timeout turns a brief lock into a short wait instead of "database is locked".
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    raise ConfigurationError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use postgres:// or sqlite:///).")


def env_group_teams(name: str, *, roles: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Identity-provider groups mapped to teams: ``group=Team name:role,group2=Other team:role``.

    Answers ((group, team name, role), ...) in the order given; unset or blank is no mapping. The role
    is what follows the last colon, so a team name may itself hold one. An item without a group, a team
    or a known role stops start-up with a sentence naming the variable and the item.
    """
    mapping = []
    for item in os.environ.get(name, "").split(","):
        if not item.strip():
            continue
        group, sep, target = item.partition("=")
        team, colon, role = target.rpartition(":")
        if not sep or not group.strip() or not colon or not team.strip():
            raise ConfigurationError(f"{name} must look like 'group=Team:role,...'; {item.strip()!r} does not.")
        if role.strip().lower() not in roles:
            raise ConfigurationError(f"{name}: {item.strip()!r} names the role {role.strip()!r}; "
                                     f"a role is one of {', '.join(roles)}.")
        mapping.append((group.strip(), team.strip(), role.strip().lower()))
    return tuple(mapping)

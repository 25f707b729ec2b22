"""LOGGING: text for people or JSON for a log pipeline, each line carrying the request context."""


def logging_settings(*, log_format: str, level: str) -> dict:
    """One line per record, with the request context; noisy transports pinned to WARNING."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "studio.ops.logging.RequestContextFilter"}},
        "formatters": {
            "text": {"()": "studio.ops.logging.TextFormatter"},
            "json": {"()": "studio.ops.logging.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Pinned whatever LOG_LEVEL says: transports log full URLs (signed download URLs, gateway keys
            # in query strings) at INFO/DEBUG, the SDK its requests, botocore its signed headers.
            "httpx": {"level": "WARNING"},
            "httpx2": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            "httpcore2": {"level": "WARNING"},
            "openai": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
            "botocore": {"level": "WARNING"},
            "boto3": {"level": "WARNING"},
            "s3transfer": {"level": "WARNING"},
        },
    }

"""The PostgreSQL connection pool, when psycopg's pool is installed (settings.py decides whether to use it).

Worker threads close their connection before each long API call and Celery closes it after each task; with
psycopg's pool (Django 5.2, `pip install psycopg-pool`) that close hands the connection back instead of
tearing it down, and a burst of threads waits for one of `max_size` connections instead of exceeding
PostgreSQL's max_connections. Measured in benchmarks/pipeline.py.
"""


def psycopg_pool_installed() -> bool:
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:
        return False
    return True


def use_pool(database: dict, *, min_size: int, max_size: int, timeout: float) -> None:
    """Give a PostgreSQL entry of DATABASES a pool (and no persistent connections of Django's own)."""
    database["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
    database["OPTIONS"]["pool"] = {"min_size": min_size, "max_size": max_size, "timeout": timeout, "max_idle": 60.0}

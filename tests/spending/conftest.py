import pytest

from studio import redis_connection
from studio.spending.notices import FLAG_PREFIX


@pytest.fixture(autouse=True)
def _no_notice_flags_left_behind():
    """User ids repeat between test databases: a notice flag left in Redis would cost another test a query."""
    yield
    client = redis_connection.client()
    for key in client.scan_iter(f"{FLAG_PREFIX}*"):
        client.delete(key)

"""Submit jobs into another installation's database, through the services, from a process of its own:
`python -m tests.faults.driver N` with DATABASE_URL (and REDIS_URL) naming it; prints the job ids.

The fault test that restarts a private PostgreSQL cannot submit from its own process, which is tied
to the test database."""
import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from studio.audit.context import bind  # noqa: E402
from studio.generation import services  # noqa: E402

count, n = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1
user, _ = get_user_model().objects.get_or_create(username="faulty")
with bind(request_id="req-fault-pg", user_id=user.pk, username=user.username):
    ids = [services.submit_job(user=user, model="dall-e-2", prompt=f"restart scene {i}",
                               params={"size": "256x256", "n": n}).pk for i in range(count)]
print(json.dumps(ids))

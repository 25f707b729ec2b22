"""Run inside a restored installation (tests/ops/test_backup_restore.py): `manage.py verify_archive`, then
every image's pages rendered as their owner, printed as JSON so the test sees what a person would."""
import io
import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from studio.audit.models import AuditEvent  # noqa: E402
from studio.gallery.models import Image  # noqa: E402

out = io.StringIO()
try:
    call_command("verify_archive", "--per-second", "0", stdout=out)
    verify_code = 0
except SystemExit as exc:
    verify_code = exc.code

restored_events = AuditEvent.objects.count()  # before signing in below, which is an event of its own
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
pages = {}
for image in Image.objects.order_by("pk"):
    page = client.get(f"/images/{image.pk}/")
    file = client.get(f"/images/{image.pk}/file")
    thumb = client.get(f"/images/{image.pk}/thumb")
    pages[image.pk] = {"page": page.status_code, "prompt_shown": image.prompt in page.content.decode(),
                       "file": file.status_code, "thumb": thumb.status_code}
    for response in (file, thumb):
        response.close()
print(json.dumps({"verify_code": verify_code, "verify": out.getvalue(), "pages": pages,
                  "gallery": client.get("/gallery/").status_code, "audit_events": restored_events}))

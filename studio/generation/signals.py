"""Signals the generation app sends, so higher layers (workflow) can follow without being imported here."""
from django.dispatch import Signal

# Sent by the job form views after a job was submitted: `job`, `user`, and `data` (the form's POST),
# so a preset's version named in the form can be recorded on the job.
job_submitted_from_form = Signal()

# Sent once a job has settled (done, partly failed or failed), after the transaction that settled it
# commits: `job_id` and `status`. Workflow sends the team's webhooks and finished-job notifications.
job_settled = Signal()

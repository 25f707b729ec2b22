"""Why a job may not start now: a budget it does not fit, or a person's rate limit.

submit_job raises these before anything is created; the web forms show `message` at the form, and the
gateway answers 429 with `code` as the OpenAI error code and type (and Retry-After when `retry_after` is set).
"""


class JobRefused(Exception):
    """A job that may not start now; `message` is the sentence a person reads."""

    code = "refused"

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class OverBudget(JobRefused):
    code = "insufficient_quota"


class RateLimited(JobRefused):
    code = "rate_limit_exceeded"

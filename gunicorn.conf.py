"""gunicorn's settings for every way Studio's web runs (Procfile, Dockerfile, compose): `gunicorn -c gunicorn.conf.py`.

Worker-class neutral: the same file serves sync workers and `-k uvicorn.workers.UvicornWorker`.
Request bodies are bounded by Studio itself (studio/request_limits.py, STUDIO_MAX_UPLOAD_MB); these bound
what gunicorn reads before Studio sees a request: the request line and the headers.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
limit_request_line = 8190  # the longest request line (method, URL, version) gunicorn reads
limit_request_fields = 100  # headers per request
limit_request_field_size = 8190  # bytes per header

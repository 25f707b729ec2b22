"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py -k uvicorn_worker.UvicornWorker studio.asgi:application`.

Uvicorn workers run Django under ASGI: a /v1 request waiting minutes for its job holds no thread, so
`timeout` only guards against a worker that stops answering, not against long requests.
Request bodies are bounded by Studio itself (studio/request_limits.py and studio/asgi.py, STUDIO_MAX_UPLOAD_MB).
The request-line and header limits below bind gunicorn's own sync workers; under uvicorn workers the
header block is bounded by uvicorn's h11 parser instead (16 KB for an incomplete request).
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 120
graceful_timeout = 30
limit_request_line = 8190  # the longest request line (method, URL, version) gunicorn reads
limit_request_fields = 100  # headers per request
limit_request_field_size = 8190  # bytes per header

"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py -k uvicorn_worker.UvicornWorker studio.asgi:application`.

Uvicorn workers run Django under ASGI: a /v1 request waiting minutes for its job holds no thread, so
`timeout` only guards against a worker that stops answering, not against long requests.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 120
graceful_timeout = 30

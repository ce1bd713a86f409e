"""gunicorn settings for production: `make serve-prod` or
`gunicorn --config gunicorn.conf.py 'portal:create_app()'`. Every value can be overridden
with the environment variables named below."""

import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Threads overlap database waits; processes use the cores. 2 cores → 3 workers × 4 threads.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = os.environ.get("PORTAL_WORKER_CLASS", "gthread")
threads = int(os.environ.get("PORTAL_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so a slow leak can never take the service down.
max_requests = 2000
max_requests_jitter = 200
# No access log: it would record client addresses, which the portal promises never to keep
# for anonymous routes (DESIGN §8). Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the reverse proxy that terminates TLS (see docs/deploy.md).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_field_size = 8190


def post_worker_init(worker):
    """Once the worker has loaded the app: keep the start-up heap out of every later garbage
    collection (portal/serving.py says why: the dashboard's p95 - p50 fell from ~80 to ~10 ms)."""
    from portal.serving import freeze_startup_heap

    frozen = freeze_startup_heap()
    worker.log.info("froze %d start-up objects out of the garbage collector's way", frozen)

"""gunicorn settings for the site: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Everything comes from the environment, so `make serve`, the systemd unit and the load bench share
this one file:

- WEB_CONCURRENCY: worker processes (default 2 × the cores this process may use). Each worker is
  a separate process with its own database pool and search-index reader; sync workers serve one
  request at a time, so this is also the number of requests served at once.
- BIND: address to listen on (default 127.0.0.1:8000; the reverse proxy connects to it).
- GUNICORN_TIMEOUT: seconds a worker may spend on one request before it is killed and replaced
  (default 60: building a 10,000-firm XLSX export takes ~4 s of CPU).
- ACCESS_LOG: where access lines go (default "-", standard output; "" turns them off).

Each access line ends with the request id the app put on the response (`X-Request-Id`, the
proxy's own when it sent a plain token), so it can be found among the application's log lines.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Not preloaded: every worker opens its own database connections and index after the fork.
preload_app = False
# No runtime control socket (it would be made in $XDG_RUNTIME_DIR or ~/.gunicorn).
control_socket_disable = True

accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

"""gunicorn settings for PolicyHub in production. gunicorn reads this file from the working directory:

    gunicorn 'policyhub:create_app()'

(or ``gunicorn -c /path/to/gunicorn.conf.py 'policyhub:create_app()'`` from elsewhere). The app itself is
configured as always, by POLICYHUB_* variables (policyhub/config.py); this file only sets how it is served.
Each setting below can be changed by an environment variable, and a command-line flag overrides both.

| variable | meaning | default |
| --- | --- | --- |
| POLICYHUB_BIND | address(es) to listen on, comma-separated (``0.0.0.0:8000``, ``unix:/run/policyhub.sock``) | ``127.0.0.1:8000``, or ``0.0.0.0:$PORT`` when PORT is set |
| POLICYHUB_WORKERS (else WEB_CONCURRENCY) | worker processes | CPU count + 1 |
| POLICYHUB_THREADS | threads per worker; more than 1 switches to the gthread worker | 1 |
| POLICYHUB_TIMEOUT | seconds a request may take before its worker is killed and restarted | 30 |
| POLICYHUB_GRACEFUL_TIMEOUT | seconds for in-flight requests to finish on restart or shutdown | 30 |
| POLICYHUB_KEEPALIVE | seconds to hold an idle keep-alive connection (gthread workers; raise it behind a load balancer) | 5 |
| POLICYHUB_FORWARDED_ALLOW_IPS | addresses gunicorn itself trusts for X-Forwarded-Proto | none |
| POLICYHUB_LOG_LEVEL | level of gunicorn's and the app's logs | info |

Why these defaults (measured on 2 cores, DESIGN.md): plain sync workers served pages about twice as fast
as gthread ones, whose kept-alive connections pin to one worker; CPU count + 1 keeps both cores busy while
one worker waits on the database. Each worker builds its own app (no ``preload_app``), so that no database
connection or search-index handle is ever shared across a fork.

Logs: gunicorn's access log is off; the app writes one JSON line per request itself (policyhub/requestlog.py,
logger ``policyhub.request``) to stdout, with a request id that the app's other log lines (stderr) carry too.

Forwarded headers: trusted in one place only, the app's ``POLICYHUB_PROXY_FIX`` (policyhub/proxy.py), which
also covers the client address that rate limits and logs use. gunicorn trusts none of them unless
POLICYHUB_FORWARDED_ALLOW_IPS says so (its own default would trust 127.0.0.1).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any

from gunicorn.glogging import CONFIG_DEFAULTS


def _env_int(name: str, default: int, *fallbacks: str) -> int:
    for key in (name, *fallbacks):
        value = os.environ.get(key, "").strip()
        if value:
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"{key} must be a whole number of at least 1, not {value!r}")
            return int(value)
    return default


def _default_bind() -> str:
    port = os.environ.get("PORT", "").strip()
    return f"0.0.0.0:{port}" if port else "127.0.0.1:8000"


bind = [address.strip() for address in os.environ.get("POLICYHUB_BIND", _default_bind()).split(",") if address.strip()]
workers = _env_int("POLICYHUB_WORKERS", multiprocessing.cpu_count() + 1, "WEB_CONCURRENCY")
threads = _env_int("POLICYHUB_THREADS", 1)
timeout = _env_int("POLICYHUB_TIMEOUT", 30)
graceful_timeout = _env_int("POLICYHUB_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("POLICYHUB_KEEPALIVE", 5)
preload_app = False

forwarded_allow_ips = os.environ.get("POLICYHUB_FORWARDED_ALLOW_IPS", "")

accesslog = None
errorlog = "-"
loglevel = os.environ.get("POLICYHUB_LOG_LEVEL", "info").lower()

# gunicorn merges this dictionary into its defaults one level deep, so its own pieces are copied in. Other
# libraries log warnings and up to stderr; gunicorn's access log has no handler (our request lines replace it).
logconfig_dict = {
    **CONFIG_DEFAULTS,
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {**CONFIG_DEFAULTS["loggers"]["gunicorn.error"], "level": loglevel.upper(),
                           "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        "policyhub.request": {"level": "INFO", "handlers": ["policyhub_requests"], "propagate": False},
        "policyhub": {"level": loglevel.upper(), "handlers": ["policyhub"], "propagate": False},
    },
    "filters": {"request_id": {"()": "policyhub.requestlog.RequestIdFilter"}},
    "handlers": {
        **CONFIG_DEFAULTS["handlers"],
        "policyhub_requests": {"class": "logging.StreamHandler", "formatter": "json_line",
                               "stream": "ext://sys.stdout"},
        "policyhub": {"class": "logging.StreamHandler", "formatter": "with_request_id",
                      "filters": ["request_id"], "stream": "ext://sys.stderr"},
    },
    "formatters": {
        **CONFIG_DEFAULTS["formatters"],
        "json_line": {"format": "%(message)s"},
        "with_request_id": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] [%(request_id)s] %(name)s: %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
    },
}


def post_worker_init(worker: Any) -> None:
    """Once the worker has built its app: the modules, templates and compiled patterns live as long as the
    worker, so the garbage collector stops walking them on every collection (measured: 36 ms of collection per
    256 KB save down to 10, 5 ms per 30 KB save down to 1.6)."""
    gc.freeze()

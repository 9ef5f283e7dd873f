"""Settings shared by every environment, read from the environment with django-environ.

With no environment variables set, Qualiti runs on its embedded default: SQLite under
var/, uploaded files under var/media and Celery on kombu's filesystem transport, so a
fresh clone needs no server. `DATABASE_URL` and `CELERY_BROKER_URL` switch to
PostgreSQL and Redis.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from qualiti.static_headers import static_file_headers

from .broker import celery_transport
from .storage import default_storage_backend

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; absent on a fresh clone

VAR_DIR = Path(env.str("QUALITI_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "qualiti.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's assets served from here, never from a CDN
    "axes",
    "csp",
    "apps.accounts",
    "apps.projects",
    "apps.criteria",
    "apps.testplans",
    "apps.evaluations",
    "apps.findings",
    "apps.audit",
    "apps.dashboards",
    "apps.notifications",
    "apps.reports",
    "apps.webhooks",
    "apps.monitoring",
    "apps.standards",
    "apps.guide",
    "django_celery_beat",  # beat's schedule in the database (monitoring schedules)
    "qualiti",  # its management commands: seed_demo, seed_large (qualiti/demo/)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "qualiti.middleware.ServiceRefusalMiddleware",
    # Last: it turns a login attempt flagged as locked out into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qualiti.urls"
WSGI_APPLICATION = "qualiti.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.unread_notifications",
                "apps.findings.context_processors.work_waiting",
                "csp.context_processors.nonce",
            ],
        },
    },
]


def sqlite_database(path: Path) -> dict:
    """A SQLite database tuned for three processes (web, worker, beat) writing at once.

    The folder is made here, so a fresh clone needs no setup step before `migrate`.
    WAL lets readers proceed while one writer writes; IMMEDIATE transactions take the
    write lock up front, so two writers queue on the busy timeout instead of failing
    with "database is locked" when one upgrades a read lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "qualiti.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute force: django-axes counts failed logins (the form, the admin and the API's token
# endpoint) per username *and* address, so a locked pair never locks out the others
# behind the same address; a success clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("QUALITI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("QUALITI_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
# Uploads, reports and artifacts: MEDIA_ROOT, or a bucket (QUALITI_STORAGE_URL, storage.py).
STORAGES = {
    "default": default_storage_backend(env),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy on every answer: scripts, styles, images, fonts and requests
# from this server only; an inline script runs only with the response's nonce (none of
# Qualiti's pages has one), and nothing is evaluated from a string. Styles: Qualiti's own
# come from files. plotly.js adds its rules at run time by inserting an *empty* <style>
# element and filling it through the CSSOM, which CSP does not govern: the hash of the
# empty string admits exactly that element, no <style> with content. plotly.js also writes
# `style` attributes on the chart's SVG elements (through d3), which only 'unsafe-inline'
# on style-src-attr allows; attributes cannot load or run anything, and Django escapes
# every value a template puts in one.
EMPTY_INLINE_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, EMPTY_INLINE_STYLE_HASH],
        "style-src-elem": [SELF, EMPTY_INLINE_STYLE_HASH],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

# --- Celery -----------------------------------------------------------------------------


CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_transport = celery_transport(CELERY_BROKER_URL, CELERY_BROKER_DIR)
CELERY_BROKER_TRANSPORT = _transport["CELERY_BROKER_TRANSPORT"]
CELERY_BROKER_TRANSPORT_OPTIONS = _transport["CELERY_BROKER_TRANSPORT_OPTIONS"]
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=_transport["CELERY_RESULT_BACKEND"]
)

CELERY_TIMEZONE = TIME_ZONE  # beat's daily digest hour is in the server's time zone
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_EVALUATIONS_QUEUE = "evaluations"
CELERY_TASK_ROUTES = {"apps.evaluations.tasks.*": {"queue": CELERY_EVALUATIONS_QUEUE}}
CELERY_WORKER_QUEUES = [CELERY_TASK_DEFAULT_QUEUE, CELERY_EVALUATIONS_QUEUE]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat reads its schedule from the database (django-celery-beat), where the monitoring
# schedules edited on the pages live; CELERY_BEAT_SCHEDULE below is copied in at its start.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Evaluation runs: a running run's worker writes a heartbeat; the sweeper requeues (or, on
# the last attempt, fails) a run whose heartbeat is older than the staleness. The hard limit
# must stay below CELERY_VISIBILITY_TIMEOUT, or Redis would redeliver a run still running.
QUALITI_RUN_HEARTBEAT_STALE_SECONDS = env.float("QUALITI_RUN_HEARTBEAT_STALE_SECONDS", default=90)
QUALITI_RUN_SWEEP_PERIOD_SECONDS = env.float("QUALITI_RUN_SWEEP_PERIOD_SECONDS", default=30)
QUALITI_RUN_MAX_ATTEMPTS = env.int("QUALITI_RUN_MAX_ATTEMPTS", default=2)
# A run still queued this long after its message went out is sent again (lost message).
QUALITI_RUN_QUEUED_RESEND_SECONDS = env.float("QUALITI_RUN_QUEUED_RESEND_SECONDS", default=600)
QUALITI_RUN_SOFT_TIME_LIMIT = env.int("QUALITI_RUN_SOFT_TIME_LIMIT", default=3 * 3600)
QUALITI_RUN_TIME_LIMIT = env.int("QUALITI_RUN_TIME_LIMIT", default=3 * 3600 + 600)
# Threads of one run's model process and of its checks (BLAS/OpenMP). A worker runs one run
# per process of its concurrency, so each run stays on one core; the command line, alone on
# its machine, defaults to the machine's cores instead.
QUALITI_RUN_THREADS = env.int("QUALITI_RUN_THREADS", default=1)
# Extra type names a .skops model may load in the sandbox (an operator's allowlist).
QUALITI_RUN_TRUSTED_TYPES = env.list("QUALITI_RUN_TRUSTED_TYPES", default=[])

# The hour (server time zone) beat sends the scheduled project reports that are due.
QUALITI_REPORT_SCHEDULE_HOUR = env.int("QUALITI_REPORT_SCHEDULE_HOUR", default=6)

CELERY_BEAT_SCHEDULE = {
    "reopen-expired-risk-acceptances": {
        "task": "findings.risk_acceptances_expire",
        "schedule": env.float("RISK_EXPIRY_PERIOD_SECONDS", default=3600),
    },
    # Accepted answers to process criteria end on their date; the check is daily work
    # done hourly, so an answer expires within the hour after its last valid day.
    "expire-process-answers": {
        "task": "criteria.attestations_expire",
        "schedule": env.float("QUALITI_ATTESTATION_EXPIRY_PERIOD_SECONDS", default=3600),
    },
    "sweep-stale-evaluation-runs": {
        "task": "evaluations.runs_sweep",
        "schedule": QUALITI_RUN_SWEEP_PERIOD_SECONDS,
    },
    "sweep-webhook-deliveries": {
        "task": "webhooks.deliveries_sweep",
        "schedule": env.float("QUALITI_WEBHOOK_SWEEP_PERIOD_SECONDS", default=60),
    },
    "warn-due-and-overdue": {
        "task": "notifications.sla_warnings_send",
        "schedule": env.float("QUALITI_SLA_WARNING_PERIOD_SECONDS", default=3600),
    },
    "send-daily-digests": {
        "task": "notifications.digests_send",
        "schedule": crontab(minute=0, hour=env.int("QUALITI_DIGEST_HOUR", default=7)),
    },
    "sweep-stale-reports": {
        "task": "reports.sweep",
        "schedule": env.float("QUALITI_REPORT_SWEEP_PERIOD_SECONDS", default=300),
    },
    # Project reports on a schedule: the due ones are made and e-mailed each morning.
    "send-scheduled-reports": {
        "task": "reports.schedules_send",
        "schedule": crontab(minute=0, hour=QUALITI_REPORT_SCHEDULE_HOUR),
    },
}

# Outgoing webhooks (apps/webhooks). Their URLs may not reach loopback, private,
# link-local... addresses unless allowed here: comma-separated host names or networks
# (CIDR), e.g. "hooks.internal,10.20.0.0/16".
QUALITI_WEBHOOK_ALLOWED_HOSTS = env.list("QUALITI_WEBHOOK_ALLOWED_HOSTS", default=[])
QUALITI_WEBHOOK_TIMEOUT_SECONDS = env.float("QUALITI_WEBHOOK_TIMEOUT_SECONDS", default=10)
QUALITI_WEBHOOK_MAX_RESPONSE_BYTES = env.int("QUALITI_WEBHOOK_MAX_RESPONSE_BYTES", default=65536)
# Tries per delivery, the delay after the first failure (doubling at each), its cap.
QUALITI_WEBHOOK_MAX_ATTEMPTS = env.int("QUALITI_WEBHOOK_MAX_ATTEMPTS", default=10)
QUALITI_WEBHOOK_RETRY_BASE_SECONDS = env.float("QUALITI_WEBHOOK_RETRY_BASE_SECONDS", default=30)
QUALITI_WEBHOOK_RETRY_MAX_SECONDS = env.float("QUALITI_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
QUALITI_WEBHOOK_PER_SECOND = env.float("QUALITI_WEBHOOK_PER_SECOND", default=3)  # per endpoint
# An endpoint whose every try has failed this long is disabled and its owner told.
QUALITI_WEBHOOK_DISABLE_AFTER_HOURS = env.float("QUALITI_WEBHOOK_DISABLE_AFTER_HOURS", default=24)
QUALITI_WEBHOOK_SWEEP_GRACE_SECONDS = env.float("QUALITI_WEBHOOK_SWEEP_GRACE_SECONDS", default=300)
# A worker must consume this queue (the default queue unless set).
QUALITI_WEBHOOK_QUEUE = env.str("QUALITI_WEBHOOK_QUEUE", default=CELERY_TASK_DEFAULT_QUEUE)

# The health check waits this long for the broker and collects workers' pongs for this long.
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=1.0)

# Where people reach this server: absolute links in e-mails and webhook payloads.
QUALITI_BASE_URL = env.str("QUALITI_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# A report's share link lives this many days unless its creator chooses 1 to 90.
QUALITI_SHARE_LINK_DAYS = env.int("QUALITI_SHARE_LINK_DAYS", default=14)
# How many reverse proxies in front of the server append to X-Forwarded-For; 0 (the default)
# trusts no such header and logs REMOTE_ADDR as a share link opener's address.
QUALITI_TRUSTED_PROXY_COUNT = env.int("QUALITI_TRUSTED_PROXY_COUNT", default=0)

# E-mail: the embedded default writes each message to a file under var/mail/; production
# sets EMAIL_BACKEND to SMTP and the EMAIL_* settings below from the environment.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Qualiti <qualiti@localhost>")

# Reports (apps/reports): the PDF is printed by this Chromium (Debian's package), driven by
# Playwright; generation is a task on the default queue with these time limits.
QUALITI_CHROMIUM_PATH = env.str("QUALITI_CHROMIUM_PATH", default="/usr/bin/chromium")
QUALITI_REPORT_SOFT_TIME_LIMIT = env.int("QUALITI_REPORT_SOFT_TIME_LIMIT", default=600)
QUALITI_REPORT_TIME_LIMIT = env.int("QUALITI_REPORT_TIME_LIMIT", default=660)
# The verify page takes report files up to this size (a report is a few MiB at most).
QUALITI_VERIFY_MAX_BYTES = env.int("QUALITI_VERIFY_MAX_BYTES", default=64 * 1024**2)

# A worker's own scratch folder: the stored files a run or a validation reads are copied
# here (and their size and sha256 checked) when the storage is not this machine's folder.
QUALITI_WORK_DIR = Path(env.str("QUALITI_WORK_DIR", default=str(VAR_DIR / "work")))

# Demo data (`manage.py seed_demo`) is refused where this is False (production).
QUALITI_DEMO_DATA_ALLOWED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"refusals_plain": {"()": "qualiti.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["refusals_plain"]},  # a 403 is not a crash
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # a line per login otherwise; lockouts still show
    },
}

# --- REST API: qualiti/settings/rest.py ----------------------------------------------
from .rest import *  # noqa: E402, F403

# Uploads: bodies larger than this are refused with 413 before they are read.
QUALITI_MAX_UPLOAD_BYTES = env.int("QUALITI_MAX_UPLOAD_BYTES", default=2 * 1024**3)
# Criterion packs (YAML) are read whole in memory: bodies larger than this are refused.
QUALITI_PACK_MAX_BYTES = env.int("QUALITI_PACK_MAX_BYTES", default=1024**2)
# The evidence attached to an answer to a process criterion (a document, not data).
QUALITI_MAX_EVIDENCE_BYTES = env.int("QUALITI_MAX_EVIDENCE_BYTES", default=25 * 1024**2)
# The .skops upload audit's caps (zip bombs, huge schemas); the file is never loaded.
QUALITI_SKOPS_MAX_MEMBERS = env.int("QUALITI_SKOPS_MAX_MEMBERS", default=10_000)
QUALITI_SKOPS_MAX_UNCOMPRESSED_BYTES = env.int(
    "QUALITI_SKOPS_MAX_UNCOMPRESSED_BYTES", default=2 * QUALITI_MAX_UPLOAD_BYTES
)
QUALITI_SKOPS_MAX_COMPRESSION_RATIO = env.int("QUALITI_SKOPS_MAX_COMPRESSION_RATIO", default=100)
QUALITI_SKOPS_MAX_SCHEMA_BYTES = env.int("QUALITI_SKOPS_MAX_SCHEMA_BYTES", default=64 * 1024**2)
# Every uploaded model is audited in a sandbox process (the gate, a load, one row) with
# this much CPU and wall time and memory; the answer comes within about these seconds.
QUALITI_ARTIFACT_AUDIT_SECONDS = env.float("QUALITI_ARTIFACT_AUDIT_SECONDS", default=20.0)
QUALITI_ARTIFACT_AUDIT_MEMORY_MB = env.int("QUALITI_ARTIFACT_AUDIT_MEMORY_MB", default=4096)

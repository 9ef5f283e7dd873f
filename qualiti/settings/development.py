"""The embedded default for `make run` and local work: a fixed local key; DEBUG on unless
the environment says otherwise (`make run` turns it off unless DEBUG is set on purpose, so
its 404 and 500 are the styled pages, not Django's debug page)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="qualiti-development-key-not-for-production")

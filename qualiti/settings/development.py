"""The embedded default for `make run` and local work: DEBUG on, a fixed local key."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="qualiti-development-key-not-for-production")

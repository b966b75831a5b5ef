"""Settings for the app servers and the worker that test_scale_out.py starts: the real ones, two tweaks.

Everything else comes from the environment exactly as in production (DATABASE_URL, REDIS_URL,
EMAIL_URL, SECRET_KEY, DATABASE_REPLICA_URL...).
"""

import os

from kinship.settings import *  # noqa: F403
from kinship.settings import CACHES, STORAGES

# Plain static URLs: a test does not run collectstatic to build the manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Test runs may share one Redis server: each run keeps its cache (sessions, rate limits) under its own prefix.
CACHES["default"]["KEY_PREFIX"] = os.environ["KINSHIP_TEST_CACHE_PREFIX"]

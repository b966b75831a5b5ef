import atexit
import shutil
import tempfile

import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_configure(config: pytest.Config) -> None:
    # Cheap hashing in tests; Argon2 stays the production hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run at once inside the test; the worker's own tests use the database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Uploads (avatars, library PDFs, demo files) go to a folder of this run, never the real media/.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="kinship-media-")
    atexit.register(shutil.rmtree, settings.MEDIA_ROOT, ignore_errors=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise indexes STATIC_ROOT each time a test client builds its middleware: after `make run` or
    # `make bench` collected the static files there, that alone tripled the suite's time. Tests
    # collect nothing, so they look at an empty folder, as on a fresh clone.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="kinship-static-")
    atexit.register(shutil.rmtree, settings.STATIC_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()

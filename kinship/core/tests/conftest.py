"""A `replica` database alias for the router tests: a second connection to the test database.

settings.py adds it only when DATABASE_REPLICA_URL is set; here it always exists, as a test mirror
of `default` (Django points it at the test database and never creates or flushes it). Nothing
reads from it unless a test installs the router, and only tests that list it in `databases` may.
"""

from django.db import connections

# connections.settings is settings.DATABASES itself, with every key filled in.
_databases = connections.settings
if "replica" not in _databases:
    _default = _databases["default"]
    _databases["replica"] = {
        **_default,
        "OPTIONS": dict(_default["OPTIONS"]),
        "TEST": {**_default["TEST"], "MIRROR": "default"},
    }

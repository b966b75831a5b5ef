"""Search has no models of its own: its index lives in the searched tables (see schema.py).

This module exists so that Django sends this app `post_migrate` (only apps with a models module
get it), which puts back SQLite triggers a table rebuild dropped (see apps.py).
"""

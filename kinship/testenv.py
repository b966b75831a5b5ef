"""Loaded by pytest (-p) before Django reads settings: tests never need a real secret."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "0")

"""Signals accounts sends for higher apps (connected in their apps.py)."""

from django.dispatch import Signal

# Someone proved who they are: a browser after its password (and code), or an app getting a token.
# Sent with `user` and `via` ("browser" or "app"); safety audits staff sign-ins from it.
signed_in = Signal()

"""API: the library of vetted material (/materials)."""

from ninja import Router

router = Router()

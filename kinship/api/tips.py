"""API: member tips (/tips)."""

from ninja import Router

router = Router()

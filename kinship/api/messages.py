"""API: private messages (/conversations, /blocks)."""

from ninja import Router

router = Router()

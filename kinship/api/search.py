"""API: one search over everything the caller may see (/search)."""

from ninja import Router

router = Router()

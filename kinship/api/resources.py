"""API: the resource directory (GET /resources, /resources/{id})."""

from ninja import Router

router = Router()

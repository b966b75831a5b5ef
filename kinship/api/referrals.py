"""API: referrals and their follow-up (/referrals)."""

from ninja import Router

router = Router()

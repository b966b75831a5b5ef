"""API: peer mentoring (/me/mentor-profile, /mentors/suggestions, /mentorships)."""

from ninja import Router

router = Router()

"""Staff see the mentoring programme in the admin; each area keeps its own admin_<area>.py, imported here."""

from kinship.peers import admin_mentoring, admin_messages  # noqa: F401

"""Django's model backend, loading the two-step sign-in device with the user."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kinship.accounts.models import User


class KinshipBackend(ModelBackend):
    """Every request asks `has_two_factor` before a staff or facilitator power; one join answers it."""

    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        try:
            user = User._default_manager.select_related("two_factor").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

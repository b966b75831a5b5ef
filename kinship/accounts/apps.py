from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kinship.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from kinship.accounts import sessions

        def _signed_in(sender: object, request: object, user: object, **kwargs: object) -> None:
            if request is not None and hasattr(request, "session"):
                sessions.remember(user=user, request=request)  # type: ignore[arg-type]

        def _signed_out(sender: object, request: object, user: object, **kwargs: object) -> None:
            if request is not None and hasattr(request, "session"):
                sessions.forget(session_key=request.session.session_key)  # type: ignore[attr-defined]

        user_logged_in.connect(_signed_in, weak=False, dispatch_uid="kinship.accounts.sessions.remember")
        user_logged_out.connect(_signed_out, weak=False, dispatch_uid="kinship.accounts.sessions.forget")

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "kinship.safety"
    label = "safety"
    verbose_name = "Safety and audit"

    def ready(self) -> None:
        from kinship.accounts.signals import signed_in
        from kinship.core.signals import crisis_words, moderated
        from kinship.safety.crisis_alerts import record_crisis_words
        from kinship.safety.moderation import record_discussion_moderation
        from kinship.safety.sign_ins import record_staff_sign_in

        crisis_words.connect(record_crisis_words, dispatch_uid="kinship.safety.crisis_alerts")
        moderated.connect(record_discussion_moderation, dispatch_uid="kinship.safety.moderation")
        signed_in.connect(record_staff_sign_in, dispatch_uid="kinship.safety.sign_ins")
